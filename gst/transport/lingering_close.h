// SPDX-License-Identifier: LGPL-2.1-or-later
// Closing a connection nobody listens to any more: it stays alive until its
// close handshake ends, then is freed; if the loop stops first, the loop
// closes its stream and frees it. An abandoned opening likewise keeps the
// loop going (within its bound) until its cancelled calls come back and
// free its socket: GIO delivers them only to a running loop.
#pragma once

#include <memory>

#include "transport/event_loop_thread.h"
#include "transport/opening.h"
#include "transport/ws_connection.h"

namespace geminilive::transport {

// Loop thread only. Sends `code` unless a close is under way already.
void close_and_release(EventLoopThread* loop, std::unique_ptr<WsConnection> conn, int code);
// Loop thread only. Abandons `opening` and lets it end.
void abandon_and_release(EventLoopThread* loop, std::shared_ptr<Opening> opening);

}  // namespace geminilive::transport
