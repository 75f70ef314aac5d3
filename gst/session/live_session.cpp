// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/live_session.h"

#include <gst/gst.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "session/session_core.h"
#include "session/session_debug.h"
#include "session/session_error.h"
#include "session/session_loop.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {
namespace {

using std::chrono::milliseconds;
using transport::CloseInfo;
using transport::WebSocketClient;

bool is_terminal(SessionState s) {
  return s == SessionState::Finished || s == SessionState::Closed || s == SessionState::Failed;
}

uint64_t model_audio_bytes(const protocol::ServerMessage& m) {
  uint64_t bytes = 0;
  if (m.server_content && m.server_content->model_turn)
    for (const auto& part : m.server_content->model_turn->parts)
      if (part.inline_data && part.inline_data->mime_type.rfind("audio/", 0) == 0)
        bytes += part.inline_data->data.size();
  return bytes;
}

}  // namespace

SessionCore::SessionCore(SessionConfig config, std::shared_ptr<SessionObserver> observer,
                         std::shared_ptr<transport::EventLoopThread> loop)
    : config_(std::move(config)),
      loop_(std::move(loop)),
      setup_(config_.setup, config_.resumption),
      calls_(config_.tool_timeout),
      out_(held_limits(config_), config_.resumption,
           [this] { post([](SessionCore& s) { s.emit([](SessionObserver& o) { o.on_context_changed({}); }); }); }),
      history_(config_.history.empty() ? Outbound{} : history_message(config_.history)),
      observer_(std::move(observer)),
      reconnect_(config_),
      deadline_(config_) {
  out_.set_hooks([this] { post([](SessionCore& s) { s.emit([](SessionObserver& o) { o.on_room(); }); }); },
                 [this](std::string text) { post([text](SessionCore& s) { s.emit_warning(text); }); });
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

// ---- loop thread: connection ----

void SessionCore::begin() {
  if (torn_down_ || state_ != SessionState::Idle) return;
  if (auto error = check_config(config_)) {
    fail(*error);
    return;
  }
  set_state(SessionState::Connecting);
  // One bound for connect and setup together (0: none, as in the transport).
  arm(Wait::Setup);
  open_connection(false);
}

// The one place a connection is made: the first, a reconnection after a
// drop, and the next one of a goAway switch. Returns its generation.
uint64_t SessionCore::open_connection(bool handover) {
  const uint64_t generation = conns_.new_generation();
  auto client = std::make_shared<WebSocketClient>(loop_, websocket_options(config_), listener_for(generation));
  if (handover) {
    retire(std::exchange(conns_.next, Link{generation, client}).client);
    conns_.next.go_away = current_go_away_;
  } else {
    std::shared_ptr<WebSocketClient> old = out_.set_client(client);
    conns_.current = Link{generation};
    new_current_connection();
    retire(std::move(old));
  }
  GST_INFO("connecting to %s%s", shown_uri(config_.uri).c_str(), handover ? " (the next connection)" : "");
  client->connect();
  return generation;
}

transport::WebSocketListener SessionCore::listener_for(uint64_t generation) {
  transport::WebSocketListener l;
  std::weak_ptr<SessionCore> weak = weak_from_this();
  l.on_open = [weak, generation] {
    if (auto s = weak.lock()) s->dispatch(generation, [&](Role role) { s->opened(role); });
  };
  l.on_message = [weak, generation](std::string_view payload, bool) {
    if (auto s = weak.lock()) s->dispatch(generation, [&](Role role) { s->received(role, generation, payload); });
  };
  l.on_closed = [weak, generation](const CloseInfo& info) {
    if (auto s = weak.lock()) s->dispatch(generation, [&](Role role) { s->closed(role, generation, info); });
  };
  return l;
}

// Sends the setup (the stored one: context changes included), resuming
// the session when a handle is known.
void SessionCore::opened(Role role) {
  SessionSetup::Message setup = setup_.message(handle_);
  if (role == Role::Next) {
    GST_INFO("the next connection is open: %s there", setup.resumes ? "resuming" : "starting afresh");
    if (!conns_.next.client) return;
    conns_.next.version = setup.version;
    conns_.next.resumes = setup.resumes;
    conns_.next.setup_sent = true;
    abandon_calls(setup.resumes);
    // The handle in this setup is the session's state now: input from
    // here on is held for the next connection, so none of it is missing
    // from the session it resumes. The switch takes one round trip.
    out_.hold(conns_.next.client.get(), std::move(setup.outbound.json));
    return;
  }
  if (role != Role::Current) return;
  conns_.current.resumes = setup.resumes;
  conns_.current.version = setup.version;
  if (state_ == SessionState::Connecting) set_state(SessionState::SettingUp);
  if (state_ != SessionState::SettingUp && state_ != SessionState::Reconnecting) return;
  abandon_calls(setup.resumes);
  GST_LOG("sending setup%s", setup.resumes ? " with a resumption handle" : "");
  out_.send_setup(std::move(setup.outbound));
}

void SessionCore::received(Role role, uint64_t generation, std::string_view payload) {
  if (is_terminal(state_)) return;  // finished or failed: nothing more is reported
  auto decoded = protocol::decode_server_message(payload);
  out_.count_received(decoded ? model_audio_bytes(decoded.value()) : 0);
  if (!decoded) {
    GST_WARNING("skipping a malformed message (%zu bytes): %s", payload.size(), decoded.error().c_str());
    emit_warning("skipped a malformed message from the service: " + decoded.error());
    return;
  }
  const protocol::ServerMessage& m = decoded.value();
  if (m.session_resumption_update && role != Role::Draining) remember_handle(*m.session_resumption_update);
  if (m.setup_complete && role == Role::Next) {
    complete_switch();
    return;
  }
  const bool resumed_setup = m.setup_complete && role == Role::Current && state_ == SessionState::Reconnecting;
  const TurnEvents turn = turns_.observe(m);
  // Every input sent so far is answered (an interrupted turn's is not:
  // the input that cut in is).
  if (turn.turn_complete && !turn.interrupted) out_.answered();
  if (m.go_away && role == Role::Current) {
    GST_INFO("goAway received");
    current_go_away_ = true;
  }
  // Recorded before the application hears of them: it may answer at once.
  if (m.tool_call) tool_call_received(*m.tool_call, role);
  if (m.tool_call_cancellation) calls_.cancelled(m.tool_call_cancellation->ids);
  // A resumed connection's setupComplete is the session's business only.
  if (!resumed_setup) emit([&](SessionObserver& o) { o.on_message(m); });
  if (torn_down_) return;
  if (role == Role::Draining) {
    if (!turn.turn_complete) return;
    end_draining(generation, true);
    // That may have been the reply the end of input waits for.
    if (state_ == SessionState::Finishing) after_turn_events(turn);
    return;
  }
  if (m.setup_complete && (state_ == SessionState::SettingUp || state_ == SessionState::Reconnecting))
    become_ready();
  else if (state_ == SessionState::Finishing)
    after_turn_events(turn);
  if (m.go_away && state_ == SessionState::Ready) begin_switch();
  if (m.session_resumption_update && switch_wanted_ && state_ == SessionState::Ready) begin_switch();
}

void SessionCore::closed(Role role, uint64_t generation, const CloseInfo& info) {
  if (is_terminal(state_)) return;  // we closed it: finished or failed already
  GST_INFO("%s connection ended in state %s: %d '%s'",
           role == Role::Current ? "the"
           : role == Role::Next  ? "the next"
                                 : "a draining",
           session_state_name(state_), info.code, info.reason.c_str());
  if (role == Role::Draining) {
    end_draining(generation, false);
    return;
  }
  if (role == Role::Next) {
    if (close_is_final(info, false)) {
      retire(std::exchange(conns_.next, Link{}).client);
      fail(error_for_close(info, config_.uri));
      return;
    }
    // The current connection still works (until its deadline after a
    // goAway; when it ends, the drop path reconnects).
    GST_INFO("the next connection failed; staying on the current one");
    stay_on_current("could not open the next connection", describe_close(info));
    return;
  }
  const bool normal = info.kind == CloseInfo::Kind::Closed && (info.code == 1000 || info.code == 1001);
  if (state_ == SessionState::Finishing) {
    // Input is over: a new connection would have nothing to send, and a
    // reply cut here does not come back on it.
    if (!normal || turns_.under_way())
      emit_warning("the connection ended before the model's turn ended (" + describe_close(info) + ")");
    finish();
    return;
  }
  const bool after_go_away = current_go_away_;
  if (!reconnect_.enabled() || close_is_final(info, after_go_away) ||
      (state_ == SessionState::Connecting && info.kind == CloseInfo::Kind::ConnectFailed)) {
    fail(error_for_close(info, config_.uri));
    return;
  }
  if (conns_.next.client) {
    // The goAway switch is under way: its connection carries the session.
    promote_next();
    return;
  }
  reconnect_after(info);
}

// A resumable:false update (the model is answering or waiting for a
// function) says the last handle no longer holds the whole session.
void SessionCore::remember_handle(const protocol::SessionResumptionUpdate& update) {
  handle_current_ = update.resumable && !update.new_handle.empty();
  if (!handle_current_) return;
  handle_ = update.new_handle;
  ++handles_seen_;
  GST_DEBUG("new resumption handle");
}

// A connection takes the session over: it resumed from handle_ (or
// started afresh), and nothing of the last one's goAway applies to it.
void SessionCore::new_current_connection() {
  current_go_away_ = false;
  switch_wanted_ = false;
  handle_current_ = true;
}

// ---- loop thread: function calls ----

// A call on a connection the session's input has left cannot be answered.
void SessionCore::tool_call_received(const protocol::ToolCall& call, Role role) {
  if (role == Role::Draining || (role == Role::Current && conns_.next.setup_sent)) {
    for (const auto& c : calls_.abandon(call))
      emit_warning("The tool call " + c.id + " (" + c.name +
                   ") came on a connection the session was leaving; its response cannot reach the model.");
    return;
  }
  calls_.called(call, handles_seen_, ToolCalls::Clock::now());
  arm_tool_timer();
}

// A connection resuming at the latest handle (or afresh) carries the
// session from here: the calls its session does not hold are gone.
void SessionCore::abandon_calls(bool resumes) {
  for (const auto& c : calls_.moved(resumes, handles_seen_))
    emit_warning("The tool call " + c.id + " (" + c.name +
                 ") was lost with its connection; the model no longer waits for its response.");
}

void SessionCore::arm_tool_timer() {
  const auto next = calls_.next_deadline();
  if (!next || is_terminal(state_)) {
    tool_timer_.cancel();
    return;
  }
  const auto left = std::chrono::ceil<milliseconds>(*next - ToolCalls::Clock::now());
  after(tool_timer_, std::max(left, milliseconds(0)), [this] { tool_deadline(); });
}

// The model must not wait forever: an unanswered call gets an error.
void SessionCore::tool_deadline() {
  if (torn_down_ || is_terminal(state_)) return;  // nothing more goes out
  for (const auto& call : calls_.expire(ToolCalls::Clock::now())) {
    GST_INFO("tool call %s (%s) timed out", call.id.c_str(), call.name.c_str());
    enqueue(Outbound::encode(protocol::ToolResponse{{calls_.timeout_response(call)}}), false);
    emit_warning("The tool call " + call.id + " (" + call.name + ") had no response within " +
                 seconds_text(calls_.timeout()) + " s; the model was told it failed.");
  }
  arm_tool_timer();
}

// ---- loop thread: the session's phases ----

void SessionCore::become_ready() {
  disarm();
  const bool reconnected = state_ == SessionState::Reconnecting;
  out_.release(history(), nullptr, reconnected);
  set_state(SessionState::Ready);
  if (reconnected) {
    Resumption r;
    r.attempts = reconnect_.attempts();
    r.resumed = conns_.current.resumes;
    r.outage = milliseconds((g_get_monotonic_time() - outage_started_us_) / 1000);
    emit([&](SessionObserver& o) { o.on_resumed(r); });
    // A connection that lasts is a success: the next drop starts over.
    after(stable_timer_, reconnect_.stable_after(), [this] { reconnect_.stable(); });
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
  disarm();
  reconnect_timer_.cancel();
  switch_timer_.cancel();
  stable_timer_.cancel();
  tool_timer_.cancel();
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
  deadline_.arm(what, loop_->context(), held([this] { deadline_passed(); }));
}

void SessionCore::disarm() { deadline_.disarm(); }

void SessionCore::deadline_passed() {
  switch (deadline_.end()) {
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

namespace {

// What create() returns: dropping it stops the session.
class LiveSessionHandle final : public LiveSession {
 public:
  explicit LiveSessionHandle(std::shared_ptr<SessionCore> core) : core_(std::move(core)) {}
  ~LiveSessionHandle() override { core_->stop(); }

  void start() override { core_->start(); }
  void send(const protocol::ClientMessage& message) override { core_->enqueue(Outbound::encode(message), false); }
  void send_video_frame(protocol::Blob frame) override {
    core_->enqueue(Outbound::encode(protocol::RealtimeInput::with_video(std::move(frame))), true);
  }
  void update_context(ContextChange change) override { core_->update_context(change); }
  bool send_tool_response(protocol::FunctionResponse response) override { return core_->respond(std::move(response)); }
  void end_input(bool audio_stream_end) override { core_->end_input(audio_stream_end); }
  void stop() override { core_->stop(); }
  bool has_room() const override { return core_->has_room(); }
  SessionState state() const override { return core_->state(); }
  SessionStats stats() const override { return core_->stats(); }

 private:
  std::shared_ptr<SessionCore> core_;
};

}  // namespace

std::shared_ptr<LiveSession> LiveSession::create(SessionConfig config, std::shared_ptr<SessionObserver> observer,
                                                 std::shared_ptr<transport::EventLoopThread> loop) {
  ensure_session_debug();
  loop = loop ? released_off_loop(std::move(loop)) : shared_session_loop();
  return std::make_shared<LiveSessionHandle>(
      std::make_shared<SessionCore>(std::move(config), std::move(observer), std::move(loop)));
}

}  // namespace geminilive::session
