// SPDX-License-Identifier: LGPL-2.1-or-later
#include "mock_log.h"

GST_DEBUG_CATEGORY_STATIC(geminilive_mock_server_debug);

namespace geminilive::mock {

GstDebugCategory* mock_debug_category() {
  static gsize initialized = 0;
  if (g_once_init_enter(&initialized)) {
    GST_DEBUG_CATEGORY_INIT(geminilive_mock_server_debug, "geminilivemockserver", 0, "geminilive local Live server");
    g_once_init_leave(&initialized, 1);
  }
  return geminilive_mock_server_debug;
}

}  // namespace geminilive::mock
