// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: the scalar codecs, base64_decode() and parse_duration(),
// on arbitrary bytes.
//
// Invariants (docs/fuzzing.md):
//  base64: accepted input is the canonical encoding of what it decodes to,
//    once the URL-safe alphabet is mapped to the standard one and padding is
//    added (no two inputs alias, no garbage); base64_encode() output decodes
//    back to the same bytes.
//  duration: a parsed duration formats to text that parses to the same
//    value and formats the same again; no overflow (UBSan).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "protocol/base64.h"
#include "protocol/duration.h"

using namespace geminilive::protocol;
using geminilive::fuzz::violation;

namespace {

void check_base64(std::string_view input) {
  std::string bytes;
  if (!base64_decode(input, bytes)) return;
  std::string canonical(input);
  for (char& c : canonical) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (canonical.size() % 4) canonical.push_back('=');
  const std::string encoded = base64_encode(bytes);
  if (encoded != canonical) violation("base64: accepted input is not canonical", input, canonical, encoded);
  std::string again;
  if (!base64_decode(encoded, again) || again != bytes)
    violation("base64: encode output does not decode to the same bytes", input, bytes, again);
}

// The exact value of "[-]digits[.digits]s" in nanoseconds (fractional digits
// past the ninth truncated), computed in 128 bits (seconds saturate at 10^20,
// far outside int64 nanoseconds); nullopt for other text.
std::optional<__int128> exact_nanos(std::string_view text) {
  if (text.size() < 2 || text.back() != 's') return std::nullopt;
  text.remove_suffix(1);
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  __int128 seconds = 0, nanos = 0;
  std::size_t i = 0, digits = 0, frac = 0;
  constexpr __int128 kSaturated = static_cast<__int128>(100000000000) * 1000000000;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits)
    seconds = seconds >= kSaturated ? kSaturated : seconds * 10 + (text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++frac)
      if (frac < 9) nanos = nanos * 10 + (text[i] - '0');
    for (std::size_t k = frac; k < 9; ++k) nanos *= 10;
  }
  if (i != text.size() || (digits == 0 && frac == 0)) return std::nullopt;
  __int128 total = seconds * 1000000000 + nanos;
  return negative ? -total : total;
}

void check_duration(std::string_view input) {
  auto d = parse_duration(input);
  if (!d) return;
  auto exact = exact_nanos(input);
  if (!exact || *exact != static_cast<__int128>(d->count()))
    violation("duration: accepted with a value other than the text's", input, format_duration(*d), {},
              std::to_string(d->count()) + " ns");
  const std::string text = format_duration(*d);
  auto again = parse_duration(text);
  if (!again) violation("duration: format_duration output does not parse", input, text, {});
  if (*again != *d)
    violation("duration: parse(format(d)) != d", input, text, format_duration(*again),
              std::to_string(d->count()) + " ns vs " + std::to_string(again->count()) + " ns");
  if (format_duration(*again) != text)
    violation("duration: format is not a fixed point", input, text, format_duration(*again));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_base64(input);
  check_duration(input);
  return 0;
}
