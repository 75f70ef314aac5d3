#include "session/live_session.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <string_view>
#include <utility>
#include <vector>

#include "session/connections.h"
#include "session/held_messages.h"
#include "session/outbox.h"
#include "session/session_error.h"
#include "session/session_loop.h"
#include "session/session_setup.h"
#include "session/tool_calls.h"
#include "session/turn_tracker.h"
#include "transport/source_timer.h"
#include "transport/websocket_client.h"

GST_DEBUG_CATEGORY_STATIC(geminilive_session_debug);
#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {
namespace {

using std::chrono::milliseconds;
using transport::CloseInfo;
using transport::EventLoopThread;
using transport::SourceTimer;
using transport::WebSocketClient;

// The core library has no plugin_init: the category is made on first use.
void ensure_session_debug() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(geminilive_session_debug, "geminilivesession", 0, "geminilive Live session");
    g_once_init_leave(&once, 1);
  }
}

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

// The session proper. LiveSessionHandle owns it for the user; posted tasks,
// timers and listener calls hold it only weakly, so whatever thread drops the
// handle tears the session down, and a callback under way keeps the core
// (not the connection) alive until it returns.
class SessionCore : public std::enable_shared_from_this<SessionCore> {
 public:
  SessionCore(SessionConfig config, std::shared_ptr<SessionObserver> observer,
              std::shared_ptr<EventLoopThread> loop)
      : config_(std::move(config)),
        loop_(std::move(loop)),
        setup_(config_.setup, config_.resumption),
        calls_(config_.tool_timeout),
        out_(held_limits(config_), config_.resumption,
             [this] { post([](SessionCore& s) { s.emit([](SessionObserver& o) { o.on_context_changed({}); }); }); }),
        history_(config_.history.empty() ? Outbound{} : history_message(config_.history)),
        observer_(std::move(observer)) {}

  // ---- any thread ----

  void start() { post([](SessionCore& s) { s.begin(); }); }

