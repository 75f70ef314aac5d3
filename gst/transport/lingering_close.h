// SPDX-License-Identifier: LGPL-2.1-or-later
// Closing a connection nobody listens to any more: it stays alive until its
// close handshake ends, then is freed; if the loop stops first, the loop
// closes its stream and frees it.
#pragma once

#include <libsoup/soup.h>

#include "common/gobject_ptr.h"
#include "transport/event_loop_thread.h"

namespace geminilive::transport {

// Loop thread only. Sends `code` unless a close is under way already.
void close_and_release(EventLoopThread* loop, GObjectPtr<SoupWebsocketConnection> conn, int code);

}  // namespace geminilive::transport
