// SPDX-License-Identifier: LGPL-2.1-or-later
// The instants of a turn, for its latency: where the user's input ended and
// when the first message of the model's reply came. Instants are
// g_get_monotonic_time() microseconds (CLOCK_MONOTONIC, the clock of
// GstSystemClock's default type): the elements put them on the pipeline clock.
#pragma once

#include <cstdint>
#include <optional>

namespace geminilive::session {

// What ended the user's input before a reply.
enum class SpeechEndSource {
  ActivityEnd,     // the client sent activityEnd (push-to-talk)
  AudioStreamEnd,  // the client sent audioStreamEnd (the audio input ended)
  VoiceActivity,   // the service's VAD: voiceActivity ACTIVITY_END, or voiceActivityDetectionSignal EOS
  Text,            // the client sent text (realtime text, or clientContent with turnComplete)
  InputEnd,        // the input ended without audio (end_input(false))
};

// "activity-end", "audio-stream-end", "voice-activity", "text", "input-end".
const char* speech_end_source_name(SpeechEndSource source);

struct SpeechEnd {
  SpeechEndSource source = SpeechEndSource::AudioStreamEnd;
  int64_t at_us = 0;  // monotonic: when it went to the send path, or (VoiceActivity) was received
};

// The model's reply started (its first output or toolCall).
struct ReplyStart {
  uint64_t turn = 0;        // 1, 2, ... in the session
  int64_t received_us = 0;  // monotonic: when the message that started it was received
  // The last end of input before it (since the previous reply started); none
  // when nothing said where the user stopped (server VAD without voiceActivity).
  std::optional<SpeechEnd> speech_end;
};

}  // namespace geminilive::session
