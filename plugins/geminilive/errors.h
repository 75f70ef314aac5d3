// SPDX-License-Identifier: LGPL-2.1-or-later
// Session failures and warnings as GStreamer bus messages, in one place: the
// error domain and code for each SessionError::Kind (see the comments in
// session/session_events.h), the words the user reads, and the close code
// and reason for the debug string.
#pragma once

#include <gst/gst.h>

#include <string>

#include "session/session_events.h"

namespace geminilive::plugin {

struct GstErrorCode {
  GQuark domain;
  gint code;
};

GstErrorCode error_code(session::SessionError::Kind kind);

// The sentence of an ERROR message: the session's message, with the
// service's own words added when the message does not already hold them.
std::string error_text(const session::SessionError& error);

// Posts `error` as an ERROR message of `element`. Any thread.
void post_session_error(GstElement* element, const session::SessionError& error);

// Posts a WARNING message of `element` (STREAM/FAILED). Any thread.
void post_warning(GstElement* element, const std::string& text, const std::string& debug = {});

}  // namespace geminilive::plugin
