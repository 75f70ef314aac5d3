// SPDX-License-Identifier: LGPL-2.1-or-later
// What a connection's end means for the user: the one place that turns the
// transport's CloseInfo into a SessionError, and decides whether trying
// again makes sense. Defined in session_error.cpp with the other texts.
// Internal to gst/session (the public session_error.h shows no transport type).
#pragma once

#include <string>

#include "session/endpoint.h"
#include "session/session_events.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

// The error for a connection that ended while the session still needed it.
// `uri` is the configured endpoint; only its part before any '?' is shown.
// A refusal's hint fits `credential` (which property to check, or that an
// ephemeral token needs minting again).
SessionError error_for_close(const transport::CloseInfo& info, const std::string& uri,
                             Credential credential = Credential::ApiKey);
// The same for a session of `config`: its endpoint and its credential.
SessionError error_for_close(const transport::CloseInfo& info, const SessionConfig& config);

// Whether a connection's end rules out trying again: a refused key, model
// or handle (1008), an invalid setup (1007), an exhausted quota, HTTP
// 401/403/404. Drops, 1011 internal errors, 1001/1012-1014 and, after a
// goAway, the expiry close (1008 "The operation was aborted.") are not.
bool close_is_final(const transport::CloseInfo& info, bool after_go_away);

// "1011 internal error \"Internal error encountered.\"", or the connect failure.
std::string describe_close(const transport::CloseInfo& info);

}  // namespace geminilive::session
