// SPDX-License-Identifier: LGPL-2.1-or-later
// The mime type of raw PCM on the wire, "audio/pcm;rate=16000": written and
// read in one place.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace geminilive::protocol {

inline constexpr std::string_view kPcmMimePrefix = "audio/pcm";

inline std::string pcm_mime_type(int rate) { return "audio/pcm;rate=" + std::to_string(rate); }

inline bool is_pcm_mime_type(std::string_view mime_type) { return mime_type.substr(0, kPcmMimePrefix.size()) == kPcmMimePrefix; }

// The rate= parameter of `mime_type`, or nothing when it has none (or no
// number).
inline std::optional<int> pcm_rate(std::string_view mime_type) {
  const auto at = mime_type.find("rate=");
  if (at == std::string_view::npos) return std::nullopt;
  const std::string digits(mime_type.substr(at + 5));
  char* end = nullptr;
  const long rate = std::strtol(digits.c_str(), &end, 10);
  if (end == digits.c_str() || rate <= 0 || rate > 1000000) return std::nullopt;
  return static_cast<int>(rate);
}

}  // namespace geminilive::protocol
