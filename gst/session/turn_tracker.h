// SPDX-License-Identifier: LGPL-2.1-or-later
// Whether the model's turn is under way, from the server messages: it starts
// with the first model output (content, output transcription,
// generationComplete, interrupted) or toolCall, and ends with turnComplete.
// Input transcriptions alone do not start it: they describe the user's
// speech, which the model may not answer. It numbers the replies and keeps
// the last end of the user's input before each (turn_timing.h).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>

#include "protocol/server_message.h"
#include "session/turn_timing.h"

namespace geminilive::session {

// What one message did to the turn.
struct TurnEvents {
  bool reply_started = false;  // `reply` says which and when
  bool turn_complete = false;
  bool interrupted = false;  // with turn_complete: the turn that ended was cut by the user's input
  ReplyStart reply;
};

class TurnTracker {
 public:
  // The loop thread; `received_us`: when the message was received (monotonic).
  TurnEvents observe(const protocol::ServerMessage& message, int64_t received_us = 0);
  bool under_way() const { return under_way_; }
  // The reply under way was lost with its connection: no turn is under way.
  void cut() { under_way_ = interrupted_ = false; }
  // Any thread, before the message that ends the input goes to the send
  // path, so that no reply can come before it is known.
  void input_ended(SpeechEnd end);

 private:
  bool under_way_ = false;
  bool interrupted_ = false;
  uint64_t replies_ = 0;
  std::mutex mutex_;  // guards speech_end_
  std::optional<SpeechEnd> speech_end_;
};

}  // namespace geminilive::session
