// SPDX-License-Identifier: LGPL-2.1-or-later
#include "plugin_loader.h"

#include <gst/gst.h>

namespace geminilive::assistant {

namespace {

bool have_elements() {
  for (const char* name : {"geminilivesink", "geminilivesrc"}) {
    g_autoptr(GstElementFactory) f = gst_element_factory_find(name);
    if (!f) return false;
  }
  return true;
}

}  // namespace

bool ensure_geminilive_plugin(std::string* error) {
  if (have_elements()) return true;
  // Both directories come from meson (tools/assistant/meson.build). Scanning
  // adds to this process's registry only.
  for (const char* dir : {GEMINILIVE_PLUGIN_BUILD_DIR, GEMINILIVE_PLUGIN_INSTALL_DIR}) {
    if (g_file_test(dir, G_FILE_TEST_IS_DIR)) gst_registry_scan_path(gst_registry_get(), dir);
    if (have_elements()) return true;
  }
  *error = "the geminilive plugin (geminilivesink, geminilivesrc) was not found in GStreamer's registry, in " +
           std::string(GEMINILIVE_PLUGIN_BUILD_DIR) + " or in " + GEMINILIVE_PLUGIN_INSTALL_DIR +
           ": build it (tools/setup) or set GST_PLUGIN_PATH to its directory";
  return false;
}

}  // namespace geminilive::assistant
