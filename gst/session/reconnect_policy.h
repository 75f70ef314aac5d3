// SPDX-License-Identifier: LGPL-2.1-or-later
// Whether and when a session reconnects after a dropped connection: at once
// the first time, then after a delay doubling up to a maximum, for at most
// so many attempts in a row; a connection that stays up for stable_after
// starts the count over; and how long the outage lasted. Only the
// bookkeeping: the session runs the timers (session_timers.h).
// The session's loop thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "session/session_config.h"

namespace geminilive::session {

class ReconnectPolicy {
 public:
  explicit ReconnectPolicy(const SessionConfig& config);

  // Whether a drop may be followed by a reconnection at all: resumption is
  // on and attempts are allowed.
  bool enabled() const { return resumption_ && max_attempts_ > 0; }

  struct Attempt {
    unsigned number = 0;  // 1 for the first after a drop
    std::chrono::milliseconds delay{0};
  };
  // Counts the next attempt after a drop; nothing when the attempts in a row
  // are used up (the session fails).
  std::optional<Attempt> next();
  // Attempts in a row so far.
  unsigned attempts() const { return attempts_; }
  // " (gave up after 3 reconnection attempts)", for the error that ends the session.
  std::string gave_up() const;

  // How long a new connection must stay up before stable() is called.
  std::chrono::milliseconds stable_after() const { return stable_after_; }
  // A connection lasted: the next drop starts over at once.
  void stable() { attempts_ = 0; }

  // An outage began (the session holds input until a new connection is
  // ready); outage() is the time since.
  void outage_began() { outage_started_ = std::chrono::steady_clock::now(); }
  std::chrono::milliseconds outage() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - outage_started_);
  }

  // The wait before attempt `number`: none for the first, then the delay,
  // doubling up to the maximum.
  std::chrono::milliseconds delay_before(unsigned number) const;

 private:
  const bool resumption_;
  const unsigned max_attempts_;
  const std::chrono::milliseconds delay_;
  const std::chrono::milliseconds max_delay_;
  const std::chrono::milliseconds stable_after_;
  unsigned attempts_ = 0;
  std::chrono::steady_clock::time_point outage_started_;
};

}  // namespace geminilive::session
