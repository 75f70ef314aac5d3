// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/websocket_client.h"

#include <gio/gio.h>
#include <gst/gst.h>

#include <algorithm>
#include <deque>
#include <mutex>

#include "common/gobject_ptr.h"
#include "transport/close_codes.h"
#include "transport/handshake.h"
#include "transport/lingering_close.h"
#include "transport/opening.h"
#include "transport/transport_debug.h"
#include "transport/ws_connection.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {
namespace {

const char* kind_name(CloseInfo::Kind kind) {
  switch (kind) {
    case CloseInfo::Kind::ConnectFailed:
      return "connect failed";
    case CloseInfo::Kind::Closed:
      return "closed";
    case CloseInfo::Kind::Dropped:
      return "dropped";
  }
  return "?";
}

// Listener code is user code: nothing may unwind into GLib.
template <typename Fn>
void guarded(const char* what, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    GST_ERROR("%s threw: %s", what, e.what());
  } catch (...) {
    GST_ERROR("%s threw", what);
  }
}

}  // namespace

struct WebSocketClient::Impl : std::enable_shared_from_this<Impl> {
  enum class State { Idle, Connecting, Open, Closing, Closed };

  Impl(EventLoopThread* l, WebSocketOptions o, WebSocketListener li)
      : loop(l), options(std::move(o)), listener(std::move(li)) {}

  ~Impl() {
    // teardown() released every connection object on the loop thread already.
    g_assert(!conn && !opening && !timeout_source && !stall_source);
  }

  // Owned by WebSocketClient; used only while it lives (detached after).
  EventLoopThread* const loop;
  WebSocketOptions options;  // read on the loop thread; connect(headers) sets its headers there

  // Shared with sending threads.
  mutable std::mutex mutex;
  SendQueue queue{options.max_queued_bytes};
  std::function<void()> room;  // set_room_callback()
  bool accepting = true;       // send_text() takes messages
  bool writable = false;       // the socket is open: flushes can write
  bool flush_pending = false;  // one flush is scheduled on the loop

  // Loop thread only.
  WebSocketListener listener;
  bool detached = false;  // the owner is gone: no listener call, no new I/O
  State state = State::Idle;
  uint64_t attempt = 0;                // bumped per connect(); stale completions are ignored
  std::shared_ptr<Opening> opening;    // while connecting
  std::unique_ptr<WsConnection> conn;  // while open or closing
  GSource* timeout_source = nullptr;
  GSource* stall_source = nullptr;  // the stall watch while open

  // --- any thread -------------------------------------------------------

  void schedule_flush_locked() {
    if (!writable || flush_pending) return;
    flush_pending = true;
    loop->post([self = shared_from_this()] { self->flush(); });
  }

  // --- loop thread ------------------------------------------------------

  void start_connect() {
    if (detached) return;
    if (state == State::Connecting || state == State::Open || state == State::Closing) {
      GST_WARNING("connect() while a connection is active; ignored");
      return;
    }
    ++attempt;
    state = State::Connecting;

    const std::string problem = websocket_uri_problem(options.uri);
    if (!problem.empty()) {
      fail_connect(problem);
      return;
    }
    if (options.connect_timeout_s > 0) {
      // Millisecond precision: a seconds source may fire up to 1 s early.
      timeout_source = g_timeout_source_new(options.connect_timeout_s * 1000u);
      g_source_set_callback(timeout_source, on_connect_timeout, this, nullptr);
      g_source_attach(timeout_source, loop->context());
    }

    GST_INFO("connecting to %s%s (%zu extra headers)", redact_uri(options.uri).c_str(),
             options.api_key.empty() ? "" : " with x-goog-api-key: <redacted>", options.headers.size());
    opening = Opening::start(options, [self = shared_from_this(), call_attempt = attempt](OpenedStream opened) {
      guarded("connect completion", [&] { self->connected(call_attempt, std::move(opened)); });
    });
  }

