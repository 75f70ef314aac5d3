// SPDX-License-Identifier: LGPL-2.1-or-later
// The session's side of the model's function calls: it records each toolCall
// (tool_calls.h keeps them), closes those a connection the session left
// brought or a new connection no longer holds, and answers the ones the
// application leaves unanswered past the tool timeout with an error, so the
// model never waits forever. Each closed call is a warning. respond() may be
// called from any thread; the rest runs on the session's loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/content.h"
#include "protocol/server_message.h"
#include "session/session_host.h"
#include "session/tool_calls.h"

namespace geminilive::session {

class ToolCallWatch {
 public:
  ToolCallWatch(SessionHost& host, std::chrono::milliseconds timeout) : host_(host), calls_(timeout) {}

  // Any thread: whether the response may go out (else it is dropped with a
  // debug line: its call is closed).
  bool respond(const protocol::FunctionResponse& response);

  // ---- loop ----
  // A toolCall came. `left`: on a connection the session's input has left,
  // so its response could not reach the model. `handles`: resumable handles
  // so far (Connections::handles_seen()).
  void called(const protocol::ToolCall& call, bool left, uint64_t handles);
  void cancelled(const std::vector<std::string>& ids) { calls_.cancelled(ids); }
  // A connection resuming at the latest handle (`resumes`, with `handles`
  // so far) or afresh carries the session from here.
  void moved(bool resumes, uint64_t handles);

 private:
  void arm();
  void deadline();

  SessionHost& host_;
  ToolCalls calls_;  // thread-safe
};

}  // namespace geminilive::session
