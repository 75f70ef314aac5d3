// SPDX-License-Identifier: LGPL-2.1-or-later
// The mime type of raw PCM on the wire, "audio/pcm;rate=16000": written and
// read in one place.
#pragma once

#include <glib.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace geminilive::protocol {

inline constexpr std::string_view kPcmMimePrefix = "audio/pcm";

inline std::string pcm_mime_type(int rate) { return "audio/pcm;rate=" + std::to_string(rate); }

inline bool is_pcm_mime_type(std::string_view mime_type) {
  return mime_type.substr(0, kPcmMimePrefix.size()) == kPcmMimePrefix;
}

// The rate parameter of `mime_type` ("audio/pcm;rate=16000"; parameters
// are ";"-separated, names case-insensitive, spaces allowed), or nothing
// when it has none or no usable number.
inline std::optional<int> pcm_rate(std::string_view mime_type) {
  std::size_t at = 0;
  while ((at = mime_type.find(';', at)) != std::string_view::npos) {
    ++at;
    while (at < mime_type.size() && mime_type[at] == ' ') ++at;
    const std::string_view rest = mime_type.substr(at);
    if (rest.size() <= 5 || rest[4] != '=' || g_ascii_strncasecmp(rest.data(), "rate", 4) != 0) continue;
    unsigned long rate = 0;
    std::size_t i = 5;
    for (; i < rest.size() && g_ascii_isdigit(rest[i]) && rate < 10000000; ++i) rate = rate * 10 + (rest[i] - '0');
    if (i == 5 || rate == 0 || rate >= 10000000) return std::nullopt;
    return static_cast<int>(rate);
  }
  return std::nullopt;
}

}  // namespace geminilive::protocol