  void clear_timeout() {
    if (timeout_source) {
      g_source_destroy(timeout_source);
      g_source_unref(timeout_source);
      timeout_source = nullptr;
    }
  }

  void fail_connect(std::string reason, int http_status = 0) {
    CloseInfo info;
    info.kind = CloseInfo::Kind::ConnectFailed;
    info.code = 1006;
    info.reason = std::move(reason);
    info.http_status = http_status;
    report_closed(info);
  }

  void connected(uint64_t call_attempt, OpenedStream opened) {
    if (detached || call_attempt != attempt || state != State::Connecting) return;  // abandoned
    clear_timeout();
    opening.reset();
    if (!opened.stream) {
      GST_WARNING("connecting to %s failed: %s", redact_uri(options.uri).c_str(), opened.failure.reason.c_str());
      fail_connect(std::move(opened.failure.reason), opened.failure.http_status);
      return;
    }

    WsConnection::Events events;
    events.message = [this](std::string_view payload, bool binary) { on_message(payload, binary); };
    events.writable = [this] { guarded("flush", [&] { flush(); }); };
    events.ended = [this](const WsEnd& end) { guarded("close handling", [&] { closed(end); }); };
    conn = std::make_unique<WsConnection>(std::move(opened.stream), std::move(opened.early_bytes),
                                          options.max_incoming_payload, std::move(events));
    conn->set_keepalive(keepalive_interval_ms());
    state = State::Open;
    GST_INFO("connected to %s", redact_uri(options.uri).c_str());
    start_stall_watch();
    {
      std::lock_guard<std::mutex> lock(mutex);
      writable = true;
    }
    flush();  // what was sent before the socket opened goes first, in order
    if (detached || state != State::Open) return;
    if (listener.on_open) guarded("on_open", [&] { listener.on_open(); });
    if (conn && state == State::Open) conn->start();  // the server's frames from here on
  }

  // Pings every third of the stall timeout, so a quiet but healthy peer
  // answers with a pong well before it would count as stalled.
  unsigned keepalive_interval_ms() const {
    const auto stall_ms = options.stall_timeout.count();
    const unsigned configured = options.keepalive_interval_s * 1000u;
    if (stall_ms <= 0) return configured;
    const unsigned for_stall = static_cast<unsigned>(std::max<int64_t>(100, stall_ms / 3));
    return configured ? std::min(configured, for_stall) : for_stall;
  }

  void start_stall_watch() {
    if (options.stall_timeout.count() <= 0) return;
    const auto period = std::clamp<int64_t>(options.stall_timeout.count() / 4, 50, 1000);
    stall_source = g_timeout_source_new(static_cast<guint>(period));
    g_source_set_callback(stall_source, on_stall_check, this, nullptr);
    g_source_attach(stall_source, loop->context());
  }

  void stop_stall_watch() {
    if (!stall_source) return;
    g_source_destroy(stall_source);
    g_source_unref(stall_source);
    stall_source = nullptr;
  }

  static gboolean on_stall_check(gpointer data) {
    auto* self = static_cast<Impl*>(data);
    guarded("stall check", [&] { self->check_stall(); });
    return G_SOURCE_CONTINUE;
  }

  void check_stall() {
    if (state != State::Open || !conn) return;
    const auto quiet = std::chrono::milliseconds((g_get_monotonic_time() - conn->last_received_us()) / 1000);
    if (quiet < options.stall_timeout) return;
    char seconds[32];
    g_snprintf(seconds, sizeof seconds, "%.1f", static_cast<double>(quiet.count()) / 1000.0);
    GST_WARNING("nothing received for %s s, not even a pong: the connection stalled", seconds);
    CloseInfo info;
    info.kind = CloseInfo::Kind::Dropped;
    info.code = 1006;
    info.reason = std::string("the connection stalled: nothing received for ") + seconds + " s, not even a pong";
    abort_connection(info);
  }

