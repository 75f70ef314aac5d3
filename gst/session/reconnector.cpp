// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/reconnector.h"

#include <gst/gst.h>

#include <optional>
#include <utility>

#include "session/close_errors.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

using transport::CloseInfo;
using transport::WebSocketClient;
using Timer = SessionTimers::Timer;
using Wait = SessionTimers::Wait;

void Reconnector::dropped(const CloseInfo& info) {
  const SessionState state = host_.state();
  if (!policy_.enabled() || close_is_final(info, conns_.go_away) ||
      (state == SessionState::Connecting && info.kind == CloseInfo::Kind::ConnectFailed)) {
    host_.fail(host_.close_error(info));
    return;
  }
  if (conns_.next.client) {
    // The goAway switch is under way: its connection carries the session.
    promote_next();
    return;
  }
  reconnect_after(info);
}

// This attempt is over: its client goes now, so that its own connect
// timeout, due about now, is not counted as another.
void Reconnector::setup_timed_out() {
  std::shared_ptr<WebSocketClient> stuck = out_.set_client(nullptr);
  conns_.current = Link{};
  if (stuck) stuck->close(1000);
  host_.retire(std::move(stuck));
  CloseInfo info;
  info.kind = CloseInfo::Kind::Dropped;
  info.code = 1006;
  info.reason = "no setupComplete within " + format_seconds(config_.connect_timeout);
  reconnect_after(info);
}

void Reconnector::resumed() {
  Resumption r;
  r.attempts = policy_.attempts();
  r.resumed = conns_.current.resumes;
  r.outage = policy_.outage();
  host_.notify([&](SessionObserver& o) { o.on_resumed(r); });
  // A connection that lasts is a success: the next drop starts over.
  host_.after(Timer::Stable, policy_.stable_after(), [this] { policy_.stable(); });
}

// The current connection ended before the switch: the next one, still
// setting up, carries the session from here, input held meanwhile.
void Reconnector::promote_next() {
  host_.cancel(Timer::Switch);
  conns_.current = std::exchange(conns_.next, Link{});  // its facts as opened() set them, if its setup went out
  host_.retire(out_.set_client(std::move(conns_.current.client)));
  conns_.new_current();
  enter_reconnecting();
  host_.arm(Wait::Setup);
}

// From here until a new connection's setupComplete, input is held. A
// further failed attempt leaves the outage's start as it was.
void Reconnector::enter_reconnecting() {
  if (host_.state() == SessionState::Reconnecting) return;
  out_.hold();
  policy_.outage_began();
  host_.disarm();
  cut_reply();
  host_.set_state(SessionState::Reconnecting);
}

// A drop: hold input, wait (reconnect_policy.h), reconnect.
void Reconnector::reconnect_after(const CloseInfo& info) {
  const std::optional<ReconnectPolicy::Attempt> attempt = policy_.next();
  if (!attempt) {
    SessionError error = host_.close_error(info);
    error.message += policy_.gave_up();
    host_.fail(error);
    return;
  }
  host_.cancel(Timer::Stable);
  host_.disarm();  // a setup deadline of the attempt that failed
  enter_reconnecting();
  if (host_.torn_down()) return;
  Reconnection r;
  r.cause = Reconnection::Cause::Dropped;
  r.attempt = attempt->number;
  r.delay = attempt->delay;
  r.close_code = info.code;
  r.reason = info.reason.empty() ? describe_close(info) : info.reason;
  r.resuming = !conns_.handle().empty();
  GST_WARNING("connection lost (%s); reconnecting in %" G_GINT64_FORMAT " ms, attempt %u", describe_close(info).c_str(),
              static_cast<gint64>(r.delay.count()), attempt->number);
  host_.notify([&](SessionObserver& o) { o.on_reconnecting(r); });
  if (host_.torn_down()) return;
  host_.after(Timer::Reconnect, r.delay, [this] {
    if (host_.torn_down() || host_.state() != SessionState::Reconnecting) return;
    host_.open_connection(false);
    host_.arm(Wait::Setup);
  });
}

// A reply under way on a lost connection does not come back.
void Reconnector::cut_reply() {
  if (!turns_.under_way()) return;
  turns_.cut();
  host_.warn("the model's reply was cut off when the connection ended");
}

}  // namespace geminilive::session
