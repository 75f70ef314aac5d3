// SPDX-License-Identifier: LGPL-2.1-or-later
// How geminilivesink's session gets its Vertex AI access token: the
// access-token property, else $GOOGLE_CLOUD_ACCESS_TOKEN, and, when the
// application connects to need-access-token, a fresh one from that signal
// before each connection; else Application Default Credentials.
#pragma once

#include <gst/gst.h>

#include <string>

#include "session/session_config.h"

namespace geminilive::plugin {

// $GOOGLE_CLOUD_ACCESS_TOKEN, or "".
std::string env_access_token();

// Fills config.access_token from the environment when the property left it
// empty, and, when `sink` has a handler for `need_access_token` (a signal
// id), sets config.access_token_provider to emit it: on the session's loop
// thread, before each connection. With neither, on Vertex AI (not express
// mode), Application Default Credentials when there are some
// (session/access_token_source.h): config.access_token_source. Returns why
// they can't be used ("" when they can, or when there are none).
std::string set_access_token_source(GstElement* sink, guint need_access_token, session::SessionConfig& config);

}  // namespace geminilive::plugin
