// SPDX-License-Identifier: LGPL-2.1-or-later
// Closing a connection nobody listens to any more: it stays alive until its
// close handshake ends, then is freed; if the loop stops first, the loop
// closes its stream and frees it.
#pragma once

#include <memory>

#include "transport/event_loop_thread.h"
#include "transport/ws_connection.h"

namespace geminilive::transport {

// Loop thread only. Sends `code` unless a close is under way already.
void close_and_release(EventLoopThread* loop, std::unique_ptr<WsConnection> conn, int code);

}  // namespace geminilive::transport
