// SPDX-License-Identifier: LGPL-2.1-or-later
// SessionCore moving to another connection: the switch a goAway or a context
// change (without contextUpdate) asks for, made while the current connection
// still works, and the reconnection after a drop.
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "session/close_errors.h"
#include "session/session_core.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

using transport::CloseInfo;
using transport::WebSocketClient;

// A new connection is wanted: after a goAway (resuming), or for a context
// change without contextUpdate (its setup carries the change). Open it now,
// resume there, and switch when it is set up; input goes to the current one
// until the next one's setup is sent, then waits for it. Each message goes
// to exactly one of them. Not mid-answer: a handle from before the reply
// would resume a session without it, so then it waits for the next handle.
void SessionCore::begin_switch() {
  if (conns_.next.client || state_ != SessionState::Ready) return;
  const bool go_away = conns_.go_away && config_.resumption;
  const bool context = context_stale();
  if (!go_away && !context) return;
  const bool resumable = config_.resumption && !conns_.handle().empty();
  if ((go_away && !resumable) || (resumable && !conns_.handle_current())) {
    conns_.switch_wanted = true;
    GST_INFO("%s while the session is not resumable: switching at the next handle",
             go_away ? "goAway" : "context change");
    return;
  }
  conns_.switch_wanted = false;
  if (go_away) {
    Reconnection r;
    r.cause = Reconnection::Cause::GoAway;
    r.reason = "the service ends this connection soon (goAway)";
    r.resuming = true;
    emit([&](SessionObserver& o) { o.on_reconnecting(r); });
    if (torn_down_) return;
  }
  if (!resumable)
    emit_warning(
        std::string("The new system instruction or tools need a new connection, and ") +
        (config_.resumption ? "the service has not given a resumption handle yet" : "session resumption is off") +
        ": the model starts a fresh conversation there and forgets what was said so far.");
  open_connection(true);
  if (config_.connect_timeout.count() > 0)
    after(Timer::Switch, config_.connect_timeout, [this] {
      if (!conns_.next.client) return;
      GST_INFO("the next connection did not complete its setup in time");
      stay_on_current("the next connection did not complete its setup",
                      "within " + format_seconds(config_.connect_timeout));
    });
}

// A context change is not in the current connection's setup yet (and no
// switch for it failed).
bool SessionCore::context_stale() const {
  const uint64_t version = setup_.version();
  return !config_.context_update && conns_.current.version < version && version != context_given_up_;
}

// The change in the current connection's setup is in effect (it is Ready):
// reported once per version. A contextUpdate is reported when it is sent.
void SessionCore::report_context(bool reconnected) {
  if (config_.context_update || conns_.current.version <= reported_version_) return;
  reported_version_ = conns_.current.version;
  emit([&](SessionObserver& o) { o.on_context_changed(ContextApplied{reconnected, conns_.current.resumes}); });
}

// The next connection is set up: from here on input goes there. The old
// one stays only to deliver the rest of a reply under way.
void SessionCore::complete_switch() {
  timers_.cancel(Timer::Switch);
  if (state_ != SessionState::Ready && state_ != SessionState::Finishing) return;
  const bool go_away = conns_.next.go_away;
  const uint64_t old_generation = conns_.current.generation;
  conns_.current = std::exchange(conns_.next, Link{});
  std::deque<Outbound> replayed = replay_onto(conns_.current);
  std::shared_ptr<WebSocketClient> old =
      out_.release(history(), std::move(conns_.current.client), true, std::move(replayed));
  conns_.new_current();
  GST_INFO("switched to the next connection");
  // The old connection answers what was sent on it (or finishes the reply
  // under way) before it goes; the service's deadline bounds the wait.
  if (turns_.under_way() || out_.unanswered()) {
    conns_.drain(Link{old_generation, std::move(old)});
  } else {
    old->close(1000);
    retire(std::move(old));
  }
  if (go_away) {
    Resumption r;
    r.cause = Reconnection::Cause::GoAway;
    r.resumed = conns_.current.resumes;
    emit([&](SessionObserver& o) { o.on_resumed(r); });
  }
  report_context(true);
  begin_switch();  // a context change made after this connection's setup went out
}

