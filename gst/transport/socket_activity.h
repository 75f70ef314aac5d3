// SPDX-License-Identifier: LGPL-2.1-or-later
// How long ago the kernel last received data on the TCP socket under a
// connection's stream (TLS and libsoup wrappers are looked through). Stall
// detection needs it because libsoup 3.2 answers our pings' pongs silently:
// a pong never reaches a "message" signal, but it is data on the socket.
#pragma once

#include <gio/gio.h>

#include <chrono>
#include <optional>

namespace geminilive::transport {

// The GSocket under `stream`, or null (a stream we cannot look through).
// Borrowed: valid while `stream` lives.
GSocket* underlying_socket(GIOStream* stream);

// Time since the last data segment arrived on `socket` (TCP_INFO's
// tcpi_last_data_recv); nullopt when the system cannot tell.
std::optional<std::chrono::milliseconds> since_last_data_received(GSocket* socket);

}  // namespace geminilive::transport
