// SPDX-License-Identifier: LGPL-2.1-or-later
// The opening handshake of a WebSocketClient connection as data, no I/O:
// the HTTP upgrade request (the extra headers, the key in x-goog-api-key,
// never in the URI), the check of the server's answer, the words for a
// failed connect, and the URI as logs may show it. Internal to gst/transport.
#pragma once

#include <gio/gio.h>

#include <string>
#include <string_view>

#include "transport/websocket_client.h"

namespace geminilive::transport {

// The URI as logs may show it: values of key-like query parameters hidden,
// in case a caller ignored the "no key in the URI" rule.
std::string redact_uri(const std::string& uri);

// The Sec-WebSocket-Accept that answers `key` (RFC 6455 4.2.2).
std::string accept_for_key(const std::string& key);

// Whether `uri` (which websocket_uri_problem() accepts) is wss://, and the
// port it means when it names none.
bool websocket_uri_uses_tls(const std::string& uri);
inline int default_websocket_port(bool tls) { return tls ? 443 : 80; }

// A fresh Sec-WebSocket-Key: 16 random bytes in base64.
std::string new_websocket_key();

// The GET request that upgrades options.uri (which websocket_uri_problem()
// accepts) to a WebSocket with `key`; "" with `error` set when a header
// would break the request (a line break in a name or value).
std::string upgrade_request(const WebSocketOptions& options, const std::string& key, std::string& error);

// The server's answer to the upgrade request.
struct UpgradeAnswer {
  int status = 0;       // the HTTP status; 0 when the answer is not HTTP
  std::string problem;  // "" when it upgrades to our WebSocket; else why not
};
// `head` is the answer up to and including its blank line.
UpgradeAnswer check_upgrade_answer(std::string_view head, const std::string& key);

// The loaded PEM CAs of `ca_file`; null with `error` set when it cannot be
// used (then no connection: never a fallback to the system store).
GTlsDatabase* load_ca_file(const std::string& ca_file, std::string& error);

struct ConnectFailure {
  std::string reason;
  int http_status = 0;  // the upgrade's status when the server refused it
};
// Why a connect failed: the timeout, the certificate's problems, or GIO's
// error (`error` may be null when `answer` says why).
ConnectFailure describe_connect_failure(const GError* error, const UpgradeAnswer& answer, bool timed_out,
                                        unsigned timeout_s, GTlsCertificateFlags tls_errors);

}  // namespace geminilive::transport
