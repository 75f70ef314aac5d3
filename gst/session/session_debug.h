// SPDX-License-Identifier: LGPL-2.1-or-later
// The session's GStreamer debug category, "geminilivesession"
// (GST_DEBUG=geminilivesession:6), shared by the files of the session's
// state machine. Internal to gst/session.
#pragma once

#include <gst/gst.h>

GST_DEBUG_CATEGORY_EXTERN(geminilive_session_debug);

namespace geminilive::session {

// The core library has no plugin_init, so the category is made on first use:
// call this before logging (LiveSession::create() does).
void ensure_session_debug();

}  // namespace geminilive::session
