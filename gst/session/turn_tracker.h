// SPDX-License-Identifier: LGPL-2.1-or-later
// Whether the model's turn is under way, from the server messages: it starts
// with the first model output (content, output transcription,
// generationComplete, interrupted) or toolCall, and ends with turnComplete.
// Input transcriptions alone do not start it: they describe the user's
// speech, which the model may not answer.
#pragma once

#include "protocol/server_message.h"

namespace geminilive::session {

// What one message did to the turn.
struct TurnEvents {
  bool reply_started = false;
  bool turn_complete = false;
  bool interrupted = false;  // with turn_complete: the turn that ended was cut by the user's input
};

class TurnTracker {
 public:
  TurnEvents observe(const protocol::ServerMessage& message);
  bool under_way() const { return under_way_; }

 private:
  bool under_way_ = false;
  bool interrupted_ = false;
};

}  // namespace geminilive::session
