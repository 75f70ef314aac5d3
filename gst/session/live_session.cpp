#include "session/live_session.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "session/held_messages.h"
#include "session/session_error.h"
#include "session/session_loop.h"
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

constexpr uint64_t kMaxIncomingPayload = 64u * 1024 * 1024;

// The core library has no plugin_init: the category is made on first use.
void ensure_session_debug() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(geminilive_session_debug, "geminilivesession", 0, "geminilive Live session");
    g_once_init_leave(&once, 1);
  }
}

HeldMessages::Limits held_limits(const SessionConfig& config) {
  HeldMessages::Limits limits;
  limits.audio = config.max_held_audio;
  return limits;
}

bool is_utf8(const std::string& s) { return g_utf8_validate_len(s.data(), s.size(), nullptr); }

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
        held_(held_limits(config_)),
        observer_(std::move(observer)) {}

  ~SessionCore() { disarm(); }

  // ---- any thread ----

  void start() { post([](SessionCore& s) { s.begin(); }); }

  void enqueue(Outbound message, bool latest_frame) {
    // Text from the user (audio and video are base64) that is not UTF-8
    // can't go in a text frame: refused here, it would hold up everything
    // after it. Setup strings are checked in check_config().
    if (message.kind == Outbound::Kind::Other && !is_utf8(message.json)) {
      post([](SessionCore& s) { s.emit_warning("dropped a message whose text is not UTF-8"); });
      return;
    }
    bool report = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!accepting_) return;
      unanswered_input_ |= message.asks_reply;
      if (streaming_) {
        deliver_locked(message);
        return;
      }
      if (latest_frame) {
        if (held_.push_latest_frame(std::move(message))) ++stats_.video_frames_replaced;
      } else {
        held_.push(std::move(message));
      }
      // One report when dropping starts, one with the rest at setupComplete.
      report = held_.dropped().any() && !drop_reported_;
      if (report) drop_reported_ = true;
    }
    if (report) post([](SessionCore& s) { s.report_dropped(); });
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

  bool has_room() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (streaming_ || !accepting_) return true;
    // A second's margin: what the caller is about to send must fit too.
    const HeldMessages::Limits limits = held_limits(config_);
    return held_.audio() + std::chrono::seconds(1) < limits.audio && held_.bytes() < limits.bytes / 2;
  }

  SessionStats stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

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
    transport::WebSocketOptions o;
    o.uri = config_.uri;
    o.api_key = config_.api_key;
    o.ca_file = config_.ca_file;
    o.max_incoming_payload = kMaxIncomingPayload;
    o.stall_timeout = config_.stall_timeout;
    const auto ms = config_.connect_timeout.count();
    o.connect_timeout_s = ms > 0 ? static_cast<unsigned>((ms + 999) / 1000) : 0;
    const uint64_t generation = ++generation_;
    auto client = std::make_shared<WebSocketClient>(loop_, std::move(o), listener_for(generation));
    if (handover) {
      retire(std::exchange(next_, Link{generation, client}).client);
    } else {
      std::shared_ptr<WebSocketClient> old;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        old = std::exchange(client_, client);
      }
      current_ = generation;
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

  // What a connection is to the session: the one input goes to (or that is
  // being set up to carry it), the next one of a goAway switch, or the one
  // a switch left that still delivers the rest of a reply.
  enum class Role { Current, Next, Draining };

  // Runs a listener call of a connection the session still uses (a
  // replaced client's late calls are ignored).
  template <typename Fn>
  void dispatch(uint64_t generation, Fn&& fn) {
    if (torn_down_ || generation == 0) return;
    Role role;
    if (generation == current_)
      role = Role::Current;
    else if (generation == next_.generation)
      role = Role::Next;
    else if (std::any_of(draining_.begin(), draining_.end(), [&](const Link& l) { return l.generation == generation; }))
      role = Role::Draining;
    else
      return;
    ++in_callback_;
    fn(role);
    --in_callback_;
  }

  // The setup, resuming the session when a handle is known.
  Outbound setup_message() const {
    protocol::Setup setup = config_.setup;
    if (config_.resumption) {
      protocol::SessionResumptionConfig resumption = setup.session_resumption.value_or(protocol::SessionResumptionConfig{});
      if (!handle_.empty()) resumption.handle = handle_;
      setup.session_resumption = std::move(resumption);
    }
    return Outbound::encode(setup);
  }

  void opened(Role role) {
    Outbound setup = setup_message();
    if (role == Role::Next) {
      GST_INFO("the next connection is open: resuming there");
      if (!next_.client) return;
      // The handle in this setup is the session's state now: input from
      // here on is held for the next connection, so none of it is missing
      // from the session it resumes. The switch takes one round trip.
      std::lock_guard<std::mutex> lock(mutex_);
      streaming_ = false;
      next_.client->send_text(std::move(setup.json));
      return;
    }
    if (role != Role::Current) return;
    current_resumes_ = config_.resumption && !handle_.empty();
    if (state_ == SessionState::Connecting) set_state(SessionState::SettingUp);
    if (state_ != SessionState::SettingUp && state_ != SessionState::Reconnecting) return;
    GST_LOG("sending setup%s", handle_.empty() ? "" : " with a resumption handle");
    std::lock_guard<std::mutex> lock(mutex_);
    deliver_locked(setup, false);  // the only message allowed before setupComplete
  }

  void received(Role role, uint64_t generation, std::string_view payload) {
    if (is_terminal(state_)) return;  // finished or failed: nothing more is reported
    auto decoded = protocol::decode_server_message(payload);
    const uint64_t audio = decoded ? model_audio_bytes(decoded.value()) : 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.messages_received;
      stats_.audio_bytes_received += audio;
    }
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
    if (turn.turn_complete && !turn.interrupted) {
      // Every input sent so far is answered (an interrupted turn's is not:
      // the input that cut in is).
      std::lock_guard<std::mutex> lock(mutex_);
      unanswered_input_ = false;
    }
    if (m.go_away && role == Role::Current) {
      GST_INFO("goAway received");
      current_go_away_ = true;
    }
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
        retire(std::exchange(next_, Link{}).client);
        fail(error_for_close(info, config_.uri));
        return;
      }
      // The current connection still works until its deadline; when it
      // ends, the drop path reconnects.
      GST_INFO("the next connection failed; staying on the current one");
      stay_on_current();
      emit_warning("could not open the next connection after goAway (" + describe_close(info) +
                   "); the session reconnects when the current one ends");
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
    if (next_.client) {
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
    GST_DEBUG("new resumption handle");
  }

  // A connection takes the session over: it resumed from handle_ (or
  // started afresh), and nothing of the last one's goAway applies to it.
  void new_current_connection() {
    current_go_away_ = false;
    switch_wanted_ = false;
    handle_current_ = true;
  }

  // ---- loop thread: moving to a new connection ----

  // goAway: open the next connection now, resume there, and switch when it
  // is set up; input goes to the current one until the next one's setup is
  // sent, then waits for it. Each message goes to exactly one of them.
  void begin_switch() {
    if (next_.client || !config_.resumption) return;
    if (handle_.empty() || !handle_current_) {
      // Not resumable now (the model is answering): switch at the next handle.
      switch_wanted_ = true;
      GST_INFO("goAway while the session is not resumable: switching at the next handle");
      return;
    }
    switch_wanted_ = false;
    Reconnection r;
    r.cause = Reconnection::Cause::GoAway;
    r.reason = "the service ends this connection soon (goAway)";
    r.resuming = true;
    emit([&](SessionObserver& o) { o.on_reconnecting(r); });
    if (torn_down_) return;
    open_connection(true);
    if (config_.connect_timeout.count() > 0) after(switch_timer_, config_.connect_timeout, [this] {
      if (!next_.client) return;
      GST_INFO("the next connection did not complete its setup in time");
      stay_on_current();
      emit_warning("the next connection after goAway did not complete its setup within " +
                   format_seconds(config_.connect_timeout) + "; the session reconnects when the current one ends");
    });
  }

  // The next connection is set up: from here on input goes there. The old
  // one stays only to deliver the rest of a reply under way.
  void complete_switch() {
    switch_timer_.cancel();
    if (state_ != SessionState::Ready && state_ != SessionState::Finishing) return;
    std::shared_ptr<WebSocketClient> old;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      old = std::exchange(client_, next_.client);
      ++stats_.reconnections;
      release_held_locked();
    }
    const uint64_t old_generation = std::exchange(current_, next_.generation);
    next_ = {};
    new_current_connection();
    GST_INFO("switched to the next connection");
    bool awaiting;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      awaiting = unanswered_input_;
    }
    // The old connection answers what was sent on it (or finishes the reply
    // under way) before it goes; the service's deadline bounds the wait.
    if (turns_.under_way() || awaiting) {
      draining_.push_back(Link{old_generation, std::move(old)});
    } else {
      old->close(1000);
      retire(std::move(old));
    }
    Resumption r;
    r.cause = Reconnection::Cause::GoAway;
    r.resumed = true;
    emit([&](SessionObserver& o) { o.on_resumed(r); });
  }

  void end_draining(uint64_t generation, bool close) {
    auto it = std::find_if(draining_.begin(), draining_.end(), [&](const Link& l) { return l.generation == generation; });
    if (it == draining_.end()) return;
    std::shared_ptr<WebSocketClient> client = std::move(it->client);
    draining_.erase(it);
    if (close) client->close(1000);
    retire(std::move(client));
  }

  // Sends the held input on client_ and streams from here. Under the send
  // lock: a message sent meanwhile goes after the held ones.
  void release_held_locked() {
    for (auto& m : held_.take()) deliver_locked(m);
    streaming_ = true;
  }

  // The switch failed: the input held for the next connection goes to the
  // current one, which still works until its deadline.
  void stay_on_current() {
    retire(std::exchange(next_, Link{}).client);
    std::lock_guard<std::mutex> lock(mutex_);
    if (state_ == SessionState::Ready || state_ == SessionState::Finishing) release_held_locked();
  }

  // The current connection ended before the switch: the next one, still
  // setting up, carries the session from here, input held meanwhile.
  void promote_next() {
    switch_timer_.cancel();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      retire(std::exchange(client_, next_.client));
    }
    current_ = next_.generation;
    next_ = {};
    new_current_connection();
    enter_reconnecting();
    if (config_.connect_timeout.count() > 0) arm(Wait::Setup, config_.connect_timeout);
  }

  // From here until a new connection's setupComplete, input is held. A
  // further failed attempt leaves the outage's start as it was.
  void enter_reconnecting() {
    if (state_ == SessionState::Reconnecting) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      streaming_ = false;
    }
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
    {
      std::lock_guard<std::mutex> lock(mutex_);
      release_held_locked();
      if (reconnected) ++stats_.reconnections;
    }
    set_state(SessionState::Ready);
    if (reconnected) {
      Resumption r;
      r.attempts = attempts_;
      r.resumed = current_resumes_;
      r.outage = milliseconds((g_get_monotonic_time() - outage_started_us_) / 1000);
      emit([&](SessionObserver& o) { o.on_resumed(r); });
      // A connection that lasts is a success: the next drop starts over.
      after(stable_timer_, config_.stable_after, [this] { attempts_ = 0; });
    }
    report_dropped();
    if (input_ended_ && state_ == SessionState::Ready) enter_finishing();
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
    bool unanswered;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      unanswered = unanswered_input_;
    }
    if (turns_.under_way()) {
      arm(Wait::TurnEnd, config_.turn_end_timeout);
    } else if (audio_stream_ended_ || unanswered) {
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
    stop_sending();
    set_state(SessionState::Finished);
    close_connection();
  }

  void fail(const SessionError& error) {
    if (is_terminal(state_)) return;
    disarm();
    stop_sending();
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
    if (auto c = std::exchange(next_, Link{}).client) c->close(1000);
    for (auto& link : std::exchange(draining_, {})) link.client->close(1000);
    if (!is_terminal(state_)) {
      stop_sending();
      set_state(SessionState::Closed);
    }
    torn_down_ = true;
    observer_.reset();
    std::shared_ptr<WebSocketClient> client;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      accepting_ = false;
      streaming_ = false;
      held_.take();
      client = std::move(client_);
    }
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
    Dropped dropped;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      dropped = held_.take_dropped();
    }
    if (!dropped.any()) return;
    emit_warning("dropped the oldest " + format_seconds(dropped.audio) + " of audio (" +
                 std::to_string(dropped.bytes) +
                 " bytes) held while waiting for the service's setupComplete (at most " +
                 format_seconds(held_limits(config_).audio) + " is held)");
  }

  void stop_sending() {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
    streaming_ = false;
    held_.take();
  }

  void close_connection() {
    std::shared_ptr<WebSocketClient> client;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      client = client_;
    }
    if (client) client->close(1000);
  }

  // A client must not be destroyed inside its own listener call (an
  // observer may drop the session there, a reconnection replaces the client
  // there): then it goes in a task of its own. Otherwise it goes now.
  void retire(std::shared_ptr<WebSocketClient> client) {
    if (client && in_callback_ > 0) loop_->post([client] {});
  }

  // Hands one message to the transport, under mutex_.
  // A connection that has just ended refuses it: then it waits with the
  // held input for the next connection, unless the session is over.
  void deliver_locked(Outbound& m, bool hold_if_refused = true) {
    const Outbound::Kind kind = m.kind;
    const std::size_t media = m.media_bytes;
    if (!client_ || !client_->offer_text(m.json)) {
      if (hold_if_refused && accepting_ && config_.resumption) {
        streaming_ = false;
        held_.push(std::move(m));
      }
      return;
    }
    ++stats_.messages_sent;
    if (kind == Outbound::Kind::Audio) stats_.audio_bytes_sent += media;
    if (kind == Outbound::Kind::Video) ++stats_.video_frames_sent;
  }

  // A timer whose callback holds the core for its run; teardown cancels it.
  template <typename Fn>
  void after(SourceTimer& timer, milliseconds delay, Fn fn) {
    timer.start(loop_->context(), delay, [weak = weak_from_this(), fn] {
      if (auto self = weak.lock()) fn();
    });
  }

  void arm(Wait what, milliseconds after) {
    disarm();
    waiting_for_ = what;
    deadline_ = g_timeout_source_new(static_cast<guint>(std::max<int64_t>(after.count(), 0)));
    g_source_set_callback(deadline_, &SessionCore::on_deadline, new std::weak_ptr<SessionCore>(weak_from_this()),
                          [](gpointer data) { delete static_cast<std::weak_ptr<SessionCore>*>(data); });
    g_source_attach(deadline_, loop_->context());
  }

  void disarm() {
    waiting_for_ = Wait::None;
    if (!deadline_) return;
    g_source_destroy(deadline_);
    g_source_unref(deadline_);
    deadline_ = nullptr;
  }

  static gboolean on_deadline(gpointer data) {
    if (auto self = static_cast<std::weak_ptr<SessionCore>*>(data)->lock()) self->deadline_passed();
    return G_SOURCE_REMOVE;
  }

  void deadline_passed() {
    // The context holds the dispatching source; forget ours first, since
    // what follows may re-arm.
    if (deadline_) g_source_unref(std::exchange(deadline_, nullptr));
    switch (std::exchange(waiting_for_, Wait::None)) {
      case Wait::Setup:
        if (state_ == SessionState::Reconnecting) {
          // This attempt is over: its client goes now, so that its own
          // connect timeout, due about now, is not counted as another.
          std::shared_ptr<WebSocketClient> stuck;
          {
            std::lock_guard<std::mutex> lock(mutex_);
            stuck = std::exchange(client_, nullptr);
          }
          current_ = 0;
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
  std::atomic<SessionState> state_{SessionState::Idle};  // written on the loop
  std::atomic<bool> end_input_called_{false};

  // Shared with sending threads.
  mutable std::mutex mutex_;
  std::shared_ptr<WebSocketClient> client_;
  bool accepting_ = true;   // send() takes messages
  bool streaming_ = false;  // after setupComplete: straight to the transport
  HeldMessages held_;
  bool drop_reported_ = false;
  bool unanswered_input_ = false;  // an input that asks a reply was sent after the last turnComplete
  SessionStats stats_;

  // Loop thread only.
  struct Link {
    uint64_t generation = 0;
    std::shared_ptr<WebSocketClient> client;
  };
  std::shared_ptr<SessionObserver> observer_;
  uint64_t generation_ = 0;  // per connection: a replaced client's calls are ignored
  uint64_t current_ = 0;     // the generation of client_
  Link next_;                // a goAway switch's connection, until its setupComplete
  std::vector<Link> draining_;  // connections switches left, until their replies end
  bool current_go_away_ = false;  // the current connection got a goAway: its end is expected
  bool switch_wanted_ = false;    // goAway came while not resumable: switch at the next handle
  bool handle_current_ = true;    // no resumable:false update came after handle_
  bool current_resumes_ = false;  // the current connection's setup carried a handle
  std::string handle_;            // the latest resumable handle
  unsigned attempts_ = 0;         // reconnections in a row after drops
  gint64 outage_started_us_ = 0;
  SourceTimer reconnect_timer_;
  SourceTimer switch_timer_;
  SourceTimer stable_timer_;
  int in_callback_ = 0;       // listener or observer calls under way
  bool torn_down_ = false;
  bool input_ended_ = false;
  bool audio_stream_ended_ = false;  // end_input() sent audioStreamEnd
  TurnTracker turns_;
  Wait waiting_for_ = Wait::None;
  GSource* deadline_ = nullptr;
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
  // Interim: what issue 9's session work replaces (reconnect fallback,
  // cancellation and timeout tracking).
  void update_context(ContextChange change) override {
    core_->enqueue(Outbound::encode(protocol::ContextUpdate{std::move(change.system_instruction),
                                                            std::move(change.tools)}),
                   false);
  }
  bool send_tool_response(protocol::FunctionResponse response) override {
    core_->enqueue(Outbound::encode(protocol::ToolResponse{{std::move(response)}}), false);
    return true;
  }
  void end_input(bool audio_stream_end) override { core_->end_input(audio_stream_end); }
  void stop() override { core_->stop(); }
  bool has_room() const override { return core_->has_room(); }
  SessionState state() const override { return core_->state(); }
  SessionStats stats() const override { return core_->stats(); }

 private:
  std::shared_ptr<SessionCore> core_;
};

}  // namespace

std::optional<SessionError> check_config(const SessionConfig& config) {
  if (config.api_key.empty())
    return settings_error(
        "No API key for Gemini Live: set the api-key property or the GEMINI_API_KEY environment variable.");
  if (config.uri.empty()) return settings_error("No Gemini Live URI: the uri property is empty.");
  if (auto problem = transport::websocket_uri_problem(config.uri); !problem.empty())
    return settings_error("The Gemini Live URI is not usable: " + problem + ".");
  if (!config.ca_file.empty())
    if (auto problem = transport::ca_file_problem(config.ca_file); !problem.empty())
      return settings_error("The CA file is not usable: " + problem + ".");
  if (!is_utf8(Outbound::encode(config.setup).json))
    return settings_error("The session's settings (model, voice, system instruction, tools, ...) are not UTF-8 text.");
  return std::nullopt;
}

std::shared_ptr<LiveSession> LiveSession::create(SessionConfig config, std::shared_ptr<SessionObserver> observer,
                                                 std::shared_ptr<transport::EventLoopThread> loop) {
  ensure_session_debug();
  loop = loop ? released_off_loop(std::move(loop)) : shared_session_loop();
  return std::make_shared<LiveSessionHandle>(
      std::make_shared<SessionCore>(std::move(config), std::move(observer), std::move(loop)));
}

}  // namespace geminilive::session