  // Ends an open connection that the peer no longer serves: shutting the
  // socket down at once (a close handshake would wait on the silent peer),
  // and the report goes out now.
  void abort_connection(const CloseInfo& info) {
    stop_stall_watch();
    if (conn) conn->abort();
    conn.reset();
    report_closed(info);
  }

  // Hands queued frames to the connection while the socket takes data
  // (`all`: every one, before a close); then waits for it to be writable.
  void flush(bool all = false) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!writable) {
        flush_pending = false;
        return;
      }
    }
    if (detached || state != State::Open || !conn) {
      std::lock_guard<std::mutex> lock(mutex);
      flush_pending = false;
      return;
    }
    if (!conn->open()) {
      // The peer's close frame arrived; closed() follows and drops the rest.
      // From here offers are refused, so the session holds them for the
      // next connection.
      std::lock_guard<std::mutex> lock(mutex);
      GST_DEBUG("dropping %zu messages: the peer is closing", queue.size());
      flush_pending = false;
      accepting = false;
      queue.clear();
      return;
    }
    for (;;) {
      if (!all && !conn->ready()) return;  // flush_pending stays set: `writable` resumes the flush
      std::deque<std::string> batch;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (queue.empty()) {
          flush_pending = false;
          break;
        }
        batch = queue.take(WsConnection::kHighWater);  // one lock for several messages
      }
      for (auto& text : batch) conn->send_text(std::move(text));
      conn->flush();      // one system call for the batch
      if (!conn) return;  // the write failed: closed() has reported it
    }
    std::function<void()> room_now;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (queue.room_returned()) room_now = room;
    }
    if (room_now) guarded("room", [&] { room_now(); });
  }

  void close_on_loop(int code, std::string reason) {
    if (detached) return;
    switch (state) {
      case State::Idle:
      case State::Closed:
        drop_queue();
        return;
      case State::Connecting: {
        // Nothing to close yet: stop connecting and report what was asked.
        ++attempt;
        clear_timeout();
        abandon_and_release(loop, std::move(opening));
        CloseInfo info;
        info.kind = CloseInfo::Kind::Closed;
        info.code = code;
        info.reason = std::move(reason);
        report_closed(info);
        return;
      }
      case State::Open: {
        flush(true);  // all of it, ahead of the close frame
        {
          std::lock_guard<std::mutex> lock(mutex);
          writable = false;
        }
        if (!conn) return;  // the last writes failed: reported already
        state = State::Closing;
        // The peer closed first: the connection has answered, closed() follows.
        if (!conn->open()) return;
        const int our_code = sendable_close_code(code);
        const std::string our_reason = truncate_reason(std::move(reason));
        GST_INFO("closing with %d (%s) '%s'", our_code, close_code_name(our_code), our_reason.c_str());
        conn->close(our_code, our_reason);
        return;
      }
      case State::Closing:
        return;
    }
  }

  void drop_queue() {
    std::lock_guard<std::mutex> lock(mutex);
    queue.clear();
    writable = false;
    flush_pending = false;
  }

  void report_closed(const CloseInfo& info) {
    if (state != State::Connecting && state != State::Open && state != State::Closing) return;
    state = State::Closed;
    {
      std::lock_guard<std::mutex> lock(mutex);
      accepting = false;
    }
    drop_queue();
    GST_INFO("%s: %d (%s) '%s'%s", kind_name(info.kind), info.code, close_code_name(info.code), info.reason.c_str(),
             info.http_status ? (" HTTP " + std::to_string(info.http_status)).c_str() : "");
    if (!detached && listener.on_closed) guarded("on_closed", [&] { listener.on_closed(info); });
  }

  void teardown() {
    detached = true;
    // Destroy user captures here, on the loop, while the owner still waits.
    listener = {};
    {
      std::lock_guard<std::mutex> lock(mutex);
      room = {};
    }
    ++attempt;
    clear_timeout();
    stop_stall_watch();
    abandon_and_release(loop, std::move(opening));
    close_and_release(loop, std::move(conn), 1000);
    drop_queue();
    state = State::Closed;
  }

  // --- connection callbacks (loop thread) --------------------------------

  static gboolean on_connect_timeout(gpointer data) {
    auto* self = static_cast<Impl*>(data);
    GST_DEBUG("connect timeout");
    g_source_unref(self->timeout_source);
    self->timeout_source = nullptr;
    if (self->opening) self->opening->time_out();
    return G_SOURCE_REMOVE;
  }

  void on_message(std::string_view payload, bool binary) {
    if (detached || !listener.on_message) return;
    GST_LOG("received %s frame of %zu bytes", binary ? "binary" : "text", payload.size());
    guarded("on_message", [&] { listener.on_message(payload, binary); });
  }

  void closed(const WsEnd& end) {
    GST_DEBUG("connection ended: peer close code %d '%s', we closed: %d (%d), error '%s'", end.peer_code,
              end.peer_reason.c_str(), end.we_closed, end.our_code, end.error.c_str());
    CloseInfo info;
    if (end.peer_code != 0) {
      info.kind = CloseInfo::Kind::Closed;
      info.code = end.peer_code;
      info.reason = end.peer_reason.empty() ? end.error : end.peer_reason;
    } else if (end.we_closed) {
      // Our close went out; the peer hung up instead of answering.
      info.kind = CloseInfo::Kind::Closed;
      info.code = end.our_code;
      info.reason = end.our_reason.empty() ? end.error : end.our_reason;
    } else {
      info.kind = CloseInfo::Kind::Dropped;
      info.code = 1006;
      info.reason = end.error.empty() ? "connection closed without a close frame" : end.error;
    }
    stop_stall_watch();
    conn.reset();  // its last act was this call: nothing of it runs after
    report_closed(info);
  }
};

