// SPDX-License-Identifier: LGPL-2.1-or-later
// Finds the geminilive plugin without GST_PLUGIN_PATH: the normal registry
// first (installed, or GST_PLUGIN_PATH set), else this build tree's plugin
// directory, else the install directory under the configured prefix.
#pragma once

#include <string>

namespace geminilive::assistant {

// True when geminilivesink and geminilivesrc can be made; else *error says why.
bool ensure_geminilive_plugin(std::string* error);

}  // namespace geminilive::assistant
