// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/media_message.h"

#include "protocol/base64.h"
#include "protocol/json_value.h"
#include "protocol/string_pool.h"

namespace geminilive::protocol {

std::string encode_media_message(MediaField field, const std::string& mime_type, std::string_view data,
                                 std::string_view more) {
  const std::size_t raw = data.size() + more.size();
  std::string out = pooled_string(64 + mime_type.size() + (raw + 2) / 3 * 4);
  out += field == MediaField::Audio ? R"({"realtimeInput":{"audio":{"mimeType":)"
                                    : R"({"realtimeInput":{"video":{"mimeType":)";
  json_append_string(out, mime_type.c_str());
  out += R"(,"data":")";
  if (more.empty()) {
    base64_encode_append(data.data(), data.size(), out);
  } else {
    // Whole 3-byte groups from `data`, then its rest joined to `more`.
    const std::size_t whole = data.size() / 3 * 3;
    base64_encode_append(data.data(), whole, out);
    std::string joined(data.substr(whole));
    const std::size_t take = std::min<std::size_t>(more.size(), (3 - joined.size()) % 3);
    joined.append(more.substr(0, take));
    base64_encode_append(joined.data(), joined.size(), out);
    base64_encode_append(more.data() + take, more.size() - take, out);
  }
  out += R"("}}})";
  return out;
}

}  // namespace geminilive::protocol
