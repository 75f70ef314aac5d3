// SPDX-License-Identifier: LGPL-2.1-or-later
// The function calls the model is waiting on: every toolCall's id with its
// name and deadline (the tool timeout), until its final response. A call the
// service cancelled, the timeout answered, or that a new connection no
// longer holds is closed: a later response to it must not go out.
//
// Connections: a call lives in the session state of the connection that
// issued it. When a new connection carries the session, a call stays open
// only if that connection resumed at a handle issued after the call (the
// handle holds it); otherwise (a handle from before it, or a fresh
// conversation) the model there never made the call, so it is abandoned. A
// call that arrives on a connection the session has already left (one still
// delivering the rest of a reply) is abandoned at once: its response could
// only reach the new connection, which does not know it.
//
// Thread-safe: the session's loop records calls, cancellations and expiry;
// respond() comes from any thread. Time is given, so it is tested without
// a loop.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/content.h"
#include "protocol/server_message.h"

namespace geminilive::session {

class ToolCalls {
 public:
  using Clock = std::chrono::steady_clock;
  // What respond() decides; anything but Send is dropped.
  enum class Verdict { Send, Cancelled, TimedOut, Abandoned };

  struct Call {
    std::string id;
    std::string name;
  };

  // 0: calls never time out.
  explicit ToolCalls(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  // A toolCall came. `handles`: resumable handles the session has had so
  // far. Calls without an id (Vertex may omit it) are not tracked.
  void called(const protocol::ToolCall& call, uint64_t handles, Clock::time_point now);
  // A toolCall that came on a connection the session has left: its calls are
  // closed at once. Returns them.
  std::vector<Call> abandon(const protocol::ToolCall& call);
  // toolCallCancellation: those calls are closed.
  void cancelled(const std::vector<std::string>& ids);

  // Any thread: whether `response` may go out. A final response (not
  // will_continue) closes its call; a response to an id never seen is sent.
  Verdict respond(const protocol::FunctionResponse& response);

  // Closes the calls whose deadline has passed and returns them: the caller
  // answers each with timeout_response().
  std::vector<Call> expire(Clock::time_point now);
  // The earliest deadline of an open call.
  std::optional<Clock::time_point> next_deadline() const;

  // A new connection carries the session, resuming at the handle numbered
  // `handles` (see called()), or afresh (`resumed` false). Closes the calls
  // it does not hold and returns them.
  std::vector<Call> moved(bool resumed, uint64_t handles);

  std::size_t open_calls() const;

  // {"id","name","response":{"error":"No response from the application within N s."}}
  protocol::FunctionResponse timeout_response(const Call& call) const;
  std::chrono::milliseconds timeout() const { return timeout_; }

  static const char* verdict_name(Verdict verdict);

 private:
  struct Open {
    std::string name;
    std::optional<Clock::time_point> deadline;
    uint64_t handles = 0;  // resumable handles before the call
  };
  static constexpr std::size_t kClosedKept = 1024;  // closed ids remembered (a long session issues many)

  void close_locked(const std::string& id, Verdict why);

  const std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  std::map<std::string, Open> open_;
  std::map<std::string, Verdict> closed_;
  std::deque<std::string> closed_order_;  // oldest first, for the bound
};

// "60" or "1.5": seconds as tool-timeout texts show them.
std::string seconds_text(std::chrono::milliseconds duration);

}  // namespace geminilive::session
