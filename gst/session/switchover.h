// SPDX-License-Identifier: LGPL-2.1-or-later
// A session moving to a new connection while the current one still works:
// after a goAway (resuming there before the service ends this one), or for a
// context change without contextUpdate (the new connection's setup carries
// it). It opens the next connection, holds input for it from its setup on,
// and makes it the current one at its setupComplete; the old one drains the
// rest of a reply. When the next connection fails, the session stays on the
// current one. It also reports when a context change is in effect. The
// session's loop thread only.
#pragma once

#include <cstdint>
#include <string>

#include "session/carryover.h"
#include "session/connections.h"
#include "session/outbox.h"
#include "session/session_config.h"
#include "session/session_host.h"
#include "session/session_setup.h"
#include "session/turn_tracker.h"

namespace geminilive::session {

class Switchover {
 public:
  Switchover(SessionHost& host, const SessionConfig& config, Connections& conns, Outbox& out, const SessionSetup& setup,
             const TurnTracker& turns, Carryover& carryover)
      : host_(host), config_(config), conns_(conns), out_(out), setup_(setup), turns_(turns), carryover_(carryover) {}

  // Starts a switch if one is wanted (a goAway, a context change not in the
  // current connection's setup) and the session is Ready; at a handle that
  // holds the whole session, else at the next one.
  void begin();
  // The next connection's setupComplete: it carries the session from here.
  void complete();
  // The next connection ended before its setupComplete.
  void next_closed(const transport::CloseInfo& info);
  // A draining connection delivered its turn's end (`close`) or ended.
  void end_draining(uint64_t generation, bool close);
  // The current connection is Ready: a context change its setup carries is
  // in effect (reported once per version).
  void report_context(bool reconnected);

 private:
  bool context_stale() const;
  void stay_on_current(const std::string& what, const std::string& why);

  SessionHost& host_;
  const SessionConfig& config_;
  Connections& conns_;
  Outbox& out_;
  const SessionSetup& setup_;
  const TurnTracker& turns_;
  Carryover& carryover_;
  uint64_t reported_version_ = 0;  // the last reported by on_context_changed (without contextUpdate)
  uint64_t context_given_up_ = 0;  // a version whose switch failed
};

}  // namespace geminilive::session
