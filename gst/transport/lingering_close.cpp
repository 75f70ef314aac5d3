// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/lingering_close.h"

#include <gst/gst.h>

#include "transport/transport_debug.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {

void close_and_release(EventLoopThread* loop, GObjectPtr<SoupWebsocketConnection> c, int code) {
  if (soup_websocket_connection_get_state(c.get()) == SOUP_WEBSOCKET_STATE_CLOSED) return;
  struct Lingering {
    EventLoopThread* loop;
    SoupWebsocketConnection* conn;
    EventLoopThread::LingerId id;
    void release() {
      g_signal_handlers_disconnect_by_data(conn, this);
      g_object_unref(conn);
      delete this;
    }
  };
  auto* l = new Lingering{loop, c.release(), 0};
  l->id = loop->begin_lingering([l] {
    GST_DEBUG("closing a connection whose close handshake did not end before its loop stopped");
    g_io_stream_close(soup_websocket_connection_get_io_stream(l->conn), nullptr, nullptr);
    l->release();
  });
  g_signal_connect(l->conn, "closed", G_CALLBACK(+[](SoupWebsocketConnection*, gpointer data) {
                     auto* l = static_cast<Lingering*>(data);
                     l->loop->end_lingering(l->id);
                     l->release();
                   }),
                   l);
  if (soup_websocket_connection_get_state(l->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(l->conn, static_cast<gushort>(code), nullptr);
}

}  // namespace geminilive::transport
