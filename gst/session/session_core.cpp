// SPDX-License-Identifier: LGPL-2.1-or-later
// SessionCore's any-thread entry points, its phases (Ready, Finishing, the
// ends) and its helpers; session_core.h says what it is.
#include "session/session_core.h"

#include <gst/gst.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "session/close_errors.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

using std::chrono::milliseconds;
using transport::CloseInfo;
using transport::WebSocketClient;

SessionCore::SessionCore(SessionConfig config, std::shared_ptr<SessionObserver> observer,
                         std::shared_ptr<SessionLoop> loop)
    : config_(std::move(config)),
      owner_(std::move(loop)),
      loop_(owner_->thread()),
      setup_(config_),
      calls_(config_.tool_timeout),
      out_(held_limits(config_), config_.resumption,
           [this] { post([](SessionCore& s) { s.emit([](SessionObserver& o) { o.on_context_changed({}); }); }); }),
      replay_(config_.resumption && config_.transparent_resumption
                  ? std::make_unique<ReplayLog>(kMaxReplayBytes,
                                                [this] { post([](SessionCore& s) { s.replay_overflowed(); }); })
                  : nullptr),
      history_(config_.history.empty() ? Outbound{} : history_message(config_.history)),
      observer_(std::move(observer)),
      reconnect_(config_),
      timers_(config_, loop_->context()) {
  out_.record_into(replay_.get());
}

// ---- any thread ----

// Whether the session took the message (false: it is over, or the text
// is not UTF-8).
bool SessionCore::enqueue(Outbound message, bool latest_frame) {
  // Text from the user (audio and video are base64) that is not UTF-8
  // can't go in a text frame: refused here, it would hold up everything
  // after it. Setup strings are checked in check_config().
  if (message.kind == Outbound::Kind::Other && !is_utf8(message.json)) {
    post([](SessionCore& s) { s.emit_warning("dropped a message whose text is not UTF-8"); });
    return false;
  }
  const Outbox::Taken taken = out_.take(std::move(message), latest_frame);
  if (taken.first_drop) post([](SessionCore& s) { s.report_dropped(); });
  return taken.accepted;
}

// The stored setup takes the change at once (every later connection
// carries it); then a contextUpdate in order with the input, or a switch
// to a new connection (context_changed() on the loop).
void SessionCore::update_context(const ContextChange& change) {
  setup_.change(change);
  if (config_.context_update)
    enqueue(Outbound::encode(context_update_for(change)), false);
  else
    post([](SessionCore& s) { s.begin_switch(); });
}

bool SessionCore::respond(protocol::FunctionResponse response) {
  const ToolCalls::Verdict verdict = calls_.respond(response);
  if (verdict != ToolCalls::Verdict::Send) {
    GST_DEBUG("dropping the response to tool call %s (%s): the call was %s", response.id.c_str(), response.name.c_str(),
              ToolCalls::verdict_name(verdict));
    return false;
  }
  return enqueue(Outbound::encode(protocol::ToolResponse{{std::move(response)}}), false);
}

void SessionCore::end_input(bool audio_stream_end) {
  if (end_input_called_.exchange(true)) return;
  if (audio_stream_end) {
    protocol::RealtimeInput end;
    end.audio_stream_end = true;
    enqueue(Outbound::encode(end), false);
  }
  post([audio_stream_end](SessionCore& s) { s.input_ended(audio_stream_end); });
}

// ---- loop thread: the session's phases ----

void SessionCore::become_ready() {
  disarm();
  const bool reconnected = state_ == SessionState::Reconnecting;
  out_.release(history(), nullptr, reconnected, replay_onto(conns_.current));
  set_state(SessionState::Ready);
  if (reconnected) {
    Resumption r;
    r.attempts = reconnect_.attempts();
    r.resumed = conns_.current.resumes;
    r.outage = reconnect_.outage();
    emit([&](SessionObserver& o) { o.on_resumed(r); });
    // A connection that lasts is a success: the next drop starts over.
    after(Timer::Stable, reconnect_.stable_after(), [this] { reconnect_.stable(); });
  }
  report_dropped();
  report_context(reconnected);
  if (input_ended_ && state_ == SessionState::Ready) enter_finishing();
  begin_switch();  // a context change made after this connection's setup went out
}

void SessionCore::input_ended(bool audio_stream_end) {
  if (torn_down_ || input_ended_ || is_terminal(state_)) return;
  input_ended_ = true;
  audio_stream_ended_ = audio_stream_end;
  // Before Ready, become_ready() sends the held input first, then finishes.
  if (state_ == SessionState::Ready) enter_finishing();
}

