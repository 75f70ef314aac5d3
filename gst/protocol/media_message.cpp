// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/media_message.h"

#include "protocol/base64.h"
#include "protocol/json_value.h"
#include "protocol/string_pool.h"

namespace geminilive::protocol {

std::string encode_media_message(MediaField field, const std::string& mime_type, std::string_view data) {
  std::string out = pooled_string(64 + mime_type.size() + (data.size() + 2) / 3 * 4);
  out += field == MediaField::Audio ? R"({"realtimeInput":{"audio":{"mimeType":)"
                                    : R"({"realtimeInput":{"video":{"mimeType":)";
  json_append_string(out, mime_type.c_str());
  out += R"(,"data":")";
  base64_encode_append(data.data(), data.size(), out);
  out += R"("}}})";
  return out;
}

}  // namespace geminilive::protocol