void SessionCore::end_draining(uint64_t generation, bool close) {
  std::shared_ptr<WebSocketClient> client = conns_.end_draining(generation);
  if (!client) return;
  if (close) client->close(1000);
  retire(std::move(client));
}

// A connection that does not resume starts with the history (one
// clientContent), before any held input.
const Outbound* SessionCore::history() const {
  return conns_.current.resumes || config_.history.empty() ? nullptr : &history_;
}

// The switch failed: the input held for the next connection goes to the
// current one, which still works (until its deadline after a goAway). A
// context change it carried is not tried again until the next change or
// reconnection.
void SessionCore::stay_on_current(const std::string& what, const std::string& why) {
  Link next = std::exchange(conns_.next, Link{});
  retire(std::move(next.client));
  if (next.version > conns_.current.version) context_given_up_ = next.version;
  if (state_ == SessionState::Ready || state_ == SessionState::Finishing) out_.release(nullptr);
  if (next.go_away)
    emit_warning(what + " after goAway (" + why + "); the session reconnects when the current one ends");
  else
    emit_warning(what + " for the new system instruction or tools (" + why +
                 "); the session keeps the old ones until it connects again");
}

// The current connection ended before the switch: the next one, still
// setting up, carries the session from here, input held meanwhile.
void SessionCore::promote_next() {
  timers_.cancel(Timer::Switch);
  conns_.current = std::exchange(conns_.next, Link{});  // its facts as opened() set them, if its setup went out
  retire(out_.set_client(std::move(conns_.current.client)));
  conns_.new_current();
  enter_reconnecting();
  arm(Wait::Setup);
}

// From here until a new connection's setupComplete, input is held. A
// further failed attempt leaves the outage's start as it was.
void SessionCore::enter_reconnecting() {
  if (state_ == SessionState::Reconnecting) return;
  out_.hold();
  reconnect_.outage_began();
  disarm();
  cut_reply();
  set_state(SessionState::Reconnecting);
}

// A drop: hold input, wait (reconnect_policy.h), reconnect.
void SessionCore::reconnect_after(const CloseInfo& info) {
  const std::optional<ReconnectPolicy::Attempt> attempt = reconnect_.next();
  if (!attempt) {
    SessionError error = error_for_close(info, config_);
    error.message += reconnect_.gave_up();
    fail(error);
    return;
  }
  timers_.cancel(Timer::Stable);
  disarm();  // a setup deadline of the attempt that failed
  enter_reconnecting();
  if (torn_down_) return;
  Reconnection r;
  r.cause = Reconnection::Cause::Dropped;
  r.attempt = attempt->number;
  r.delay = attempt->delay;
  r.close_code = info.code;
  r.reason = info.reason.empty() ? describe_close(info) : info.reason;
  r.resuming = !conns_.handle().empty();
  GST_WARNING("connection lost (%s); reconnecting in %" G_GINT64_FORMAT " ms, attempt %u", describe_close(info).c_str(),
              static_cast<gint64>(r.delay.count()), attempt->number);
  emit([&](SessionObserver& o) { o.on_reconnecting(r); });
  if (torn_down_) return;
  after(Timer::Reconnect, r.delay, [this] {
    if (torn_down_ || state_ != SessionState::Reconnecting) return;
    open_connection(false);
    arm(Wait::Setup);
  });
}

// A reply under way on a lost connection does not come back.
void SessionCore::cut_reply() {
  if (!turns_.under_way()) return;
  turns_ = TurnTracker();
  emit_warning("the model's reply was cut off when the connection ended");
}

}  // namespace geminilive::session
