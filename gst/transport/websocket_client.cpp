// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/websocket_client.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <deque>
#include <mutex>

#include "common/gobject_ptr.h"
#include "transport/close_codes.h"
#include "transport/frame_writer.h"
#include "transport/handshake.h"
#include "transport/lingering_close.h"
#include "transport/socket_activity.h"
#include "transport/transport_debug.h"

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

// Listener code is user code: nothing may unwind into libsoup.
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
    // teardown() released every soup object on the loop thread already.
    g_assert(!conn && !session && !timeout_source && !stall_source && !writer.attached());
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
  uint64_t attempt = 0;  // bumped per connect(); stale completions are ignored
  GObjectPtr<SoupSession> session;
  GObjectPtr<SoupMessage> message;
  GObjectPtr<SoupWebsocketConnection> conn;
  GObjectPtr<GCancellable> cancellable;
  GSource* timeout_source = nullptr;
  bool timed_out = false;
  GSource* stall_source = nullptr;  // the stall watch while open
  GSocket* socket = nullptr;        // borrowed from conn's stream, for the stall watch
  FrameWriter writer;               // while open
  gint64 last_message_us = 0;       // monotonic time of the last frame received
  GTlsCertificateFlags tls_errors = GTlsCertificateFlags(0);
  bool we_closed = false;
  int our_code = 0;
  std::string our_reason;
  std::string last_error;

  struct ConnectCall {
    std::shared_ptr<Impl> impl;
    uint64_t attempt;
  };

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
    timed_out = false;
    tls_errors = GTlsCertificateFlags(0);
    we_closed = false;
    our_code = 0;
    our_reason.clear();
    last_error.clear();

    const std::string shown_uri = redact_uri(options.uri);
    if (!session) {
      std::string error;
      session = handshake_session(options, error);
      if (!session) {
        fail_connect(std::move(error));
        return;
      }
    }

    const std::string problem = websocket_uri_problem(options.uri);
    if (!problem.empty()) {
      fail_connect(problem);
      return;
    }
    message = handshake_request(options);
    g_signal_connect(message.get(), "accept-certificate", G_CALLBACK(on_accept_certificate), this);

    cancellable.reset(g_cancellable_new());
    if (options.connect_timeout_s > 0) {
      // Millisecond precision: a seconds source may fire up to 1 s early.
      timeout_source = g_timeout_source_new(options.connect_timeout_s * 1000u);
      g_source_set_callback(timeout_source, on_connect_timeout, this, nullptr);
      g_source_attach(timeout_source, loop->context());
    }

    GST_INFO("connecting to %s%s (%zu extra headers)", shown_uri.c_str(),
             options.api_key.empty() ? "" : " with x-goog-api-key: <redacted>", options.headers.size());
    soup_session_websocket_connect_async(session.get(), message.get(), nullptr, nullptr, G_PRIORITY_DEFAULT,
                                         cancellable.get(), on_connected, new ConnectCall{shared_from_this(), attempt});
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

  void connected(uint64_t call_attempt, SoupWebsocketConnection* raw_conn, GError* error) {
    GObjectPtr<SoupWebsocketConnection> new_conn(raw_conn);
    g_autoptr(GError) err = error;
    if (detached || call_attempt != attempt || state != State::Connecting) {
      // Cancelled by close() or teardown; a late success is shut politely.
      if (new_conn) close_and_release(std::move(new_conn), 1000);
      return;
    }
    clear_timeout();
    cancellable.reset();

    if (!new_conn) {
      ConnectFailure failure =
          describe_connect_failure(err, message.get(), timed_out, options.connect_timeout_s, tls_errors);
      GST_WARNING("connecting to %s failed: %s", redact_uri(options.uri).c_str(), failure.reason.c_str());
      message.reset();
      fail_connect(std::move(failure.reason), failure.http_status);
      return;
    }
    message.reset();

    conn = std::move(new_conn);
    soup_websocket_connection_set_max_incoming_payload_size(conn.get(), options.max_incoming_payload);
    soup_websocket_connection_set_keepalive_interval(conn.get(), keepalive_interval_s());
    g_signal_connect(conn.get(), "message", G_CALLBACK(on_message), this);
    g_signal_connect(conn.get(), "error", G_CALLBACK(on_error), this);
    g_signal_connect(conn.get(), "closed", G_CALLBACK(on_closed), this);
    state = State::Open;
    GST_INFO("connected to %s", redact_uri(options.uri).c_str());
    start_stall_watch();

    writer.attach(conn.get(), loop->context(), [this] { guarded("flush", [&] { flush(); }); });
    {
      std::lock_guard<std::mutex> lock(mutex);
      writable = true;
    }
    flush();  // what was sent before the socket opened goes first, in order
    if (!detached && listener.on_open) guarded("on_open", [&] { listener.on_open(); });
  }

  // Pings every third of the stall timeout (at least 1 s, libsoup's unit).
  unsigned keepalive_interval_s() const {
    const auto stall_ms = options.stall_timeout.count();
    if (stall_ms <= 0) return options.keepalive_interval_s;
    const unsigned for_stall = std::max<unsigned>(1, static_cast<unsigned>(stall_ms / 3000));
    return options.keepalive_interval_s ? std::min(options.keepalive_interval_s, for_stall) : for_stall;
  }

  void start_stall_watch() {
    if (options.stall_timeout.count() <= 0) return;
    socket = underlying_socket(soup_websocket_connection_get_io_stream(conn.get()));
    if (!socket || !since_last_data_received(socket)) {
      // Without the socket's receive time only frames could be timed, and a
      // quiet session would look stalled: better no watch than false alarms.
      GST_INFO("stall detection unavailable: no TCP socket under this connection");
      socket = nullptr;
      return;
    }
    last_message_us = g_get_monotonic_time();
    const auto period = std::clamp<int64_t>(options.stall_timeout.count() / 4, 50, 1000);
    stall_source = g_timeout_source_new(static_cast<guint>(period));
    g_source_set_callback(stall_source, on_stall_check, this, nullptr);
    g_source_attach(stall_source, loop->context());
  }

  void stop_stall_watch() {
    socket = nullptr;
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
    if (state != State::Open || !socket) return;
    const auto since_frame = std::chrono::milliseconds((g_get_monotonic_time() - last_message_us) / 1000);
    const auto since_data = since_last_data_received(socket).value_or(since_frame);
    const auto quiet = std::min(since_frame, since_data);
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
  // socket down ends libsoup's I/O at once (a close handshake would wait on
  // the silent peer), and the report goes out now.
  void abort_connection(const CloseInfo& info) {
    GSocket* s = socket;
    stop_stall_watch();
    if (conn) {
      g_signal_handlers_disconnect_by_data(conn.get(), this);
      if (s) g_socket_shutdown(s, TRUE, TRUE, nullptr);
      close_and_release(std::move(conn), 1001);
    }
    report_closed(info);
  }

  // Hands queued frames to libsoup while the socket takes data (`all`: every
  // one, before a close); then waits for the socket to be writable again.
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
    if (soup_websocket_connection_get_state(conn.get()) != SOUP_WEBSOCKET_STATE_OPEN) {
      // The peer's close frame arrived; on_closed follows and drops the rest.
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
      if (!all && !writer.ready()) {
        writer.end_batch();
        return;  // flush_pending stays set: the writable socket resumes the flush
      }
      std::deque<std::string> batch;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (queue.empty()) {
          flush_pending = false;
          break;
        }
        batch = queue.take(FrameWriter::kCheckEvery);  // one lock for several messages
      }
      writer.begin_batch(batch.size());
      for (auto& text : batch) writer.send(std::move(text));
    }
    writer.end_batch();
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
        if (cancellable) g_cancellable_cancel(cancellable.get());
        cancellable.reset();
        message.reset();
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
        state = State::Closing;
        if (soup_websocket_connection_get_state(conn.get()) != SOUP_WEBSOCKET_STATE_OPEN) {
          // The peer closed first; libsoup already answered, on_closed follows.
          return;
        }
        we_closed = true;
        our_code = sendable_close_code(code);
        our_reason = truncate_reason(std::move(reason));
        GST_INFO("closing with %d (%s) '%s'", our_code, close_code_name(our_code), our_reason.c_str());
        soup_websocket_connection_close(conn.get(), static_cast<gushort>(our_code),
                                        our_reason.empty() ? nullptr : our_reason.c_str());
        return;
      }
      case State::Closing:
        return;
    }
  }

  void drop_queue() {
    writer.detach();
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

  void close_and_release(GObjectPtr<SoupWebsocketConnection> c, int code) {
    // Also runs after detach (a late connect): on the loop thread, the loop is alive.
    transport::close_and_release(loop, std::move(c), code);
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
    if (cancellable) g_cancellable_cancel(cancellable.get());
    cancellable.reset();
    if (message) g_signal_handlers_disconnect_by_data(message.get(), this);
    message.reset();
    if (conn) {
      g_signal_handlers_disconnect_by_data(conn.get(), this);
      close_and_release(std::move(conn), 1000);
    }
    if (session) soup_session_abort(session.get());
    session.reset();
    drop_queue();
    state = State::Closed;
  }

  // --- libsoup callbacks (loop thread) -----------------------------------

  static void on_connected(GObject* source, GAsyncResult* result, gpointer data) {
    std::unique_ptr<ConnectCall> call(static_cast<ConnectCall*>(data));
    GError* error = nullptr;
    SoupWebsocketConnection* c = soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
    guarded("connect completion", [&] { call->impl->connected(call->attempt, c, error); });
  }

  static gboolean on_connect_timeout(gpointer data) {
    auto* self = static_cast<Impl*>(data);
    GST_DEBUG("connect timeout");
    self->timed_out = true;
    g_source_unref(self->timeout_source);
    self->timeout_source = nullptr;
    if (self->cancellable) g_cancellable_cancel(self->cancellable.get());
    return G_SOURCE_REMOVE;
  }

  static gboolean on_accept_certificate(SoupMessage*, GTlsCertificate*, GTlsCertificateFlags errors, gpointer data) {
    // Only remembered for the failure reason; the certificate is refused.
    static_cast<Impl*>(data)->tls_errors = errors;
    return FALSE;
  }

  static void on_message(SoupWebsocketConnection*, gint type, GBytes* payload, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    if (self->detached || !self->listener.on_message) return;
    gsize size = 0;
    const auto* bytes = static_cast<const char*>(g_bytes_get_data(payload, &size));
    const bool binary = type == SOUP_WEBSOCKET_DATA_BINARY;
    self->last_message_us = g_get_monotonic_time();
    GST_LOG("received %s frame of %" G_GSIZE_FORMAT " bytes", binary ? "binary" : "text", size);
    guarded("on_message", [&] { self->listener.on_message(std::string_view(bytes ? bytes : "", size), binary); });
  }

  static void on_error(SoupWebsocketConnection*, GError* error, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    GST_DEBUG("connection error: %s", error->message);
    self->last_error = error->message;
  }

  static void on_closed(SoupWebsocketConnection* c, gpointer data) {
    auto* self = static_cast<Impl*>(data);
    guarded("close handling", [&] { self->closed(c); });
  }

  void closed(SoupWebsocketConnection* c) {
    // libsoup reports the peer's close code, or 0 when no close frame came
    // (EOF, reset, or its own close timeout): that is the wire's 1006.
    const int peer_code = soup_websocket_connection_get_close_code(c);
    const char* peer_reason = soup_websocket_connection_get_close_data(c);
    GST_DEBUG("libsoup closed: peer close code %d, data '%s', we closed: %d, last error '%s'", peer_code,
              peer_reason ? peer_reason : "", we_closed, last_error.c_str());
    CloseInfo info;
    if (peer_code != 0) {
      info.kind = CloseInfo::Kind::Closed;
      info.code = peer_code;
      info.reason = peer_reason ? peer_reason : "";
      if (info.reason.empty() && !we_closed) info.reason = last_error;
    } else if (we_closed) {
      // Our close went out; the peer just hung up instead of answering.
      info.kind = CloseInfo::Kind::Closed;
      info.code = our_code;
      info.reason = our_reason;
    } else {
      info.kind = CloseInfo::Kind::Dropped;
      info.code = 1006;
      info.reason = last_error.empty() ? "connection closed without a close frame" : last_error;
    }
    g_signal_handlers_disconnect_by_data(c, this);
    stop_stall_watch();
    conn.reset();  // libsoup holds its own reference during the emission
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
