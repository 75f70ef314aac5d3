// SPDX-License-Identifier: LGPL-2.1-or-later
// How a session ends: the input ends (end_input()), then it waits for the
// model's answer (the start of a reply within reply_start_timeout, the end
// of the model's turn within turn_end_timeout) and moves to Finished; or an
// error ends it (Failed). Either way no more input goes out and the
// connection is closed. The session's loop thread only.
#pragma once

#include "session/outbox.h"
#include "session/session_config.h"
#include "session/session_host.h"
#include "session/turn_tracker.h"

namespace geminilive::session {

class Finisher {
 public:
  Finisher(SessionHost& host, const SessionConfig& config, Outbox& out, const TurnTracker& turns)
      : host_(host), config_(config), out_(out), turns_(turns) {}

  // end_input(): Finishing once the session is Ready (at once, or when
  // ready() is called).
  void input_ended(bool audio_stream_end);
  // The session is Ready: the held input went out first.
  void ready();
  // While Finishing: a message's effect on the model's turn.
  void after_turn_events(const TurnEvents& turn);
  // While Finishing: the current connection ended.
  void connection_ended(const transport::CloseInfo& info);
  // The phase deadline for the reply's start or the turn's end passed.
  void deadline_passed(SessionTimers::Wait what);

  void finish();
  void fail(const SessionError& error);

 private:
  void enter_finishing();
  void close_connection();

  SessionHost& host_;
  const SessionConfig& config_;
  Outbox& out_;
  const TurnTracker& turns_;
  bool input_ended_ = false;
  bool audio_stream_ended_ = false;  // end_input() sent audioStreamEnd
};

}  // namespace geminilive::session
