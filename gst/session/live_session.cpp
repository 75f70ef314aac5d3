#include "session/live_session.h"

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string_view>
#include <utility>

#include "session/held_messages.h"
#include "session/session_error.h"
#include "session/session_loop.h"
#include "session/turn_tracker.h"
#include "transport/websocket_client.h"

GST_DEBUG_CATEGORY_STATIC(geminilive_session_debug);
#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {
namespace {

using std::chrono::milliseconds;
using transport::CloseInfo;
using transport::EventLoopThread;
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
      : config_(std::move(config)), loop_(std::move(loop)), observer_(std::move(observer)) {}

  ~SessionCore() { disarm(); }

  // ---- any thread ----

  void start() { post([](SessionCore& s) { s.begin(); }); }

  void enqueue(Outbound message, bool latest_frame) {
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
    if (config_.api_key.empty()) {
      fail(settings_error(
          "No API key for Gemini Live: set the api-key property or the GEMINI_API_KEY environment variable."));
      return;
    }
    if (config_.uri.empty()) {
      fail(settings_error("No Gemini Live URI: the uri property is empty."));
      return;
    }
    set_state(SessionState::Connecting);
    // One bound for connect and setup together (0: none, as in the transport).
    if (config_.connect_timeout.count() > 0) arm(Wait::Setup, config_.connect_timeout);
    open_connection();
  }

  // The one place a connection is made; reconnection re-enters it with the
  // session's state kept.
  void open_connection() {
    transport::WebSocketOptions o;
    o.uri = config_.uri;
    o.api_key = config_.api_key;
    o.ca_file = config_.ca_file;
    o.max_incoming_payload = kMaxIncomingPayload;
    const auto ms = config_.connect_timeout.count();
    o.connect_timeout_s = ms > 0 ? static_cast<unsigned>((ms + 999) / 1000) : 0;
    auto client = std::make_shared<WebSocketClient>(loop_, std::move(o), listener_for(++generation_));
    std::shared_ptr<WebSocketClient> old;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      old = std::exchange(client_, client);
    }
    retire(std::move(old));
    GST_INFO("connecting to %s", shown_uri(config_.uri).c_str());
    client->connect();
  }

  transport::WebSocketListener listener_for(uint64_t generation) {
    transport::WebSocketListener l;
    std::weak_ptr<SessionCore> weak = weak_from_this();
    l.on_open = [weak, generation] {
      if (auto s = weak.lock()) s->dispatch(generation, [&] { s->opened(); });
    };
    l.on_message = [weak, generation](std::string_view payload, bool) {
      if (auto s = weak.lock()) s->dispatch(generation, [&] { s->received(payload); });
    };
    l.on_closed = [weak, generation](const CloseInfo& info) {
      if (auto s = weak.lock()) s->dispatch(generation, [&] { s->closed(info); });
    };
    return l;
  }

  // Runs a listener call of the current connection (a replaced client's
  // late calls are ignored).
  template <typename Fn>
  void dispatch(uint64_t generation, Fn&& fn) {
    if (torn_down_ || generation != generation_) return;
    ++in_callback_;
    fn();
    --in_callback_;
  }

  void opened() {
    if (state_ != SessionState::Connecting) return;
    set_state(SessionState::SettingUp);
    Outbound setup = Outbound::encode(config_.setup);
    GST_LOG("sending setup: %s", setup.json.c_str());
    std::lock_guard<std::mutex> lock(mutex_);
    deliver_locked(setup);  // the only message allowed before setupComplete
  }

  void received(std::string_view payload) {
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
    const TurnEvents turn = turns_.observe(m);
    if (turn.turn_complete && !turn.interrupted) {
      // Every input sent so far is answered (an interrupted turn's is not:
      // the input that cut in is).
      std::lock_guard<std::mutex> lock(mutex_);
      unanswered_input_ = false;
    }
    if (m.go_away) GST_INFO("goAway received");
    emit([&](SessionObserver& o) { o.on_message(m); });
    if (torn_down_) return;
    if (m.setup_complete && state_ == SessionState::SettingUp)
      become_ready();
    else if (state_ == SessionState::Finishing)
      after_turn_events(turn);
  }

  void closed(const CloseInfo& info) {
    if (is_terminal(state_)) return;  // we closed it: finished or failed already
    GST_INFO("connection ended in state %s: %d '%s'", session_state_name(state_), info.code, info.reason.c_str());
    const bool normal = info.kind == CloseInfo::Kind::Closed && (info.code == 1000 || info.code == 1001);
    if (state_ == SessionState::Finishing && normal) {
      // The service is done with us; nothing more can come.
      if (turns_.under_way()) emit_warning("the service closed the connection before the model's turn ended");
      finish();
      return;
    }
    fail(error_for_close(info, config_.uri));
  }

  // ---- loop thread: the session's phases ----

  void become_ready() {
    disarm();
    {
      // Under the send lock: a message sent meanwhile goes after the held ones.
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& m : held_.take()) deliver_locked(m);
      streaming_ = true;
    }
    set_state(SessionState::Ready);
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
                 format_seconds(HeldMessages::Limits{}.audio) + " is held)");
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
  void deliver_locked(Outbound& m) {
    if (!client_) return;
    const Outbound::Kind kind = m.kind;
    const std::size_t media = m.media_bytes;
    if (!client_->send_text(std::move(m.json))) return;
    ++stats_.messages_sent;
    if (kind == Outbound::Kind::Audio) stats_.audio_bytes_sent += media;
    if (kind == Outbound::Kind::Video) ++stats_.video_frames_sent;
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
        fail(setup_timeout_error(config_.connect_timeout, config_.uri));
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
  std::shared_ptr<SessionObserver> observer_;
  uint64_t generation_ = 0;  // per connection: a replaced client's calls are ignored
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
  void end_input(bool audio_stream_end) override { core_->end_input(audio_stream_end); }
  void stop() override { core_->stop(); }
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
