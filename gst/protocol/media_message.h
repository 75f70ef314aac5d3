// SPDX-License-Identifier: LGPL-2.1-or-later
// The messages a stream sends most: realtimeInput with one audio chunk or one
// video frame, written straight into one string (the base64 in place, no
// JSON tree). The bytes are those encode_client_message() gives (and the JS
// SDK sends): {"realtimeInput":{"audio":{"mimeType":"...","data":"..."}}}.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace geminilive::protocol {

enum class MediaField { Audio, Video };

std::string encode_media_message(MediaField field, const std::string& mime_type, std::string_view data);

}  // namespace geminilive::protocol
