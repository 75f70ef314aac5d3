// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/transport_debug.h"

GST_DEBUG_CATEGORY(geminilive_transport_debug);

namespace geminilive::transport {

void ensure_transport_debug() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(geminilive_transport_debug, "geminilivetransport", 0, "geminilive WebSocket transport");
    g_once_init_leave(&once, 1);
  }
}

}  // namespace geminilive::transport
