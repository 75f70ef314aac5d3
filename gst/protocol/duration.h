// SPDX-License-Identifier: LGPL-2.1-or-later
// google.protobuf.Duration in its JSON form: decimal seconds with an `s`
// suffix, e.g. "50s", "1.500s" (goAway.timeLeft, voiceActivity.audioOffset).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace geminilive::protocol {

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace geminilive::protocol
