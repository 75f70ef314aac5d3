// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/frame_writer.h"

#include <gst/gst.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <utility>

#include "protocol/string_pool.h"
#include "transport/socket_activity.h"
#include "transport/transport_debug.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {

void FrameWriter::attach(SoupWebsocketConnection* conn, GMainContext* context, std::function<void()> writable) {
  detach();
  conn_ = conn;
  socket_ = underlying_socket(soup_websocket_connection_get_io_stream(conn));
  context_ = context;
  writable_ = std::move(writable);
}

void FrameWriter::detach() {
  end_batch();
  stop_waiting();
  conn_ = nullptr;
  socket_ = nullptr;
  context_ = nullptr;
  writable_ = nullptr;
  handed_ = 0;
}

bool FrameWriter::ready() {
  if (!socket_ || handed_ < kCheckEvery) return true;
  if (!(g_socket_condition_check(socket_, G_IO_OUT) & G_IO_OUT)) {
    if (!wait_) {
      wait_ = g_socket_create_source(socket_, G_IO_OUT, nullptr);
      g_source_set_callback(wait_, G_SOURCE_FUNC(on_writable), this, nullptr);
      g_source_attach(wait_, context_);
    }
    return false;
  }
  handed_ = 0;
  return true;
}

void FrameWriter::send(std::string text) {
  GST_LOG("sending text frame of %zu bytes", text.size());
  handed_ += text.size();
  // The string itself goes to soup: no copy of multi-megabyte frames.
  auto* owned = new std::string(std::move(text));
  g_autoptr(GBytes) bytes = g_bytes_new_with_free_func(
      owned->data(), owned->size(),
      [](gpointer p) {
        // libsoup has copied it into its frame: the next message reuses the memory.
        auto* s = static_cast<std::string*>(p);
        protocol::recycle_string(std::move(*s));
        delete s;
      },
      owned);
  soup_websocket_connection_send_message(conn_, SOUP_WEBSOCKET_DATA_TEXT, bytes);
}

void FrameWriter::begin_batch(std::size_t frames) {
  if (frames < 2 || !socket_ || corked_) return;
  corked_ = g_socket_set_option(socket_, IPPROTO_TCP, TCP_CORK, 1, nullptr);
}

void FrameWriter::end_batch() {
  if (!corked_) return;
  corked_ = false;
  g_autoptr(GError) error = nullptr;
  // Uncorking sends what the kernel holds; failing that, the socket is gone
  // and libsoup reports it.
  if (!g_socket_set_option(socket_, IPPROTO_TCP, TCP_CORK, 0, &error))
    GST_DEBUG("cannot uncork the socket: %s", error->message);
}

gboolean FrameWriter::on_writable(GSocket*, GIOCondition, gpointer data) {
  auto* self = static_cast<FrameWriter*>(data);
  self->stop_waiting();
  self->handed_ = 0;
  if (self->writable_) self->writable_();
  return G_SOURCE_REMOVE;
}

void FrameWriter::stop_waiting() {
  if (!wait_) return;
  g_source_destroy(wait_);
  g_source_unref(wait_);
  wait_ = nullptr;
}

}  // namespace geminilive::transport
