// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/session_debug.h"

GST_DEBUG_CATEGORY(geminilive_session_debug);

namespace geminilive::session {

void ensure_session_debug() {
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(geminilive_session_debug, "geminilivesession", 0, "geminilive Live session");
    g_once_init_leave(&once, 1);
  }
}

}  // namespace geminilive::session
