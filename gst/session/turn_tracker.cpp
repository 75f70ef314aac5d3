// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/turn_tracker.h"

namespace geminilive::session {
namespace {

bool is_model_output(const protocol::ServerContent& c) {
  return c.model_turn.has_value() || c.output_transcription.has_value() || c.generation_complete || c.interrupted;
}

}  // namespace

TurnEvents TurnTracker::observe(const protocol::ServerMessage& message) {
  TurnEvents events;
  const auto* content = message.server_content ? &*message.server_content : nullptr;
  const bool output = message.tool_call.has_value() || (content && is_model_output(*content));
  if (output && !under_way_) {
    under_way_ = true;
    interrupted_ = false;
    events.reply_started = true;
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
