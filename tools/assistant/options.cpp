// SPDX-License-Identifier: LGPL-2.1-or-later
#include "options.h"

#include <gst/gst.h>

namespace geminilive::assistant {

const char kDefaultSystemInstruction[] =
    "You are a screen assistant. You see the user's screen, one frame per second, and hear "
    "their voice. Answer briefly and conversationally, in one to three spoken sentences unless "
    "asked for more. Ground your answers in what is visible on the screen: name the window, "
    "quote the exact text, code or error message you mean, and say plainly when something is "
    "too small to read or not on the screen instead of guessing. When the user asks you to "
    "remember, note or write something down, call save_note with a short self-contained note, "
    "then confirm in a few words.";

namespace {

// GOption fills these; they move into Options after a successful parse.
struct Raw {
  Raw() = default;
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;
  ~Raw() {
    for (char* s : {model, voice, system_instruction, uri, window, window_name, question, notes, reply_wav, transcript,
                    record, local_tool_call, media_resolution, pipewire_node, vertex})
      g_free(s);
  }

  char* model = nullptr;
  char* voice = nullptr;
  char* system_instruction = nullptr;
  char* uri = nullptr;
  char* window = nullptr;
  char* window_name = nullptr;
  char* question = nullptr;
  char* notes = nullptr;
  char* reply_wav = nullptr;
  char* transcript = nullptr;
  char* record = nullptr;
  char* local_tool_call = nullptr;
  char* media_resolution = nullptr;
  char* pipewire_node = nullptr;
  double keepalive = -1;
  double threshold = -1;
  gboolean no_change_gate = FALSE;
  char* vertex = nullptr;
  gboolean local = FALSE;
  gboolean push_to_talk = FALSE;
  gboolean search = FALSE;
  gboolean code_execution = FALSE;
  gboolean no_mic = FALSE;
  gboolean print_config = FALSE;
  gboolean verbose = FALSE;
};

bool parse_xid(const char* text, guint64* xid) {
  char* end = nullptr;
  guint64 value = g_ascii_strtoull(text, &end, 0);  // 0x… or decimal, as xwininfo prints them
  if (!end || *end || end == text || value == 0) return false;
  *xid = value;
  return true;
}

}  // namespace

bool parse_options(int* argc, char*** argv, Options* options, std::string* error) {
  Raw raw;
  const GOptionEntry entries[] = {
      {"model", 'm', 0, G_OPTION_ARG_STRING, &raw.model, "Live model (default: the element's, gemini-3.8-live)", "ID"},
      {"voice", 0, 0, G_OPTION_ARG_STRING, &raw.voice, "Prebuilt voice, e.g. Puck or Kore", "NAME"},
      {"system-instruction", 's', 0, G_OPTION_ARG_STRING, &raw.system_instruction,
       "What the model is told to be (default: a concise screen assistant that uses save_note)", "TEXT"},
      {"uri", 0, 0, G_OPTION_ARG_STRING, &raw.uri, "Live endpoint (default: Google's; needs a key)", "URI"},
      {"vertex", 0, 0, G_OPTION_ARG_STRING, &raw.vertex,
       "Vertex AI in this Google Cloud project (location default global); the OAuth token comes from "
       "GOOGLE_CLOUD_ACCESS_TOKEN, Application Default Credentials or gcloud",
       "PROJECT[/LOCATION]"},
      {"local", 0, 0, G_OPTION_ARG_NONE, &raw.local, "Use the bundled local server even when a key is set", nullptr},
      {"push-to-talk", 0, 0, G_OPTION_ARG_NONE, &raw.push_to_talk,
       "Push-to-talk: no voice detection; press Enter to start talking and Enter again to stop", nullptr},
      {"media-resolution", 0, 0, G_OPTION_ARG_STRING, &raw.media_resolution,
       "Tokens per frame: low (64), medium (256) or high (256, zoomed); default: the service's", "LEVEL"},
      {"search", 0, 0, G_OPTION_ARG_NONE, &raw.search,
       "Let the model search the web (Google Search); the queries and sources are shown", nullptr},
      {"code-execution", 0, 0, G_OPTION_ARG_NONE, &raw.code_execution,
       "Let the model write and run code; the code and its result are shown", nullptr},
      {"window", 'w', 0, G_OPTION_ARG_STRING, &raw.window, "Capture this X11 window (id as xwininfo prints it)", "XID"},
      {"window-name", 0, 0, G_OPTION_ARG_STRING, &raw.window_name, "Capture the X11 window with this title", "TITLE"},
      {"no-change-gate", 0, 0, G_OPTION_ARG_NONE, &raw.no_change_gate,
       "Send a frame every second, even when the screen did not change", nullptr},
      {"keepalive", 0, 0, G_OPTION_ARG_DOUBLE, &raw.keepalive,
       "Resend a still screen after this many seconds (default 10; 0: never)", "SECONDS"},
      {"change-threshold", 0, 0, G_OPTION_ARG_DOUBLE, &raw.threshold,
       "Send a frame when more than this fraction of the screen changed (default 0.005)", "FRACTION"},
      {"pipewire-node", 0, 0, G_OPTION_ARG_STRING, &raw.pipewire_node,
       "Capture this PipeWire video node (pw-cli ls Node) instead of asking the desktop's portal", "ID"},
      {"no-mic", 0, 0, G_OPTION_ARG_NONE, &raw.no_mic, "Do not send the microphone (type instead)", nullptr},
      {"question", 0, 0, G_OPTION_ARG_FILENAME, &raw.question,
       "Ask this recorded WAV instead of using the microphone, then end after the answer", "FILE.wav"},
      {"notes", 0, 0, G_OPTION_ARG_FILENAME, &raw.notes, "Markdown file save_note appends to (default notes.md)",
       "FILE"},
      {"reply-wav", 0, 0, G_OPTION_ARG_FILENAME, &raw.reply_wav,
       "Where the spoken answers go without a speaker or in one-exchange mode (default geminilive-reply.wav)", "FILE"},
      {"transcript", 0, 0, G_OPTION_ARG_FILENAME, &raw.transcript,
       "Also write the transcript to this Markdown file (default in one-exchange mode: geminilive-transcript.md)",
       "FILE"},
      {"record", 'r', 0, G_OPTION_ARG_FILENAME, &raw.record,
       "Record the frames and microphone sent, the answers and the transcripts to a Matroska file", "FILE.mkv"},
      {"print-config", 0, 0, G_OPTION_ARG_NONE, &raw.print_config,
       "Print the endpoint and the setup message that would be sent, then exit", nullptr},
      {"verbose", 'v', 0, G_OPTION_ARG_NONE, &raw.verbose, "Also print the local server's events", nullptr},
      {"local-tool-call", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &raw.local_tool_call,
       "Testing: the local server calls this function in every turn", "NAME"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- talk with Gemini about your screen");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_add_group(context, gst_init_get_option_group());
  g_option_context_set_description(
      context,
      "Shares the screen (a frame when it changes, at most 1 per second and 1024 px on the long side)\n"
      "and the microphone with a Gemini Live session and plays the spoken answers. Type a line and\n"
      "press Enter to send it as text. With --push-to-talk, Enter on an empty line starts talking and\n"
      "Enter again stops. Ctrl-C ends the session.\n\n"
      "With --vertex PROJECT[/LOCATION] it talks to Vertex AI. Without GEMINI_API_KEY (or\n"
      "GOOGLE_API_KEY), or with --local, it talks to the bundled local\n"
      "server. Without a display it captures a virtual screen; without a microphone it asks a\n"
      "recorded question, writes the answer to --reply-wav and ends after that one exchange.\n");
  g_autoptr(GError) gerror = nullptr;
  if (!g_option_context_parse(context, argc, argv, &gerror)) {
    *error = gerror->message;
    return false;
  }
  if (*argc > 1) {
    *error = std::string("unexpected argument \"") + (*argv)[1] + "\" (see --help)";
    return false;
  }

  auto take = [](char* s, std::string* into) {
    if (s) *into = s;
  };
  take(raw.model, &options->model);
  take(raw.voice, &options->voice);
  take(raw.system_instruction, &options->system_instruction);
  take(raw.uri, &options->uri);
  take(raw.window_name, &options->window_name);
  take(raw.question, &options->question_wav);
  take(raw.notes, &options->notes_path);
  take(raw.reply_wav, &options->reply_wav);
  take(raw.transcript, &options->transcript_path);
  take(raw.record, &options->record_path);
  take(raw.local_tool_call, &options->local_tool_call);
  if (raw.window && !parse_xid(raw.window, &options->window_xid)) {
    *error = std::string("--window ") + raw.window + ": not a window id (e.g. 0x3a00007)";
    return false;
  }
  options->local = raw.local;
  options->push_to_talk = raw.push_to_talk;
  options->search = raw.search;
  options->code_execution = raw.code_execution;
  if (raw.vertex) {
    const std::string v = raw.vertex;
    const auto slash = v.find('/');
    options->vertex_project = v.substr(0, slash);
    if (slash != std::string::npos) options->vertex_location = v.substr(slash + 1);
    if (options->vertex_project.empty() || (slash != std::string::npos && options->vertex_location.empty()) ||
        options->vertex_location.find('/') != std::string::npos) {
      *error = "--vertex " + v + ": want PROJECT or PROJECT/LOCATION (e.g. my-project/us-central1)";
      return false;
    }
  }
  if (raw.media_resolution) {
    const std::string level = raw.media_resolution;
    if (level != "low" && level != "medium" && level != "high") {
      *error = "--media-resolution " + level + ": want low, medium or high";
      return false;
    }
    options->media_resolution = level;
  }
  options->no_mic = raw.no_mic;
  options->change_gate = !raw.no_change_gate;
  take(raw.pipewire_node, &options->pipewire_node);
  if (raw.keepalive != -1) {
    if (!(raw.keepalive >= 0 && raw.keepalive <= 86400)) {
      *error = "--keepalive: want seconds from 0 to 86400";
      return false;
    }
    if (raw.no_change_gate) {
      *error = "--keepalive and --no-change-gate exclude each other";
      return false;
    }
    options->gate_keepalive = raw.keepalive;
  }
  if (raw.threshold != -1) {
    if (!(raw.threshold >= 0 && raw.threshold <= 1)) {
      *error = "--change-threshold: want a fraction from 0 to 1";
      return false;
    }
    if (raw.no_change_gate) {
      *error = "--change-threshold and --no-change-gate exclude each other";
      return false;
    }
    options->gate_threshold = raw.threshold;
  }
  options->print_config = raw.print_config;
  options->verbose = raw.verbose;

  if (options->no_mic && !options->question_wav.empty()) {
    *error = "--no-mic and --question exclude each other";
    return false;
  }
  if (options->local && !options->vertex_project.empty()) {
    *error = "--local and --vertex exclude each other";
    return false;
  }
  if (options->local && !options->uri.empty()) {
    *error = "--local and --uri exclude each other";
    return false;
  }
  if (!options->record_path.empty() && !g_str_has_suffix(options->record_path.c_str(), ".mkv") &&
      !g_str_has_suffix(options->record_path.c_str(), ".mka")) {
    *error = "--record writes Matroska: name the file FILE.mkv";
    return false;
  }
  return true;
}

}  // namespace geminilive::assistant
