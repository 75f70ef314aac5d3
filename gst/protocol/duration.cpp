// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/duration.h"

#include <cstdint>
#include <cstdio>

namespace geminilive::protocol {
namespace {
constexpr int64_t kMaxSeconds = 9223372035;  // + 999999999 ns still fits in int64 ns
}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text.size() < 2 || text.back() != 's') return std::nullopt;
  text.remove_suffix(1);
  bool negative = false;
  if (text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  int64_t seconds = 0;
  int64_t nanos = 0;
  std::size_t i = 0;
  std::size_t int_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    seconds = seconds * 10 + (text[i] - '0');
    // Nanoseconds in an int64 reach 292 years; no Live timer comes near.
    if (seconds > kMaxSeconds) return std::nullopt;
  }
  std::size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++frac_digits) {
      if (frac_digits < 9) nanos = nanos * 10 + (text[i] - '0');
    }
    for (std::size_t k = frac_digits; k < 9; ++k) nanos *= 10;
  }
  if (i != text.size() || (int_digits == 0 && frac_digits == 0)) return std::nullopt;
  auto d = std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos);
  return negative ? -d : d;
}

std::string format_duration(std::chrono::nanoseconds d) {
  // Protobuf's JSON mapping: 0, 3, 6 or 9 fractional digits.
  int64_t total = d.count();
  bool negative = total < 0;
  uint64_t abs = negative ? -static_cast<uint64_t>(total) : static_cast<uint64_t>(total);
  uint64_t secs = abs / 1000000000u;
  uint64_t nanos = abs % 1000000000u;
  char buf[48];
  if (nanos == 0)
    std::snprintf(buf, sizeof buf, "%s%llus", negative ? "-" : "", (unsigned long long)secs);
  else if (nanos % 1000000 == 0)
    std::snprintf(buf, sizeof buf, "%s%llu.%03llus", negative ? "-" : "", (unsigned long long)secs,
                  (unsigned long long)(nanos / 1000000));
  else if (nanos % 1000 == 0)
    std::snprintf(buf, sizeof buf, "%s%llu.%06llus", negative ? "-" : "", (unsigned long long)secs,
                  (unsigned long long)(nanos / 1000));
  else
    std::snprintf(buf, sizeof buf, "%s%llu.%09llus", negative ? "-" : "", (unsigned long long)secs,
                  (unsigned long long)nanos);
  return buf;
}

}  // namespace geminilive::protocol
