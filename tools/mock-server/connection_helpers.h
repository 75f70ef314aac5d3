// SPDX-License-Identifier: LGPL-2.1-or-later
// Small helpers shared by the files that define LiveConnection.
#pragma once

#include <glib.h>

#include <chrono>
#include <string>
#include <string_view>

#include "protocol/server_message.h"

namespace geminilive::mock {

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

inline gint64 ms_to_us(std::chrono::milliseconds ms) { return static_cast<gint64>(ms.count()) * 1000; }

inline protocol::ServerMessage content_message(protocol::ServerContent content) {
  protocol::ServerMessage m;
  m.server_content = std::move(content);
  return m;
}

}  // namespace geminilive::mock
