// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-assistant: a screen assistant on geminilivesink/geminilivesrc.
// It shares the screen and the microphone with a Gemini Live session, plays
// the answers, prints the transcript and takes typed lines; save_note keeps
// notes in Markdown. Without a key it uses the bundled local server; without
// a display, a virtual screen; without a microphone it asks a recorded
// question and ends after the answer (docs/assistant.md).
#include <gst/gst.h>
#include <sys/stat.h>

#include <clocale>
#include <cstdio>
#include <memory>
#include <string>

#include "assistant.h"
#include "devices.h"
#include "local_server.h"
#include "notes.h"
#include "options.h"
#include "pipeline.h"
#include "plugin_loader.h"
#include "print_config.h"
#include "screen_choice.h"
#include "session/endpoint.h"
#include "session/model_rules.h"
#include "session/session_config.h"
#include "session/session_error.h"
#include "transcript.h"
#include "vertex_token.h"

using namespace geminilive::assistant;

namespace {

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

int fail(const std::string& message, int status = 1) {
  std::fprintf(stderr, "geminilive-assistant: %s\n", message.c_str());
  return status;
}

// The recorded question: made with espeak-ng at build time, or the bundled
// one; then the installed copy (paths from meson).
std::string default_question() {
  for (const char* path : {GEMINILIVE_QUESTION_WAV, GEMINILIVE_QUESTION_WAV_INSTALLED})
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) return path;
  return "";
}

// "3.4 s" for a 24 kHz S16 mono WAV written by wavenc (44-byte header).
std::string reply_seconds(const std::string& path) {
  struct stat st;
  double seconds = stat(path.c_str(), &st) == 0 && st.st_size > 44 ? (st.st_size - 44) / 48000.0 : 0;
  g_autofree char* text = g_strdup_printf("%.1f s", seconds);
  return text;
}

// The session's endpoint: the in-process local server, or the element's
// (Google's, or --uri) with the key from the environment. False: bad usage.
bool plan_session(const Options& options, SinkSettings* settings, std::unique_ptr<LocalServer>* server, bool* local,
                  std::string* error) {
  const char* key_variable = geminilive::session::api_key_variable();
  const bool vertex = !options.vertex_project.empty();
  *local = !vertex && (options.local || (!key_variable && options.uri.empty()));
  if (!*local && !vertex && !key_variable) {
    *error = "--uri needs a key: set GEMINI_API_KEY (or leave out --uri to use the local server)";
    return false;
  }
  settings->uri = options.uri;
  if (vertex) {
    settings->vertex_project = options.vertex_project;
    settings->vertex_location = options.vertex_location;
    // --print-config only says where the token would come from.
    if (!options.print_config) {
      const TokenSource source = find_token_source();
      settings->access_token = fetch_access_token(source, error);
      if (settings->access_token.empty() && source.kind != TokenSource::Kind::Adc) return false;
      say("[state] Vertex AI, project " + options.vertex_project + ", location " +
          (options.vertex_location.empty() ? std::string("global") : options.vertex_location) + "; access token from " +
          source.description);
    }
  }
  settings->model = options.model;
  settings->voice = options.voice;
  settings->system_instruction = options.system_instruction;
  // save_note is BLOCKING where the model takes it: the model confirms the
  // note after it is saved, in the same answer (gemini-3.8-live's default,
  // NON_BLOCKING, would confirm in a later turn, after a one-exchange run
  // has ended). Other models (and unknown ones) get no behavior.
  const geminilive::session::ModelRules* rules =
      geminilive::session::find_model_rules(options.model.empty() ? geminilive::session::kDefaultModel : options.model);
  const bool blocking = rules && (rules->blocking_calls != geminilive::session::Accepts::No &&
                                  std::string(rules->default_behavior) != "BLOCKING");
  settings->tools_json = NotesTool::declarations_json(blocking);
  if (options.search || options.code_execution) {
    // The setup's own tools array: the function and the built-in tools.
    settings->tools_json = std::string(R"([{"functionDeclarations":)") + settings->tools_json + "}";
    if (options.search) settings->tools_json += R"(,{"googleSearch":{}})";
    if (options.code_execution) settings->tools_json += R"(,{"codeExecution":{}})";
    settings->tools_json += "]";
  }
  settings->vad = !options.push_to_talk;
  settings->media_resolution = options.media_resolution;
  if (!*local || options.print_config) return true;
  *server = start_local_server(options.verbose, options.local_tool_call, error);
  if (!*server) {
    *error = "cannot start the local server: " + *error;
    return false;
  }
  settings->uri = (*server)->endpoint;
  settings->api_key = "local";
  say(std::string("[state] ") + (options.local ? "--local" : "no GEMINI_API_KEY") +
      ": talking to the bundled local server (it describes what it received; set GEMINI_API_KEY for Gemini)");
  return true;
}

int run_print_config(const SinkSettings& settings, bool local) {
  const char* key_variable = geminilive::session::api_key_variable();
  std::string key_note = local ? "none needed (the bundled local server; set GEMINI_API_KEY for Google's service)"
                               : std::string("from ") + (key_variable ? key_variable : "") +
                                     ", sent in the x-goog-api-key header, never in the URI";
  if (!settings.vertex_project.empty()) {
    const TokenSource source = find_token_source();
    key_note = source.kind == TokenSource::Kind::None ? "none found: " + source.problem
                                                      : "an OAuth access token from " + source.description +
                                                            ", sent in the Authorization: Bearer header, never printed";
  }
  std::string shown =
      local ? "the bundled local server, in this process (ws://127.0.0.1:<free port>" + live_endpoint_path() + ")" : "";
  return print_config(settings, shown, key_note);
}

