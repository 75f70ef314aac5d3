// SPDX-License-Identifier: LGPL-2.1-or-later
// What a close frame we send may carry: peers on libsoup refuse some valid
// codes, and a reason must fit the frame, so both are made sendable here. (close_code_name(), for messages users read,
// is declared in websocket_client.h.) Internal to gst/transport.
#pragma once

#include <string>

namespace geminilive::transport {

// The reason cut to the 123 bytes a close frame holds, on a UTF-8 boundary.
std::string truncate_reason(std::string reason);

// `code` when every peer accepts it from a client, else 1000.
int sendable_close_code(int code);

}  // namespace geminilive::transport
