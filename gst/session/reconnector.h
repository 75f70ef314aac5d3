// SPDX-License-Identifier: LGPL-2.1-or-later
// A session's way back after its connection drops: it holds the input, waits
// as the reconnect policy says (reconnect_policy.h), opens a new connection
// that resumes at the latest handle, and reports the attempt and, once Ready
// again, the outage; or it fails the session when the drop rules out trying
// again or the attempts are used up. The next connection of a switch, when
// there is one, becomes the new connection at once. The session's loop
// thread only.
#pragma once

#include "session/connections.h"
#include "session/outbox.h"
#include "session/reconnect_policy.h"
#include "session/session_config.h"
#include "session/session_host.h"
#include "session/turn_tracker.h"

namespace geminilive::session {

class Reconnector {
 public:
  Reconnector(SessionHost& host, const SessionConfig& config, Connections& conns, Outbox& out, TurnTracker& turns)
      : host_(host), config_(config), conns_(conns), out_(out), turns_(turns), policy_(config) {}

  // The current connection ended while the session needed it (not Finishing).
  void dropped(const transport::CloseInfo& info);
  // While Reconnecting: an attempt got no setupComplete in time.
  void setup_timed_out();
  // A reconnection is Ready: report it (the outage, the attempts), and count
  // the connection as stable once it lasts.
  void resumed();

 private:
  void promote_next();
  void enter_reconnecting();
  void reconnect_after(const transport::CloseInfo& info);
  void cut_reply();

  SessionHost& host_;
  const SessionConfig& config_;
  Connections& conns_;
  Outbox& out_;
  TurnTracker& turns_;
  ReconnectPolicy policy_;  // attempts in a row after drops, their delays, the outage
};

}  // namespace geminilive::session
