// SPDX-License-Identifier: LGPL-2.1-or-later
// SessionCore's any-thread entry points, the step to Ready, the phase
// deadline, teardown and what it does as its parts' host; session_core.h
// says what it is.
#include "session/session_core.h"

#include <gst/gst.h>

#include <string_view>
#include <utility>

#include "session/close_errors.h"
#include "session/endpoint.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

using transport::WebSocketClient;

SessionCore::SessionCore(SessionConfig config, std::shared_ptr<SessionObserver> observer,
                         std::shared_ptr<SessionLoop> loop)
    : config_(std::move(config)),
      owner_(std::move(loop)),
      loop_(owner_->thread()),
      setup_(config_),
      out_(held_limits(config_), config_.resumption,
           [this] { post([](SessionCore& s) { s.emit([](SessionObserver& o) { o.on_context_changed({}); }); }); }),
      carryover_(config_, conns_, [this] { post([](SessionCore& s) { s.warn(Carryover::overflow_warning()); }); }),
      tools_(*this, config_.tool_timeout),
      timers_(config_, loop_->context()),
      finisher_(*this, config_, out_, turns_),
      reconnector_(*this, config_, conns_, out_, turns_),
      switchover_(*this, config_, conns_, out_, setup_, turns_, carryover_),
      observer_(std::move(observer)) {
  out_.record_into(carryover_.log());
  out_.set_hooks([this] { post([](SessionCore& s) { s.emit([](SessionObserver& o) { o.on_room(); }); }); },
                 [this](std::string text) { post([text](SessionCore& s) { s.warn(text); }); });
}

// ---- any thread ----

// Whether the session took the message (false: it is over, or the text
// is not UTF-8).
bool SessionCore::enqueue(Outbound message, bool latest_frame) {
  // Text from the user (audio and video are base64) that is not UTF-8
  // can't go in a text frame: refused here, it would hold up everything
  // after it. Setup strings are checked in check_config().
  if (message.kind == Outbound::Kind::Other && !is_utf8(message.json)) {
    post([](SessionCore& s) { s.warn("dropped a message whose text is not UTF-8"); });
    return false;
  }
  // Known before it can go out: a reply can't come before it.
  if (message.ends_input) turns_.input_ended({*message.ends_input, g_get_monotonic_time()});
  const Outbox::Taken taken = out_.take(std::move(message), latest_frame);
  if (taken.first_drop) post([](SessionCore& s) { s.report_dropped(); });
  return taken.accepted;
}

// The stored setup takes the change at once (every later connection
// carries it); then a contextUpdate in order with the input, or a switch
// to a new connection.
void SessionCore::update_context(const ContextChange& change) {
  setup_.change(change);
  if (config_.context_update)
    enqueue(Outbound::encode(context_update_for(change)), false);
  else
    post([](SessionCore& s) { s.switchover_.begin(); });
}

bool SessionCore::respond(protocol::FunctionResponse response) {
  if (!tools_.respond(response)) return false;
  return enqueue(Outbound::encode(protocol::ToolResponse{{std::move(response)}}), false);
}

// audioStreamEnd goes out from the loop, once the session is Finishing: a
// reply to it that comes at once (in the loop's next dispatch, before a
// task posted after the send) is then the reply the end of input waits for,
// not one that came before it.
void SessionCore::end_input(bool audio_stream_end) {
  if (end_input_called_.exchange(true)) return;
  if (!audio_stream_end) turns_.input_ended({SpeechEndSource::InputEnd, g_get_monotonic_time()});
  post([audio_stream_end](SessionCore& s) {
    s.finisher_.input_ended(audio_stream_end);
    if (!audio_stream_end) return;
    protocol::RealtimeInput end;
    end.audio_stream_end = true;
    s.enqueue(Outbound::encode(end), false);
  });
}

// ---- loop thread ----

void SessionCore::become_ready() {
  disarm();
  const bool reconnected = state_ == SessionState::Reconnecting;
  out_.release(carryover_.history(conns_.current), nullptr, reconnected, carryover_.replay_onto(conns_.current));
  set_state(SessionState::Ready);
  if (reconnected) reconnector_.resumed();
  report_dropped();
  switchover_.report_context(reconnected);
  finisher_.ready();
  switchover_.begin();  // a context change made after this connection's setup went out
}

void SessionCore::deadline_passed() {
  const Wait what = timers_.end();
  if (what != Wait::Setup)
    finisher_.deadline_passed(what);
  else if (state_ == SessionState::Reconnecting)
    reconnector_.setup_timed_out();
  else
    fail(setup_timeout_error(config_.connect_timeout, session_endpoint(config_).uri));
}

void SessionCore::teardown() {
  if (torn_down_) return;
  timers_.cancel_all();
  if (auto c = std::exchange(conns_.next, Link{}).client) c->close(1000);
  for (auto& link : conns_.take_draining()) link.client->close(1000);
  if (!is_terminal(state_)) {
    out_.stop();
    set_state(SessionState::Closed);
  }
  torn_down_ = true;
  observer_.reset();
  std::shared_ptr<WebSocketClient> client = out_.stop(true);
  if (client) client->close(1000);
  retire(std::move(client));
}

void SessionCore::report_dropped() {
  const Dropped dropped = out_.take_dropped();
  if (!dropped.any()) return;
  warn("dropped the oldest " + format_seconds(dropped.audio) + " of audio (" + std::to_string(dropped.bytes) +
       " bytes) held while waiting for the service's setupComplete (at most " +
       format_seconds(held_limits(config_).audio) + " is held)");
}

void SessionCore::observer_threw(const char* what) {
  if (what)
    GST_ERROR("session observer threw: %s", what);
  else
    GST_ERROR("session observer threw");
}

// ---- SessionHost ----

void SessionCore::set_state(SessionState s) {
  if (state_ == s) return;
  GST_INFO("state %s -> %s", session_state_name(state_), session_state_name(s));
  state_ = s;
  emit([s](SessionObserver& o) { o.on_state(s); });
}

void SessionCore::warn(const std::string& text) {
  GST_INFO("warning: %s", text.c_str());
  emit([&](SessionObserver& o) { o.on_warning(text); });
}

SessionError SessionCore::close_error(const transport::CloseInfo& info) const { return error_for_close(info, config_); }

void SessionCore::arm(Wait what) {
  timers_.arm(what, held([this] { deadline_passed(); }));
}

// A client must not be destroyed inside its own listener call (an
// observer may drop the session there, a reconnection replaces the client
// there): then it goes in a task of its own. Otherwise it goes now.
void SessionCore::retire(std::shared_ptr<WebSocketClient> client) {
  if (client && in_callback_ > 0) loop_->post([client] {});
}

}  // namespace geminilive::session
