// SPDX-License-Identifier: LGPL-2.1-or-later
// --print-config: where the assistant would connect and the exact setup
// message geminilivesink sends, without going to the network.
#pragma once

#include <string>

#include "sink_settings.h"

namespace geminilive::assistant {

// `shown_endpoint` replaces the element's URI in the output when not empty
// (the local server); `key_note` says where the key comes from. Returns the
// exit status.
int print_config(const SinkSettings& settings, const std::string& shown_endpoint, const std::string& key_note);

}  // namespace geminilive::assistant
