// SPDX-License-Identifier: LGPL-2.1-or-later
// The transport's GStreamer debug category, "geminilivetransport"
// (GST_DEBUG=geminilivetransport:6), shared by the event loop thread and the
// WebSocket client. Internal to gst/transport.
#pragma once

#include <gst/gst.h>

GST_DEBUG_CATEGORY_EXTERN(geminilive_transport_debug);

namespace geminilive::transport {

// The core library has no plugin_init, so the category is made on first use:
// call this before logging (constructors do).
void ensure_transport_debug();

}  // namespace geminilive::transport