WebSocketClient::WebSocketClient(std::shared_ptr<EventLoopThread> loop, WebSocketOptions options,
                                 WebSocketListener listener)
    : loop_(std::move(loop)), impl_(std::make_shared<Impl>(loop_.get(), std::move(options), std::move(listener))) {
  ensure_transport_debug();
}

WebSocketClient::~WebSocketClient() {
  // Teardown runs on the loop, so no listener call can be under way once it
  // returns; calling this from a listener would destroy the running callback.
  loop_->run_sync([this] { impl_->teardown(); });
}

void WebSocketClient::connect() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->accepting = true;
  }
  impl_->loop->post([impl = impl_] { impl->start_connect(); });
}

void WebSocketClient::connect(std::vector<std::pair<std::string, std::string>> headers) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->accepting = true;
  }
  // The options are the loop thread's from here: set there, before connecting.
  impl_->loop->post([impl = impl_, headers = std::move(headers)]() mutable {
    impl->options.headers = std::move(headers);
    impl->start_connect();
  });
}

bool WebSocketClient::send_text(std::string message) { return offer_text(message); }

bool WebSocketClient::offer_text(std::string& message, Offer offer, QueueDrops* drops) {
  if (!offer.known_utf8 && !g_utf8_validate(message.data(), static_cast<gssize>(message.size()), nullptr)) {
    GST_WARNING("refusing to send a text frame that is not UTF-8");
    return false;
  }
  Impl& i = *impl_;
  std::lock_guard<std::mutex> lock(i.mutex);
  if (!i.accepting) return false;
  i.queue.push(std::move(message), offer.droppable, drops, offer.tag);
  i.schedule_flush_locked();
  return true;
}

void WebSocketClient::close(int code, std::string reason) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->accepting = false;
  }
  impl_->loop->post(
      [impl = impl_, code, reason = std::move(reason)]() mutable { impl->close_on_loop(code, std::move(reason)); });
}

std::size_t WebSocketClient::queued_bytes() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->queue.bytes();
}

std::size_t WebSocketClient::max_queued_bytes() const { return impl_->options.max_queued_bytes; }

bool WebSocketClient::has_room() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->queue.has_room();
}

void WebSocketClient::set_room_callback(std::function<void()> room) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->room = std::move(room);
}

}  // namespace geminilive::transport