// The model may still answer the last input (the audio stream's end, a
// text sent since the last turnComplete), so "no reply under way" is not
// "done": then wait reply_start_timeout for one. Without audio, when every
// input was answered, nothing more is coming.
void SessionCore::enter_finishing() {
  set_state(SessionState::Finishing);
  if (torn_down_) return;
  if (turns_.under_way()) {
    arm(Wait::TurnEnd);
  } else if (audio_stream_ended_ || out_.unanswered()) {
    arm(Wait::ReplyStart);
  } else {
    GST_INFO("the input ended with every input answered");
    finish();
  }
}

void SessionCore::after_turn_events(const TurnEvents& turn) {
  if (turn.turn_complete) {
    // An interrupted turn ends because the user's input cut in: the reply
    // to that input is still to come.
    if (turn.interrupted)
      arm(Wait::ReplyStart);
    else
      finish();
    return;
  }
  if (turn.reply_started) arm(Wait::TurnEnd);
}

void SessionCore::finish() {
  if (is_terminal(state_)) return;
  disarm();
  out_.stop();
  set_state(SessionState::Finished);
  close_connection();
}

void SessionCore::fail(const SessionError& error) {
  if (is_terminal(state_)) return;
  disarm();
  out_.stop();
  GST_WARNING("session failed: %s", error.message.c_str());
  emit([&](SessionObserver& o) { o.on_error(error); });
  set_state(SessionState::Failed);
  close_connection();
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

// ---- loop thread: helpers ----

void SessionCore::set_state(SessionState s) {
  if (state_ == s) return;
  GST_INFO("state %s -> %s", session_state_name(state_), session_state_name(s));
  state_ = s;
  emit([s](SessionObserver& o) { o.on_state(s); });
}

void SessionCore::emit_warning(const std::string& text) {
  GST_INFO("warning: %s", text.c_str());
  emit([&](SessionObserver& o) { o.on_warning(text); });
}

void SessionCore::observer_threw(const char* what) {
  if (what)
    GST_ERROR("session observer threw: %s", what);
  else
    GST_ERROR("session observer threw");
}

void SessionCore::replay_overflowed() {
  emit_warning("Transparent resumption: more than " + std::to_string(kMaxReplayBytes / (1024 * 1024)) +
               " MiB of input was not yet confirmed by the service; the oldest was dropped from the replay log, so a "
               "reconnection now could lose it.");
}

void SessionCore::report_dropped() {
  const Dropped dropped = out_.take_dropped();
  if (!dropped.any()) return;
  emit_warning("dropped the oldest " + format_seconds(dropped.audio) + " of audio (" + std::to_string(dropped.bytes) +
               " bytes) held while waiting for the service's setupComplete (at most " +
               format_seconds(held_limits(config_).audio) + " is held)");
}

void SessionCore::close_connection() {
  if (auto client = out_.client()) client->close(1000);
}

// A client must not be destroyed inside its own listener call (an
// observer may drop the session there, a reconnection replaces the client
// there): then it goes in a task of its own. Otherwise it goes now.
void SessionCore::retire(std::shared_ptr<WebSocketClient> client) {
  if (client && in_callback_ > 0) loop_->post([client] {});
}

void SessionCore::arm(Wait what) {
  timers_.arm(what, held([this] { deadline_passed(); }));
}

void SessionCore::disarm() { timers_.disarm(); }

void SessionCore::deadline_passed() {
  switch (timers_.end()) {
    case Wait::Setup:
      if (state_ == SessionState::Reconnecting) {
        // This attempt is over: its client goes now, so that its own
        // connect timeout, due about now, is not counted as another.
        std::shared_ptr<WebSocketClient> stuck = out_.set_client(nullptr);
        conns_.current = Link{};
        if (stuck) stuck->close(1000);
        retire(std::move(stuck));
        CloseInfo info;
        info.kind = CloseInfo::Kind::Dropped;
        info.code = 1006;
        info.reason = "no setupComplete within " + format_seconds(config_.connect_timeout);
        reconnect_after(info);
      } else {
        fail(setup_timeout_error(config_.connect_timeout, config_.uri));
      }
      break;
    case Wait::ReplyStart:
      GST_INFO("no reply started within %s of the end of input", format_seconds(config_.reply_start_timeout).c_str());
      finish();
      break;
    case Wait::TurnEnd:
      emit_warning("the wait for the end of the model's turn timed out after " +
                   format_seconds(config_.turn_end_timeout));
      finish();
      break;
    case Wait::None:
      break;
  }
}

}  // namespace geminilive::session