  // Whether the session took the message (false: it is over, or the text
  // is not UTF-8).
  bool enqueue(Outbound message, bool latest_frame) {
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
  void update_context(const ContextChange& change) {
    setup_.change(change);
    if (config_.context_update)
      enqueue(Outbound::encode(context_update_for(change)), false);
    else
      post([](SessionCore& s) { s.begin_switch(); });
  }

  bool respond(protocol::FunctionResponse response) {
    const ToolCalls::Verdict verdict = calls_.respond(response);
    if (verdict != ToolCalls::Verdict::Send) {
      GST_DEBUG("dropping the response to tool call %s (%s): the call was %s", response.id.c_str(),
                response.name.c_str(), ToolCalls::verdict_name(verdict));
      return false;
    }
    return enqueue(Outbound::encode(protocol::ToolResponse{{std::move(response)}}), false);
  }

  void end_input(bool audio_stream_end) {
    if (end_input_called_.exchange(true)) return;
    if (audio_stream_end) {
      protocol::RealtimeInput end;
      end.audio_stream_end = true;
      enqueue(Outbound::encode(end), false);
    }
    post([audio_stream_end](SessionCore& s) { s.input_ended(audio_stream_end); });
  }

  // The caller holds the handle, so `this` outlives the wait.
  void stop() { loop_->run_sync([this] { teardown(); }); }

  SessionState state() const { return state_.load(); }

  bool has_room() const { return out_.has_room(); }
  SessionStats stats() const { return out_.stats(); }

 private:
  // What the one deadline waits for; the phases never overlap.
  enum class Wait { None, Setup, ReplyStart, TurnEnd };

  template <typename Fn>
  void post(Fn fn) {
    loop_->post([weak = weak_from_this(), fn] {
      if (auto self = weak.lock()) fn(*self);
    });
  }

  // ---- loop thread: connection ----

  void begin() {
    if (torn_down_ || state_ != SessionState::Idle) return;
    if (auto error = check_config(config_)) {
      fail(*error);
      return;
    }
    set_state(SessionState::Connecting);
    // One bound for connect and setup together (0: none, as in the transport).
    if (config_.connect_timeout.count() > 0) arm(Wait::Setup, config_.connect_timeout);
    open_connection(false);
  }

  // The one place a connection is made: the first, a reconnection after a
  // drop, and the next one of a goAway switch. Returns its generation.
  uint64_t open_connection(bool handover) {
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

  transport::WebSocketListener listener_for(uint64_t generation) {
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

  // Runs a listener call of a connection the session still uses (a
  // replaced client's late calls are ignored).
  template <typename Fn>
  void dispatch(uint64_t generation, Fn&& fn) {
    const std::optional<Role> role = conns_.role_of(generation);
    if (torn_down_ || !role) return;
    ++in_callback_;
    fn(*role);
    --in_callback_;
  }

  // Sends the setup (the stored one: context changes included), resuming
  // the session when a handle is known.
  void opened(Role role) {
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

  void received(Role role, uint64_t generation, std::string_view payload) {
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

  void closed(Role role, uint64_t generation, const CloseInfo& info) {
    if (is_terminal(state_)) return;  // we closed it: finished or failed already
    GST_INFO("%s connection ended in state %s: %d '%s'",
             role == Role::Current ? "the" : role == Role::Next ? "the next" : "a draining",
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
    if (!config_.resumption || config_.max_reconnect_attempts == 0 || close_is_final(info, after_go_away) ||
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
  void remember_handle(const protocol::SessionResumptionUpdate& update) {
    handle_current_ = update.resumable && !update.new_handle.empty();
    if (!handle_current_) return;
    handle_ = update.new_handle;
    ++handles_seen_;
    GST_DEBUG("new resumption handle");
  }

  // A connection takes the session over: it resumed from handle_ (or
  // started afresh), and nothing of the last one's goAway applies to it.
  void new_current_connection() {
    current_go_away_ = false;
    switch_wanted_ = false;
    handle_current_ = true;
  }

  // ---- loop thread: function calls ----

  // A call on a connection the session's input has left cannot be answered.
  void tool_call_received(const protocol::ToolCall& call, Role role) {
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
  void abandon_calls(bool resumes) {
    for (const auto& c : calls_.moved(resumes, handles_seen_))
      emit_warning("The tool call " + c.id + " (" + c.name +
                   ") was lost with its connection; the model no longer waits for its response.");
  }

  void arm_tool_timer() {
    const auto next = calls_.next_deadline();
    if (!next || is_terminal(state_)) {
      tool_timer_.cancel();
      return;
    }
    const auto left = std::chrono::ceil<milliseconds>(*next - ToolCalls::Clock::now());
    after(tool_timer_, std::max(left, milliseconds(0)), [this] { tool_deadline(); });
  }

  // The model must not wait forever: an unanswered call gets an error.
  void tool_deadline() {
    if (torn_down_ || is_terminal(state_)) return;  // nothing more goes out
    for (const auto& call : calls_.expire(ToolCalls::Clock::now())) {
      GST_INFO("tool call %s (%s) timed out", call.id.c_str(), call.name.c_str());
      enqueue(Outbound::encode(protocol::ToolResponse{{calls_.timeout_response(call)}}), false);
      emit_warning("The tool call " + call.id + " (" + call.name + ") had no response within " +
                   seconds_text(calls_.timeout()) + " s; the model was told it failed.");
    }
    arm_tool_timer();
  }

  // ---- loop thread: moving to a new connection ----

  // A new connection is wanted: after a goAway (resuming), or for a context
  // change without contextUpdate (its setup carries the change). Open it now,
  // resume there, and switch when it is set up; input goes to the current one
  // until the next one's setup is sent, then waits for it. Each message goes
  // to exactly one of them. Not mid-answer: a handle from before the reply
  // would resume a session without it, so then it waits for the next handle.
  void begin_switch() {
    if (conns_.next.client || state_ != SessionState::Ready) return;
    const bool go_away = current_go_away_ && config_.resumption;
    const bool context = context_stale();
    if (!go_away && !context) return;
    const bool resumable = config_.resumption && !handle_.empty();
    if ((go_away && !resumable) || (resumable && !handle_current_)) {
      switch_wanted_ = true;
      GST_INFO("%s while the session is not resumable: switching at the next handle",
               go_away ? "goAway" : "context change");
      return;
    }
    switch_wanted_ = false;
    if (go_away) {
      Reconnection r;
      r.cause = Reconnection::Cause::GoAway;
      r.reason = "the service ends this connection soon (goAway)";
      r.resuming = true;
      emit([&](SessionObserver& o) { o.on_reconnecting(r); });
      if (torn_down_) return;
    }
    if (!resumable)
      emit_warning(std::string("The new system instruction or tools need a new connection, and ") +
                   (config_.resumption ? "the service has not given a resumption handle yet"
                                       : "session resumption is off") +
                   ": the model starts a fresh conversation there and forgets what was said so far.");
    open_connection(true);
    if (config_.connect_timeout.count() > 0) after(switch_timer_, config_.connect_timeout, [this] {
      if (!conns_.next.client) return;
      GST_INFO("the next connection did not complete its setup in time");
      stay_on_current("the next connection did not complete its setup",
                      "within " + format_seconds(config_.connect_timeout));
    });
  }

  // A context change is not in the current connection's setup yet (and no
  // switch for it failed).
  bool context_stale() const {
    const uint64_t version = setup_.version();
    return !config_.context_update && conns_.current.version < version && version != context_given_up_;
  }

  // The change in the current connection's setup is in effect (it is Ready):
  // reported once per version. A contextUpdate is reported when it is sent.
  void report_context(bool reconnected) {
    if (config_.context_update || conns_.current.version <= reported_version_) return;
    reported_version_ = conns_.current.version;
    emit([&](SessionObserver& o) { o.on_context_changed(ContextApplied{reconnected, conns_.current.resumes}); });
  }

  // The next connection is set up: from here on input goes there. The old
  // one stays only to deliver the rest of a reply under way.
  void complete_switch() {
    switch_timer_.cancel();
    if (state_ != SessionState::Ready && state_ != SessionState::Finishing) return;
    const bool go_away = conns_.next.go_away;
    const uint64_t old_generation = conns_.current.generation;
    conns_.current = std::exchange(conns_.next, Link{});
    std::shared_ptr<WebSocketClient> old = out_.release(history(), std::move(conns_.current.client), true);
    new_current_connection();
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

  void end_draining(uint64_t generation, bool close) {
    std::shared_ptr<WebSocketClient> client = conns_.end_draining(generation);
    if (!client) return;
    if (close) client->close(1000);
    retire(std::move(client));
  }

  // A connection that does not resume starts with the history (one
  // clientContent), before any held input.
  const Outbound* history() const {
    return conns_.current.resumes || config_.history.empty() ? nullptr : &history_;
  }

  // The switch failed: the input held for the next connection goes to the
  // current one, which still works (until its deadline after a goAway). A
  // context change it carried is not tried again until the next change or
  // reconnection.
  void stay_on_current(const std::string& what, const std::string& why) {
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
  void promote_next() {
    switch_timer_.cancel();
    conns_.current = std::exchange(conns_.next, Link{});  // its facts as opened() set them, if its setup went out
    retire(out_.set_client(std::move(conns_.current.client)));
    new_current_connection();
    enter_reconnecting();
    if (config_.connect_timeout.count() > 0) arm(Wait::Setup, config_.connect_timeout);
  }

  // From here until a new connection's setupComplete, input is held. A
  // further failed attempt leaves the outage's start as it was.
  void enter_reconnecting() {
    if (state_ == SessionState::Reconnecting) return;
    out_.hold();
    outage_started_us_ = g_get_monotonic_time();
    disarm();
    cut_reply();
    set_state(SessionState::Reconnecting);
  }

  // A drop: hold input, wait (0 the first time, then doubling), reconnect.
  void reconnect_after(const CloseInfo& info) {
    if (attempts_ >= config_.max_reconnect_attempts) {
      SessionError error = error_for_close(info, config_.uri);
      error.message += " (gave up after " + std::to_string(attempts_) + " reconnection attempt" +
                       (attempts_ == 1 ? "" : "s") + ")";
      fail(error);
      return;
    }
    ++attempts_;
    stable_timer_.cancel();
    disarm();  // a setup deadline of the attempt that failed
    enter_reconnecting();
    if (torn_down_) return;
    Reconnection r;
    r.cause = Reconnection::Cause::Dropped;
    r.attempt = attempts_;
    r.delay = backoff(attempts_);
    r.close_code = info.code;
    r.reason = info.reason.empty() ? describe_close(info) : info.reason;
    r.resuming = !handle_.empty();
    GST_WARNING("connection lost (%s); reconnecting in %" G_GINT64_FORMAT " ms, attempt %u", describe_close(info).c_str(),
                static_cast<gint64>(r.delay.count()), attempts_);
    emit([&](SessionObserver& o) { o.on_reconnecting(r); });
    if (torn_down_) return;
    after(reconnect_timer_, r.delay, [this] {
      if (torn_down_ || state_ != SessionState::Reconnecting) return;
      open_connection(false);
      if (config_.connect_timeout.count() > 0) arm(Wait::Setup, config_.connect_timeout);
    });
  }

  std::chrono::milliseconds backoff(unsigned attempt) const {
    if (attempt <= 1) return milliseconds(0);
    milliseconds delay = config_.reconnect_delay;
    for (unsigned i = 2; i < attempt && delay < config_.max_reconnect_delay; ++i) delay *= 2;
    return std::min(delay, config_.max_reconnect_delay);
  }

  // A reply under way on a lost connection does not come back.
  void cut_reply() {
    if (!turns_.under_way()) return;
    turns_ = TurnTracker();
    emit_warning("the model's reply was cut off when the connection ended");
  }

  // ---- loop thread: the session's phases ----

  void become_ready() {
    disarm();
    const bool reconnected = state_ == SessionState::Reconnecting;
    out_.release(history(), nullptr, reconnected);
    set_state(SessionState::Ready);
    if (reconnected) {
      Resumption r;
      r.attempts = attempts_;
      r.resumed = conns_.current.resumes;
      r.outage = milliseconds((g_get_monotonic_time() - outage_started_us_) / 1000);
      emit([&](SessionObserver& o) { o.on_resumed(r); });
      // A connection that lasts is a success: the next drop starts over.
      after(stable_timer_, config_.stable_after, [this] { attempts_ = 0; });
    }
    report_dropped();
    report_context(reconnected);
    if (input_ended_ && state_ == SessionState::Ready) enter_finishing();
    begin_switch();  // a context change made after this connection's setup went out
  }

  void input_ended(bool audio_stream_end) {
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
  void enter_finishing() {
    set_state(SessionState::Finishing);
    if (torn_down_) return;
    if (turns_.under_way()) {
      arm(Wait::TurnEnd, config_.turn_end_timeout);
    } else if (audio_stream_ended_ || out_.unanswered()) {
      arm(Wait::ReplyStart, config_.reply_start_timeout);
    } else {
      GST_INFO("the input ended with every input answered");
      finish();
    }
  }

  void after_turn_events(const TurnEvents& turn) {
    if (turn.turn_complete) {
      // An interrupted turn ends because the user's input cut in: the reply
      // to that input is still to come.
      if (turn.interrupted)
        arm(Wait::ReplyStart, config_.reply_start_timeout);
      else
        finish();
      return;
    }
    if (turn.reply_started) arm(Wait::TurnEnd, config_.turn_end_timeout);
  }

  void finish() {
    if (is_terminal(state_)) return;
    disarm();
    out_.stop();
    set_state(SessionState::Finished);
    close_connection();
  }

  void fail(const SessionError& error) {
    if (is_terminal(state_)) return;
    disarm();
    out_.stop();
    GST_WARNING("session failed: %s", error.message.c_str());
    emit([&](SessionObserver& o) { o.on_error(error); });
    set_state(SessionState::Failed);
    close_connection();
  }

  void teardown() {
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

  void set_state(SessionState s) {
    if (state_ == s) return;
    GST_INFO("state %s -> %s", session_state_name(state_), session_state_name(s));
    state_ = s;
    emit([s](SessionObserver& o) { o.on_state(s); });
  }

  void emit_warning(const std::string& text) {
    GST_INFO("warning: %s", text.c_str());
    emit([&](SessionObserver& o) { o.on_warning(text); });
  }

  // Observer code is user code: it must not unwind into GLib, and it may
  // drop the session's handle, so the observer is held for the call.
  template <typename Fn>
  void emit(Fn&& fn) {
    if (torn_down_ || !observer_) return;
    std::shared_ptr<SessionObserver> observer = observer_;
    ++in_callback_;
    try {
      fn(*observer);
    } catch (const std::exception& e) {
      GST_ERROR("session observer threw: %s", e.what());
    } catch (...) {
      GST_ERROR("session observer threw");
    }
    --in_callback_;
  }

  void report_dropped() {
    const Dropped dropped = out_.take_dropped();
    if (!dropped.any()) return;
    emit_warning("dropped the oldest " + format_seconds(dropped.audio) + " of audio (" +
                 std::to_string(dropped.bytes) +
                 " bytes) held while waiting for the service's setupComplete (at most " +
                 format_seconds(held_limits(config_).audio) + " is held)");
  }

  void close_connection() {
    if (auto client = out_.client()) client->close(1000);
  }

  // A client must not be destroyed inside its own listener call (an
  // observer may drop the session there, a reconnection replaces the client
  // there): then it goes in a task of its own. Otherwise it goes now.
  void retire(std::shared_ptr<WebSocketClient> client) {
    if (client && in_callback_ > 0) loop_->post([client] {});
  }

  // A timer whose callback holds the core for its run; teardown cancels it.
  template <typename Fn>
  void after(SourceTimer& timer, milliseconds delay, Fn fn) {
    timer.start(loop_->context(), delay, [weak = weak_from_this(), fn] {
      if (auto self = weak.lock()) fn();
    });
  }

  void arm(Wait what, milliseconds delay) {
    waiting_for_ = what;
    after(deadline_timer_, std::max(delay, milliseconds(0)), [this] { deadline_passed(); });
  }

  void disarm() {
    waiting_for_ = Wait::None;
    deadline_timer_.cancel();
  }

  void deadline_passed() {
    switch (std::exchange(waiting_for_, Wait::None)) {
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

  const SessionConfig config_;
  const std::shared_ptr<EventLoopThread> loop_;
  SessionSetup setup_;  // thread-safe: the setup with context changes
  ToolCalls calls_;     // thread-safe
  std::atomic<SessionState> state_{SessionState::Idle};  // written on the loop
  std::atomic<bool> end_input_called_{false};

  Outbox out_;              // thread-safe: the client, held input, stats
  const Outbound history_;  // sent first on a connection that does not resume

  // Loop thread only.
  std::shared_ptr<SessionObserver> observer_;
  Connections conns_;  // the current connection's facts, the next one, the draining ones
  bool current_go_away_ = false;  // the current connection got a goAway: its end is expected
  bool switch_wanted_ = false;    // goAway came while not resumable: switch at the next handle
  bool handle_current_ = true;    // no resumable:false update came after handle_
  std::string handle_;            // the latest resumable handle
  uint64_t handles_seen_ = 0;     // resumable handles so far (a call before one is held by it)
  uint64_t reported_version_ = 0;   // the last reported by on_context_changed (without contextUpdate)
  uint64_t context_given_up_ = 0;   // a version whose switch failed
  unsigned attempts_ = 0;         // reconnections in a row after drops
  gint64 outage_started_us_ = 0;
  SourceTimer reconnect_timer_;
  SourceTimer switch_timer_;
  SourceTimer stable_timer_;
  SourceTimer tool_timer_;
  SourceTimer deadline_timer_;
  int in_callback_ = 0;       // listener or observer calls under way
  bool torn_down_ = false;
  bool input_ended_ = false;
  bool audio_stream_ended_ = false;  // end_input() sent audioStreamEnd
  TurnTracker turns_;
  Wait waiting_for_ = Wait::None;
};

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
