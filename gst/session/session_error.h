// SPDX-License-Identifier: LGPL-2.1-or-later
// The session's errors in words for the user: each a SessionError (kind, the
// service's words and a sentence saying what to do); close_errors.h turns a
// connection's end into one. Elements map the kind onto GStreamer error
// domains; docs/troubleshooting.md quotes these messages.
#pragma once

#include <chrono>
#include <string>

#include "session/session_events.h"

namespace geminilive::session {

// Our own configuration is unusable (missing key, empty URI).
SessionError settings_error(std::string message);

// The config's access_token_source (Application Default Credentials)
// gave no token: `error` says why, without any secret.
SessionError credentials_error(const std::string& error);

// No setupComplete within the connect timeout.
SessionError setup_timeout_error(std::chrono::milliseconds timeout, const std::string& uri);

// "2.5 s": a duration in user-facing texts.
std::string format_seconds(std::chrono::microseconds duration);

// The endpoint as messages and logs may show it: without any query, where a
// key could hide.
std::string shown_uri(const std::string& uri);

}  // namespace geminilive::session
