// SPDX-License-Identifier: LGPL-2.1-or-later
// Logging for the local Live server: the GStreamer debug category
// "geminilivemockserver" (GST_DEBUG=geminilivemockserver:6), set up once,
// plus an optional sink (ServerOptions::log) for the program's stderr lines.
#pragma once

#include <gst/gst.h>

namespace geminilive::mock {

GstDebugCategory* mock_debug_category();

}  // namespace geminilive::mock
