// libFuzzer target: decode_server_message() on arbitrary bytes.
//
// Invariants (docs/fuzzing.md):
//  1. decoding never crashes, leaks or hits undefined behaviour (sanitizers);
//  2. what decodes re-encodes to JSON that decodes again, in both styles, and
//     re-encoding that gives the same text: encode(decode(encode(m))) ==
//     encode(m) for every decoded m (the encoder's output is a fixed point).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "protocol/server_message.h"

using namespace geminilive::protocol;
using geminilive::fuzz::violation;

namespace {

void check_style(std::string_view input, const ServerMessage& decoded, JsonStyle style, const std::string& pretty) {
  const std::string encoded = encode_server_message(decoded, style);
  auto again = decode_server_message(encoded);
  if (!again) violation("encode_server_message output does not decode", input, encoded, {}, again.error());
  const std::string re_encoded = encode_server_message(again.value(), JsonStyle::Pretty);
  if (re_encoded != pretty)
    violation(style == JsonStyle::Pretty ? "decode(encode(m)) re-encodes differently (Pretty)"
                                         : "decode(encode(m, Compact)) re-encodes differently",
              input, pretty, re_encoded);
  if (again->empty() != decoded.empty())
    violation("empty() changed across a round trip", input, pretty, re_encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = decode_server_message(input);
  if (!decoded) {
    if (decoded.error().empty()) violation("a decode error with an empty message", input, {}, {});
    return 0;
  }
  const std::string pretty = encode_server_message(decoded.value(), JsonStyle::Pretty);
  check_style(input, decoded.value(), JsonStyle::Pretty, pretty);
  check_style(input, decoded.value(), JsonStyle::Compact, pretty);
  return 0;
}
