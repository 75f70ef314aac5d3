// SPDX-License-Identifier: LGPL-2.1-or-later
// The session's one deadline: what its current phase waits for (a
// connection's setupComplete, the start of a reply after the input ended,
// the end of the model's turn), for how long, and the timer. The phases
// never overlap, so arming one replaces any other. The session's loop
// thread only; what a passed deadline means is the session's business.
#pragma once

#include <glib.h>

#include <chrono>
#include <functional>

#include "session/session_config.h"
#include "transport/source_timer.h"

namespace geminilive::session {

class PhaseDeadline {
 public:
  enum class Wait { None, Setup, ReplyStart, TurnEnd };

  // The timeouts: connect_timeout (one bound for connect and setup
  // together; 0: none), reply_start_timeout, turn_end_timeout.
  explicit PhaseDeadline(const SessionConfig& config);

  // Starts waiting for `what` (not None), replacing any wait: `passed` runs
  // on `context` at its timeout. A Setup wait without a bound arms nothing.
  void arm(Wait what, GMainContext* context, std::function<void()> passed);
  void disarm();
  // Ends the wait (the deadline passed) and returns what it was for; None
  // when it was disarmed meanwhile.
  Wait end();
  Wait waiting_for() const { return waiting_for_; }

  std::chrono::milliseconds timeout(Wait what) const;

 private:
  const std::chrono::milliseconds setup_;
  const std::chrono::milliseconds reply_start_;
  const std::chrono::milliseconds turn_end_;
  Wait waiting_for_ = Wait::None;
  transport::SourceTimer timer_;
};

}  // namespace geminilive::session
