// SPDX-License-Identifier: LGPL-2.1-or-later
// The opening handshake of a WebSocketClient connection: the soup session
// that carries it (trusting the CAs asked for), the upgrade request (the
// extra headers, the key in x-goog-api-key, never in the URI), the words for
// a failed connect, and the URI as logs may show it. Soup objects: the
// client's loop thread only. Internal to gst/transport.
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <string>

#include "common/gobject_ptr.h"
#include "transport/websocket_client.h"

namespace geminilive::transport {

// The URI as logs may show it: values of key-like query parameters hidden,
// in case a caller ignored the "no key in the URI" rule.
std::string redact_uri(const std::string& uri);

// A session for the connections of `options`, trusting its ca_file instead
// of the system store when given; null, with `error` set, when that file
// can't be loaded (never a fallback to the system store).
GObjectPtr<SoupSession> handshake_session(const WebSocketOptions& options, std::string& error);

// The upgrade request to options.uri, which websocket_uri_problem() accepts.
GObjectPtr<SoupMessage> handshake_request(const WebSocketOptions& options);

struct ConnectFailure {
  std::string reason;
  int http_status = 0;  // the upgrade's status when the server refused it
};
// Why a connect failed: the timeout, the certificate's problems, the HTTP
// status of a refused upgrade, or libsoup's error. `request` may be null.
ConnectFailure describe_connect_failure(const GError* error, SoupMessage* request, bool timed_out, unsigned timeout_s,
                                        GTlsCertificateFlags tls_errors);

}  // namespace geminilive::transport
