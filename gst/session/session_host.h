// SPDX-License-Identifier: LGPL-2.1-or-later
// What the parts of a session's state machine (finisher.h, reconnector.h,
// switchover.h, tool_call_watch.h) ask of the session that holds them
// (SessionCore): its state, its observer, its timers, and the few steps that
// belong to the whole session. The parts never hold the session itself, so
// each is read, and changed, with only this and the units it is given. The
// session's loop thread only. Internal to gst/session.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "session/held_messages.h"
#include "session/session_events.h"
#include "session/session_timers.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

// Finished, Closed or Failed: nothing more is sent or reported.
inline bool is_terminal(SessionState s) {
  return s == SessionState::Finished || s == SessionState::Closed || s == SessionState::Failed;
}

class SessionHost {
 public:
  virtual SessionState state() const = 0;
  // The session was stopped: its observer is gone and nothing more happens.
  virtual bool torn_down() const = 0;
  // Reports the new state to the observer.
  virtual void set_state(SessionState state) = 0;

  // Calls the observer (if it is still there); what it throws is logged.
  virtual void notify(const std::function<void(SessionObserver&)>& call) = 0;
  virtual void warn(const std::string& text) = 0;

  // A one-shot timer whose callback holds the session for its run; stop()
  // cancels it.
  virtual void after(SessionTimers::Timer timer, std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  virtual void cancel(SessionTimers::Timer timer) = 0;
  // The phase deadline: the session handles its passing.
  virtual void arm(SessionTimers::Wait what) = 0;
  virtual void disarm() = 0;

  // Opens a connection: the current one (it replaces the client input goes
  // to) or, with `handover`, the next one of a switch. Returns its generation.
  virtual uint64_t open_connection(bool handover) = 0;
  // Lets a client go without destroying it inside its own listener call.
  virtual void retire(std::shared_ptr<transport::WebSocketClient> client) = 0;
  // Sends a message like any input.
  virtual void send(Outbound message) = 0;
  // The error for a connection that ended while the session still needed it
  // (close_errors.h), naming the session's endpoint.
  virtual SessionError close_error(const transport::CloseInfo& info) const = 0;
  // Ends the session with `error` (Failed).
  virtual void fail(const SessionError& error) = 0;

 protected:
  ~SessionHost() = default;
};

}  // namespace geminilive::session
