// SPDX-License-Identifier: LGPL-2.1-or-later
// Every timer of a session, in one place: the phase deadline (what the
// current phase waits for: a connection's setupComplete, the start of a
// reply after the input ended, the end of the model's turn) and the four
// one-shot timers around it (the delay before a reconnection, the bound on
// a switch's next connection, the wait before a connection counts as
// stable, the next tool-call deadline). Each runs on the session's loop
// context; starting one replaces its pending callback, and destroying the
// helper (or cancel_all()) removes them all, so nothing fires into a session
// that is gone. The session's loop thread only; what a timer means is the
// session's business.
#pragma once

#include <glib.h>

#include <array>
#include <chrono>
#include <functional>

#include "session/session_config.h"
#include "transport/source_timer.h"

namespace geminilive::session {

class SessionTimers {
 public:
  enum class Timer { Reconnect, Switch, Stable, Tool };
  enum class Wait { None, Setup, ReplyStart, TurnEnd };

  // The phase timeouts come from `config`: connect_timeout (one bound for
  // connect and setup together; 0: none), reply_start_timeout,
  // turn_end_timeout. Every callback runs on `context`.
  SessionTimers(const SessionConfig& config, GMainContext* context);

  // ---- the four one-shot timers ----
  // Runs `fn` after `delay` (0: at the next iteration), replacing a pending one.
  void start(Timer which, std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel(Timer which);

  // ---- the phase deadline: one wait at a time ----
  // Starts waiting for `what` (not None), replacing any wait: `passed` runs
  // at its timeout. A Setup wait without a bound arms nothing.
  void arm(Wait what, std::function<void()> passed);
  void disarm();
  // Ends the wait (the deadline passed) and returns what it was for; None
  // when it was disarmed meanwhile.
  Wait end();
  Wait waiting_for() const { return waiting_for_; }
  std::chrono::milliseconds timeout(Wait what) const;

  // The phase deadline and every timer.
  void cancel_all();

 private:
  GMainContext* const context_;
  const std::chrono::milliseconds setup_;
  const std::chrono::milliseconds reply_start_;
  const std::chrono::milliseconds turn_end_;
  Wait waiting_for_ = Wait::None;
  transport::SourceTimer phase_;
  std::array<transport::SourceTimer, 4> timers_;
};

}  // namespace geminilive::session
