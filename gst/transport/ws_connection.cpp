// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/ws_connection.h"

#include <gst/gst.h>

#include <array>

#include "protocol/string_pool.h"
#include "transport/transport_debug.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {
namespace {

// Vectors per write: header and payload of up to 32 frames in one system call.
constexpr std::size_t kMaxVectors = 64;
// Reads per wake-up, so that one busy connection does not starve the loop's others.
constexpr int kMaxReadsPerWake = 16;

void destroy_source(GSource*& source) {
  if (!source) return;
  g_source_destroy(source);
  g_source_unref(source);
  source = nullptr;
}

}  // namespace

WsConnection::WsConnection(GObjectPtr<GIOStream> stream, std::string early, uint64_t max_incoming, Events events)
    : stream_(std::move(stream)),
      socket_(G_IS_SOCKET_CONNECTION(stream_.get()) ? g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream_.get()))
                                                    : nullptr),
      in_(G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(stream_.get()))),
      out_(G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(stream_.get()))),
      early_(std::move(early)),
      reader_(max_incoming),
      events_(std::move(events)),
      last_received_us_(g_get_monotonic_time()) {}

WsConnection::~WsConnection() {
  *alive_ = false;
  stop_sources();
  for (auto& frame : outgoing_) protocol::recycle_string(std::move(frame.payload));
  close_stream();
}

void WsConnection::close_stream() {
  if (g_io_stream_is_closed(stream_.get())) return;
  // Shut down first: a TLS close would otherwise try to write to a peer that
  // may not read.
  if (socket_) g_socket_shutdown(socket_, TRUE, TRUE, nullptr);
  g_io_stream_close(stream_.get(), nullptr, nullptr);
}

void WsConnection::start() {
  read_source_ = g_pollable_input_stream_create_source(in_, nullptr);
  g_source_set_callback(read_source_, G_SOURCE_FUNC(on_readable), this, nullptr);
  g_source_attach(read_source_, g_main_context_get_thread_default());
  if (early_.empty()) return;
  const std::string early = std::move(early_);
  auto alive = alive_;
  const bool ok = reader_.feed(early.data(), early.size(), [this](const ws::ServerFrame& f) { on_frame(f); });
  if (!*alive) return;
  if (!ok) return protocol_error(reader_.error_code(), reader_.error());
  flush();
}

void WsConnection::set_keepalive(unsigned interval_ms) {
  destroy_source(keepalive_);
  if (interval_ms == 0) return;
  keepalive_ = g_timeout_source_new(interval_ms);
  g_source_set_callback(keepalive_, on_keepalive, this, nullptr);
  g_source_attach(keepalive_, g_main_context_get_thread_default());
}

bool WsConnection::ready() {
  if (pending_ < kHighWater) return true;
  want_writable_ = true;
  return false;
}

void WsConnection::send_text(std::string text) {
  if (!open()) {
    protocol::recycle_string(std::move(text));
    return;
  }
  queue(ws::kText, std::move(text));
}

void WsConnection::queue(ws::Opcode opcode, std::string payload) {
  Outgoing& frame = outgoing_.emplace_back();
  // RFC 6455 5.3: a fresh mask per frame. libsoup takes it from g_random too.
  const uint32_t mask = g_random_int();
  frame.header_size = ws::client_frame_header(opcode, payload.size(), mask, frame.header);
  ws::apply_mask(payload.data(), payload.size(), mask);
  frame.payload = std::move(payload);
  pending_ += frame.size();
}

void WsConnection::flush() {
  if (ended_) return;
  auto alive = alive_;
  while (!outgoing_.empty() && !write_source_) {
    std::array<GOutputVector, kMaxVectors> vectors;
    std::size_t n = 0;
    for (auto it = outgoing_.begin(); it != outgoing_.end() && n + 2 <= kMaxVectors; ++it) {
      std::size_t skip = it->sent;
      if (skip < it->header_size) {
        vectors[n++] = {it->header + skip, it->header_size - skip};
        skip = 0;
      } else {
        skip -= it->header_size;
      }
      if (skip < it->payload.size()) vectors[n++] = {it->payload.data() + skip, it->payload.size() - skip};
    }
    gsize written = 0;
    g_autoptr(GError) error = nullptr;
    const GPollableReturn r =
        g_pollable_output_stream_writev_nonblocking(out_, vectors.data(), n, &written, nullptr, &error);
    if (r == G_POLLABLE_RETURN_WOULD_BLOCK) {
      wait_writable();
      break;
    }
    if (r == G_POLLABLE_RETURN_FAILED) {
      fail(std::string("cannot send: ") + (error ? error->message : "write failed"));
      return;
    }
    pending_ -= written;
    while (written > 0) {
      Outgoing& front = outgoing_.front();
      const std::size_t left = front.size() - front.sent;
      if (written < left) {
        front.sent += written;
        break;
      }
      written -= left;
      protocol::recycle_string(std::move(front.payload));
      outgoing_.pop_front();
    }
  }
  if (outgoing_.empty()) maybe_finish_close();
  if (!*alive || ended_) return;
  if (want_writable_ && pending_ < kHighWater) {
    want_writable_ = false;
    if (events_.writable) events_.writable();
  }
}

void WsConnection::wait_writable() {
  if (write_source_) return;
  write_source_ = g_pollable_output_stream_create_source(out_, nullptr);
  g_source_set_callback(write_source_, G_SOURCE_FUNC(on_writable_source), this, nullptr);
  g_source_attach(write_source_, g_main_context_get_thread_default());
}

