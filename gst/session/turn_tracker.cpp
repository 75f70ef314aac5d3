// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/turn_tracker.h"

#include <utility>

namespace geminilive::session {
namespace {

bool is_model_output(const protocol::ServerContent& c) {
  return c.model_turn.has_value() || c.output_transcription.has_value() || c.generation_complete || c.interrupted;
}

// The service's VAD heard the user stop.
bool vad_speech_end(const protocol::ServerMessage& m) {
  return (m.voice_activity && m.voice_activity->type == "ACTIVITY_END") ||
         (m.voice_activity_detection_signal &&
          m.voice_activity_detection_signal->vad_signal_type == "VAD_SIGNAL_TYPE_EOS");
}

}  // namespace

const char* speech_end_source_name(SpeechEndSource source) {
  switch (source) {
    case SpeechEndSource::ActivityEnd:
      return "activity-end";
    case SpeechEndSource::AudioStreamEnd:
      return "audio-stream-end";
    case SpeechEndSource::VoiceActivity:
      return "voice-activity";
    case SpeechEndSource::Text:
      return "text";
    case SpeechEndSource::InputEnd:
      return "input-end";
  }
  return "unknown";
}

void TurnTracker::input_ended(SpeechEnd end) {
  std::lock_guard<std::mutex> lock(mutex_);
  speech_end_ = end;
}

TurnEvents TurnTracker::observe(const protocol::ServerMessage& message, int64_t received_us) {
  TurnEvents events;
  if (vad_speech_end(message)) input_ended({SpeechEndSource::VoiceActivity, received_us});
  const auto* content = message.server_content ? &*message.server_content : nullptr;
  const bool output = message.tool_call.has_value() || (content && is_model_output(*content));
  if (output && !under_way_) {
    under_way_ = true;
    interrupted_ = false;
    events.reply_started = true;
    events.reply.turn = ++replies_;
    events.reply.received_us = received_us;
    std::lock_guard<std::mutex> lock(mutex_);
    events.reply.speech_end = std::exchange(speech_end_, std::nullopt);
  }
  if (content && content->interrupted) interrupted_ = true;
  if (content && content->turn_complete) {
    events.turn_complete = true;
    events.interrupted = interrupted_;
    under_way_ = false;
    interrupted_ = false;
  }
  return events;
}

}  // namespace geminilive::session
