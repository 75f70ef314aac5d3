// SPDX-License-Identifier: LGPL-2.1-or-later
// What libsoup's writes to one browser's socket did, seen from below
// libsoup: SoupWebsocketConnection (libsoup 3.2) keeps its own queue of
// frames and has no API that tells its size. So the relay gives it the
// browser's stream wrapped (observed_io_stream_new), and the wrapper counts
// every write. libsoup asks for an output source exactly when its queue is
// not empty after a write (soup_websocket_connection_write), so `busy` says
// whether libsoup still holds something to send.
#pragma once

#include <gio/gio.h>

#include <cstdint>
#include <functional>
#include <memory>

namespace geminilive::relay {

struct WriteMeter {
  uint64_t written = 0;            // bytes that reached the socket
  bool busy = false;               // libsoup holds frames it could not write yet
  gint64 last_progress_us = 0;     // monotonic time of the last write that moved bytes
  uint64_t first_request = 0;      // size of the first write after `expect_frame` was set
  bool expect_frame = false;       // set by the sender just before it hands libsoup a frame
  std::function<void()> on_write;  // after each write (main context)
};

// A GIOStream that reads `base`'s input and writes through to `base`'s
// output, telling `meter` about each write. Closing it shuts `socket` (the
// connection's) down for writing at once, then reads and discards what the
// browser still sends for up to 2 s before closing `base`: closing a socket
// with unread input resets the connection, and the browser could lose the
// error message and the close frame just sent (e.g. after an oversized
// message, whose rest is never read).
GIOStream* observed_io_stream_new(GIOStream* base, GSocket* socket, std::shared_ptr<WriteMeter> meter);

}  // namespace geminilive::relay