gboolean WsConnection::on_writable_source(GObject*, gpointer data) {
  auto* self = static_cast<WsConnection*>(data);
  destroy_source(self->write_source_);
  self->flush();
  return G_SOURCE_REMOVE;
}

void WsConnection::close(int code, const std::string& reason) {
  if (!open()) return;
  we_closed_ = true;
  end_.we_closed = true;
  end_.our_code = code;
  end_.our_reason = reason;
  queue(ws::kClose, ws::close_payload(code, reason));
  if (!close_timer_) arm_close_timer();
  flush();
}

void WsConnection::abort() {
  if (ended_) return;
  ended_ = true;
  stop_sources();
  close_stream();
}

gboolean WsConnection::on_readable(GObject*, gpointer data) {
  static_cast<WsConnection*>(data)->read_some();
  return G_SOURCE_CONTINUE;  // when it ended, the source is destroyed already
}

void WsConnection::read_some() {
  // One buffer for every connection of the loop thread: bytes are copied
  // into the frame reader at once.
  static thread_local std::array<char, 64 * 1024> buffer;
  auto alive = alive_;
  for (int i = 0; i < kMaxReadsPerWake && !ended_; ++i) {
    g_autoptr(GError) error = nullptr;
    const gssize n = g_pollable_input_stream_read_nonblocking(in_, buffer.data(), buffer.size(), nullptr, &error);
    if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) return;
    if (n < 0) return fail(error->message);
    if (n == 0) return fail(peer_closed_ || we_closed_ ? "" : "connection closed without a close frame");
    last_received_us_ = g_get_monotonic_time();
    if (failing_) continue;  // our close frame is on its way; nothing more is read
    const bool ok =
        reader_.feed(buffer.data(), static_cast<std::size_t>(n), [this](const ws::ServerFrame& f) { on_frame(f); });
    if (!*alive) return;
    if (!ok) return protocol_error(reader_.error_code(), reader_.error());
    flush();  // pongs and a close answer go out now
    if (!*alive) return;
  }
}

void WsConnection::on_frame(const ws::ServerFrame& frame) {
  if (ended_) return;
  switch (frame.kind) {
    case ws::ServerFrame::Kind::Message:
      if (peer_closed_) return;  // nothing counts after the peer's close
      if (events_.message) events_.message(frame.payload, frame.binary);
      return;
    case ws::ServerFrame::Kind::Ping:
      if (!we_closed_) queue(ws::kPong, std::string(frame.payload));
      return;
    case ws::ServerFrame::Kind::Pong:
      return;  // its bytes have set last_received_us_
    case ws::ServerFrame::Kind::Close:
      if (peer_closed_) return;
      peer_closed_ = true;
      end_.peer_code = frame.close_code;
      end_.peer_reason = std::string(frame.payload);
      GST_DEBUG("the peer closed: %d '%s'", frame.close_code, end_.peer_reason.c_str());
      // Answer with its code (RFC 6455 5.5.1), then end once that is
      // written (the reader's caller flushes: this runs inside the reader).
      if (!we_closed_) {
        we_closed_ = true;
        queue(ws::kClose, ws::close_payload(frame.close_code, {}));
      }
      return;
  }
}

void WsConnection::protocol_error(int code, const std::string& error) {
  GST_WARNING("closing with %d: %s", code, error.c_str());
  if (end_.error.empty()) end_.error = error;
  if (open()) {
    failing_ = true;
    close(code, {});
  } else {
    fail(error);
  }
}

void WsConnection::maybe_finish_close() {
  if (!we_closed_ || !outgoing_.empty() || ended_) return;
  // Failing the connection on a protocol error: done once our close frame is out.
  if (failing_) return finish();
  // Both close frames are through: the server closes the TCP connection
  // first (RFC 6455 7.1.1), so its side is gone when we report; the close
  // timer bounds the wait.
  if (peer_closed_ && !close_timer_) arm_close_timer();
}

void WsConnection::arm_close_timer() {
  close_timer_ = g_timeout_source_new(kCloseTimeoutMs);
  g_source_set_callback(close_timer_, on_close_timeout, this, nullptr);
  g_source_attach(close_timer_, g_main_context_get_thread_default());
}

void WsConnection::fail(std::string error) {
  if (ended_) return;
  if (!error.empty() && end_.error.empty()) end_.error = std::move(error);
  finish();
}

void WsConnection::finish() {
  ended_ = true;
  stop_sources();
  close_stream();
  const WsEnd end = end_;
  auto ended = std::move(events_.ended);
  events_ = {};
  if (ended) ended(end);  // last: it may destroy this
}

void WsConnection::stop_sources() {
  destroy_source(read_source_);
  destroy_source(write_source_);
  destroy_source(close_timer_);
  destroy_source(keepalive_);
}

gboolean WsConnection::on_close_timeout(gpointer data) {
  auto* self = static_cast<WsConnection*>(data);
  g_source_unref(self->close_timer_);
  self->close_timer_ = nullptr;
  GST_DEBUG("the close handshake did not end within %u ms", kCloseTimeoutMs);
  self->fail("");
  return G_SOURCE_REMOVE;
}

gboolean WsConnection::on_keepalive(gpointer data) {
  auto* self = static_cast<WsConnection*>(data);
  if (self->open()) {
    self->queue(ws::kPing, {});
    self->flush();
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace geminilive::transport