// Microphone and speaker: the devices when there are some; else the
// recorded question (one exchange) and the reply WAV.
bool plan_sound(const Options& options, PipelinePlan* plan, std::string* error) {
  const AudioDevices devices = probe_audio_devices();
  if (!options.question_wav.empty()) {
    plan->mic = PipelinePlan::Mic::Question;
    plan->question_wav = options.question_wav;
  } else if (options.no_mic) {
    plan->mic = PipelinePlan::Mic::None;
  } else if (devices.microphone) {
    plan->mic = PipelinePlan::Mic::Device;
  } else {
    plan->mic = PipelinePlan::Mic::Question;
    plan->question_wav = default_question();
  }
  if (plan->mic == PipelinePlan::Mic::Question && !g_file_test(plan->question_wav.c_str(), G_FILE_TEST_IS_REGULAR)) {
    *error = "the recorded question is missing: " + (plan->question_wav.empty() ? "(none built)" : plan->question_wav);
    return false;
  }
  const bool one_exchange = plan->mic == PipelinePlan::Mic::Question;
  plan->speaker = devices.speaker;
  if (one_exchange || !devices.speaker) plan->reply_wav = options.reply_wav;

  switch (plan->mic) {
    case PipelinePlan::Mic::Device:
      say("[audio] microphone: " + devices.microphone_name);
      break;
    case PipelinePlan::Mic::None:
      say("[audio] no microphone (--no-mic): type to talk");
      break;
    case PipelinePlan::Mic::Question:
      say(std::string("[audio] ") + (options.question_wav.empty() ? "no microphone: " : "") +
          "asking the recorded question " + plan->question_wav + ", then ending after the answer");
      break;
  }
  if (plan->speaker) say("[audio] speaker: " + devices.speaker_name);
  if (!plan->reply_wav.empty()) say("[audio] the answers go to " + plan->reply_wav);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "");
  Options options;
  std::string error;
  if (!parse_options(&argc, &argv, &options, &error)) return fail(error + " (see --help)", 2);
  gst_init(nullptr, nullptr);  // done by the option group already; harmless
  if (!ensure_geminilive_plugin(&error)) return fail(error);

  // Declared first: they outlive the pipeline that uses them.
  std::unique_ptr<LocalServer> server;
  ScreenHolders screen;
  PipelinePlan plan;
  bool local = false;
  if (!plan_session(options, &plan.sink, &server, &local, &error)) return fail(error, 2);
  if (options.print_config) return run_print_config(plan.sink, local);
  int status = 2;
  if (!choose_screen(options, &plan, &screen, say, &error, &status)) return fail(error, status);
  if (!plan_sound(options, &plan, &error)) return fail(error, 2);
  plan.record_path = options.record_path;
  const bool one_exchange = plan.mic == PipelinePlan::Mic::Question;

  std::string warning;
  GstElement* pipeline = build_pipeline(plan, &error, &warning);
  if (!pipeline) return fail(error);
  g_autoptr(GstElement) owned_pipeline = pipeline;
  if (!warning.empty()) say("[warning] " + warning);
  end_screen_when_sharing_stops(&screen, pipeline, say);
  NotesTool notes(options.notes_path);
  const bool tools = warning.empty();  // the only warning: no function calling

  Transcript transcript(stdout);
  std::string transcript_path = options.transcript_path;
  if (transcript_path.empty() && one_exchange) transcript_path = "geminilive-transcript.md";
  if (!transcript_path.empty()) {
    const std::string about =
        local ? "with the bundled local server"
              : "with " + (options.uri.empty() ? std::string("Gemini") : geminilive::session::shown_uri(options.uri));
    if (!transcript.open_file(transcript_path, about, &error)) return fail(error);
  }
  if (!plan.record_path.empty()) say("[record] recording to " + plan.record_path);
  if (tools) say("[note] save_note appends to " + notes.path());
  if (tools && options.search) say("[search] the model may search the web: queries and sources are shown");
  if (tools && options.code_execution) say("[code] the model may run code: the code and its result are shown");
  if (!one_exchange && options.push_to_talk)
    say("[state] push-to-talk: press Enter to start talking and Enter again to stop; a typed line is sent as text; "
        "Ctrl-C ends the session");
  else if (!one_exchange)
    say("[state] type a line and press Enter to send it; Ctrl-C ends the session");
  else if (options.push_to_talk)
    say("[audio] push-to-talk: the recorded question goes between activity-start and activity-end");

  Assistant::Mode mode;
  mode.one_exchange = one_exchange;
  mode.read_stdin = !one_exchange;
  mode.push_to_talk = options.push_to_talk;
  unsigned turns;
  {
    Assistant assistant(pipeline, mode, &transcript, tools ? &notes : nullptr);
    status = assistant.run();
    turns = assistant.turns();
  }
  transcript.end_turn(false);
  if (server && options.verbose) std::fprintf(stderr, "[local server] %s\n", received_summary(*server).c_str());

  if (!plan.reply_wav.empty() && turns > 0)
    say("[done] the answer" + std::string(turns > 1 ? "s are" : " is") + " in " + plan.reply_wav + " (" +
        reply_seconds(plan.reply_wav) + " of audio)");
  if (!transcript_path.empty()) say("[done] the transcript is in " + transcript_path);
  if (!plan.record_path.empty()) say("[done] the recording is in " + plan.record_path);
  return status;
}
