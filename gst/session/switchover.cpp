// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/switchover.h"

#include <deque>
#include <string>
#include <utility>

#include "session/close_errors.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

using transport::CloseInfo;
using transport::WebSocketClient;
using Timer = SessionTimers::Timer;

// Input goes to the current connection until the next one's setup is sent,
// then waits for it: each message goes to exactly one of them. Not
// mid-answer: a handle from before the reply would resume a session without
// it, so then it waits for the next handle.
void Switchover::begin() {
  if (conns_.next.client || host_.state() != SessionState::Ready) return;
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
    host_.notify([&](SessionObserver& o) { o.on_reconnecting(r); });
    if (host_.torn_down()) return;
  }
  if (!resumable)
    host_.warn(
        std::string("The new system instruction or tools need a new connection, and ") +
        (config_.resumption ? "the service has not given a resumption handle yet" : "session resumption is off") +
        ": the model starts a fresh conversation there and forgets what was said so far.");
  host_.open_connection(true);
  if (config_.connect_timeout.count() > 0)
    host_.after(Timer::Switch, config_.connect_timeout, [this] {
      if (!conns_.next.client) return;
      GST_INFO("the next connection did not complete its setup in time");
      stay_on_current("the next connection did not complete its setup",
                      "within " + format_seconds(config_.connect_timeout));
    });
}

// A context change is not in the current connection's setup yet (and no
// switch for it failed).
bool Switchover::context_stale() const {
  const uint64_t version = setup_.version();
  return !config_.context_update && conns_.current.version < version && version != context_given_up_;
}

// A contextUpdate is reported when it is sent.
void Switchover::report_context(bool reconnected) {
  if (config_.context_update || conns_.current.version <= reported_version_) return;
  reported_version_ = conns_.current.version;
  host_.notify([&](SessionObserver& o) { o.on_context_changed(ContextApplied{reconnected, conns_.current.resumes}); });
}

// From here on input goes to the new connection. The old one stays only to
// deliver the rest of a reply under way.
void Switchover::complete() {
  host_.cancel(Timer::Switch);
  const SessionState state = host_.state();
  if (state != SessionState::Ready && state != SessionState::Finishing) return;
  const bool go_away = conns_.next.go_away;
  const uint64_t old_generation = conns_.current.generation;
  conns_.current = std::exchange(conns_.next, Link{});
  std::deque<Outbound> replayed = carryover_.replay_onto(conns_.current);
  std::shared_ptr<WebSocketClient> old =
      out_.release(carryover_.history(conns_.current), std::move(conns_.current.client), true, std::move(replayed));
  conns_.new_current();
  GST_INFO("switched to the next connection");
  // The old connection answers what was sent on it (or finishes the reply
  // under way) before it goes; the service's deadline bounds the wait.
  if (turns_.under_way() || out_.unanswered()) {
    conns_.drain(Link{old_generation, std::move(old)});
  } else {
    old->close(1000);
    host_.retire(std::move(old));
  }
  if (go_away) {
    Resumption r;
    r.cause = Reconnection::Cause::GoAway;
    r.resumed = conns_.current.resumes;
    host_.notify([&](SessionObserver& o) { o.on_resumed(r); });
  }
  report_context(true);
  begin();  // a context change made after this connection's setup went out
}

void Switchover::next_closed(const CloseInfo& info) {
  if (close_is_final(info, false)) {
    host_.retire(std::exchange(conns_.next, Link{}).client);
    host_.fail(host_.close_error(info));
    return;
  }
  // The current connection still works (until its deadline after a goAway;
  // when it ends, the drop path reconnects).
  GST_INFO("the next connection failed; staying on the current one");
  stay_on_current("could not open the next connection", describe_close(info));
}

void Switchover::end_draining(uint64_t generation, bool close) {
  std::shared_ptr<WebSocketClient> client = conns_.end_draining(generation);
  if (!client) return;
  if (close) client->close(1000);
  host_.retire(std::move(client));
}

// The input held for the next connection goes to the current one, which
// still works (until its deadline after a goAway). A context change it
// carried is not tried again until the next change or reconnection.
void Switchover::stay_on_current(const std::string& what, const std::string& why) {
  Link next = std::exchange(conns_.next, Link{});
  host_.retire(std::move(next.client));
  if (next.version > conns_.current.version) context_given_up_ = next.version;
  const SessionState state = host_.state();
  if (state == SessionState::Ready || state == SessionState::Finishing) out_.release(nullptr);
  if (next.go_away)
    host_.warn(what + " after goAway (" + why + "); the session reconnects when the current one ends");
  else
    host_.warn(what + " for the new system instruction or tools (" + why +
               "); the session keeps the old ones until it connects again");
}

}  // namespace geminilive::session
