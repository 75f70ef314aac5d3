// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveConnection: what the client says. Realtime input with server-side VAD
// or explicit activity, clientContent (history, roles, turnComplete) and
// contextUpdate.
#include <algorithm>

#include "connection_helpers.h"
#include "live_connection.h"
#include "mock_log.h"
#include "service_errors.h"

#define GST_CAT_DEFAULT geminilive::mock::mock_debug_category()

namespace geminilive::mock {
namespace {

constexpr std::size_t kLoggedInstruction = 60;  // characters of an instruction in a log line

std::string short_text(const std::string& s) {
  if (s.size() <= kLoggedInstruction) return s;
  std::size_t n = kLoggedInstruction;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
  return s.substr(0, n) + "...";
}

std::string tool_list(const std::vector<protocol::Tool>& tools) {
  std::string out;
  auto add = [&](const std::string& name) { out += (out.empty() ? "" : ", ") + name; };
  for (const auto& tool : tools) {
    for (const auto& decl : tool.function_declarations) add(decl.name);
    if (tool.google_search) add("googleSearch");
    if (tool.code_execution) add("codeExecution");
    if (tool.url_context) add("urlContext");
  }
  return "[" + out + "]";
}

}  // namespace

bool LiveConnection::interruptions_allowed() const { return !no_interruption_; }

void LiveConnection::set_speech(bool speaking) {
  in_speech_ = speaking;
  if (speaking == speech_announced_ || manual_activity_) return;
  speech_announced_ = speaking;
  protocol::ServerMessage message;
  message.voice_activity = protocol::VoiceActivity{speaking ? "ACTIVITY_START" : "ACTIVITY_END", std::nullopt};
  send(message);
  env_.state->update([&](ServerStats& s) { ++(speaking ? s.voice_activity_starts : s.voice_activity_ends); });
}

void LiveConnection::handle_audio(const protocol::Blob& blob) {
  env_.state->add_audio(info_.number, blob.data);
  session_->audio.add(blob.data);
  publish_session_audio();
  const unsigned rate = pcm_rate_from_mime(blob.mime_type);
  if (manual_activity_) {
    // Push-to-talk: only what lies between activityStart and activityEnd.
    if (turn_open_) pending_.add_audio(blob.data, rate);
    return;
  }

  // Server-side VAD in 20 ms windows: speech opens (or barges into) a turn,
  // then end_of_speech_silence of quiet ends it.
  const std::size_t window = std::max<std::size_t>(2, rate / 50 * 2);
  bool speech = false;
  bool speech_started = false;
  bool end_of_speech = false;
  for (std::size_t at = 0; at < blob.data.size() && !end_of_speech; at += window) {
    std::string_view w = std::string_view(blob.data).substr(at, window);
    if (pcm_rms(w) > kSpeechRms) {
      speech = true;
      speech_started = speech_started || !in_speech_;
      in_speech_ = true;
      silence_run_ms_ = 0.0;
    } else if (in_speech_) {
      silence_run_ms_ += static_cast<double>(w.size() / 2) * 1000.0 / rate;
      if (silence_run_ms_ >= silence_needed_ms_) {
        end_of_speech = true;
        silence_run_ms_ = 0.0;
      }
    }
  }
  if (speech_started) set_speech(true);
  if (speech && turn_phase_ != TurnPhase::None && interruptions_allowed()) {
    log("speech during the reply: barge-in");
    interrupt();
  }
  if (speech) turn_open_ = true;
  if (turn_open_) pending_.add_audio(blob.data, rate);
  if (end_of_speech) {
    log("end of speech");
    set_speech(false);
    end_user_turn(false);
  }
}

void LiveConnection::handle_frame_image(const protocol::Blob& blob) {
  pending_.add_frame(blob.data, blob.mime_type);
  const auto& info = pending_.last_frame;
  env_.state->update([&](ServerStats& s) {
    ++s.video_frames;
    s.last_frame_width = info ? info->width : 0;
    s.last_frame_height = info ? info->height : 0;
    s.last_frame_mime = blob.mime_type;
  });
}

void LiveConnection::realtime_started() {
  realtime_started_ = true;
  if (history_open_) end_history();
}

void LiveConnection::end_history() {
  history_open_ = false;
  history_note_ = history_turns_;
  log("initial history over: " + std::to_string(history_turns_) + " turns");
}

void LiveConnection::handle_realtime(const protocol::RealtimeInput& input) {
  if ((input.activity_start || input.activity_end) && !manual_activity_) {
    log(std::string(input.activity_start ? "activityStart" : "activityEnd") + " with automatic activity detection on");
    close(1007, kActivityWithVad);
    return;
  }
  realtime_started();
  if (input.activity_start) {
    log("activityStart");
    if (turn_phase_ != TurnPhase::None && interruptions_allowed()) {
      log("activityStart during the reply: barge-in");
      interrupt();
    }
    turn_open_ = true;
    in_speech_ = false;
    silence_run_ms_ = 0.0;
  }
  if (input.audio) handle_audio(*input.audio);
  if (input.video) handle_frame_image(*input.video);
  for (const auto& blob : input.media_chunks) {
    if (starts_with(blob.mime_type, "audio/"))
      handle_audio(blob);
    else
      handle_frame_image(blob);
  }
  if (input.text) {
    env_.state->update([&](ServerStats& s) { s.texts.push_back(*input.text); });
    // Realtime text ends the user's input, unless the client delimits turns
    // itself with activityStart/activityEnd.
    if (!manual_activity_ && turn_phase_ != TurnPhase::None && interruptions_allowed()) {
      log("text during the reply: barge-in");
      interrupt();
    }
    pending_.add_text(*input.text);
    if (!manual_activity_) end_user_turn(true);
  }
  if (input.activity_end) {
    log("activityEnd");
    turn_open_ = false;
    end_user_turn(true);
  }
  if (input.audio_stream_end && !manual_activity_) {
    // The mic closed: whatever was heard is a complete turn.
    turn_open_ = false;
    set_speech(false);
    silence_run_ms_ = 0.0;
    end_user_turn(false);
  }
}

void LiveConnection::handle_client_content(const protocol::ClientContent& content) {
  if (realtime_started_ && !traits_.mid_session_client_content) {
    log("clientContent after realtime input, which " + setup_.model + " takes as initial history only");
    close(1007, invalid_argument("clientContent after realtime input is not supported by this model."));
    return;
  }
  const bool complete = content.turn_complete.value_or(false);  // proto3 default; the SDKs always send it
  auto record_texts = [&](const protocol::Content& turn) {
    for (const auto& part : turn.parts)
      if (part.text && !part.thought.value_or(false))
        env_.state->update([&](ServerStats& s) { s.texts.push_back(*part.text); });
  };

  if (history_open_) {
    // Initial history: context for the model, never answered, until the
    // message with turnComplete (or realtime input) ends it.
    history_turns_ += static_cast<unsigned>(content.turns.size());
    for (const auto& turn : content.turns)
      if (!turn.role || *turn.role != "model") record_texts(turn);
    env_.state->update([&](ServerStats& s) { s.history_turns += static_cast<unsigned>(content.turns.size()); });
    log("initial history: " + std::to_string(content.turns.size()) + " turns");
    if (complete) end_history();
    return;
  }

  const bool only_model =
      !content.turns.empty() && std::all_of(content.turns.begin(), content.turns.end(),
                                            [](const auto& t) { return t.role && *t.role == "model"; });
  if (only_model) {
    log("clientContent: " + std::to_string(content.turns.size()) + " model turns as context");
    return;  // what the model said: context, never answered
  }
  // turnComplete always interrupts the generation under way; without it the
  // model waits for more.
  if (complete && turn_phase_ != TurnPhase::None) {
    log("clientContent with turnComplete during the reply: barge-in");
    interrupt();
  }
  for (const auto& turn : content.turns) {
    if (turn.role && *turn.role == "model") continue;  // context: what the model said
    record_texts(turn);
    for (const auto& part : turn.parts) {
      if (part.text && !part.thought.value_or(false)) pending_.add_text(*part.text);
      if (part.inline_data) {
        const auto& blob = *part.inline_data;
        if (starts_with(blob.mime_type, "audio/"))
          pending_.add_audio(blob.data, pcm_rate_from_mime(blob.mime_type));
        else if (starts_with(blob.mime_type, "image/"))
          pending_.add_frame(blob.data, blob.mime_type);
      }
    }
  }
  if (complete) end_user_turn(true);
}

void LiveConnection::handle_context_update(const protocol::ContextUpdate& update) {
  if (!traits_.context_update) {
    log("contextUpdate, which " + setup_.model + " does not take");
    close(1007, invalid_argument("contextUpdate is not supported by this model."));
    return;
  }
  if (update.tools) {
    if (auto refusal = tools_refusal(setup_.model, *update.tools)) {
      log("refusing the contextUpdate: " + *refusal);
      close(1007, *refusal);
      return;
    }
  }
  std::string line = "contextUpdate:";
  if (update.system_instruction) {
    setup_.system_instruction = update.system_instruction;
    set_system_instruction(setup_.system_instruction, true);
    line += " systemInstruction \"" + short_text(update.system_instruction->text()) + "\"";
  } else {
    line += " systemInstruction kept";
  }
  if (update.tools) {
    // Tools present replace the whole list; [] clears it.
    setup_.tools = *update.tools;
    resolve_tools();
    line += ", tools " + tool_list(setup_.tools);
  } else {
    line += ", tools kept";
  }
  env_.state->update([](ServerStats& s) { ++s.context_updates; });
  log(line);
}

}  // namespace geminilive::mock
