// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/lingering_close.h"

#include <gst/gst.h>

#include "transport/transport_debug.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {

void close_and_release(EventLoopThread* loop, std::unique_ptr<WsConnection> c, int code) {
  if (!c || c->ended()) return;  // freeing it closes what is left
  struct Lingering {
    EventLoopThread* loop;
    std::unique_ptr<WsConnection> conn;
    EventLoopThread::LingerId id = 0;
  };
  auto* l = new Lingering{loop, std::move(c)};
  l->id = loop->begin_lingering([l] {
    GST_DEBUG("closing a connection whose close handshake did not end before its loop stopped");
    delete l;  // the connection's destructor closes its stream
  });
  WsConnection::Events events;
  events.ended = [l](const WsEnd&) {
    l->loop->end_lingering(l->id);
    delete l;
  };
  l->conn->set_events(std::move(events));
  l->conn->close(code, {});
}

void abandon_and_release(EventLoopThread* loop, std::shared_ptr<Opening> opening) {
  if (!opening) return;
  opening->abandon();
  // Whether the loop still waits for it: after the bound the loop stops,
  // and a late release (the context freeing a pending source) must not
  // reach it.
  auto waited = std::make_shared<bool>(true);
  const EventLoopThread::LingerId id = loop->begin_lingering([waited] {
    GST_DEBUG("an abandoned connection attempt did not end before its loop stopped");
    *waited = false;
  });
  opening->set_released([loop, id, waited] {
    if (*waited) loop->end_lingering(id);
  });
}

}  // namespace geminilive::transport
