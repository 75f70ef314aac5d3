// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: decode_client_message() on arbitrary bytes (what the
// local Live server in tools/mock-server does with every client frame).
//
// Invariants (docs/fuzzing.md):
//  1. decoding never crashes, leaks or hits undefined behaviour (sanitizers);
//  2. what decodes re-encodes to JSON that decodes again, to the same kind of
//     message, and re-encoding that gives the same text:
//     encode(decode(encode(m))) == encode(m) for every decoded m.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "protocol/client_message.h"

using namespace geminilive::protocol;
using geminilive::fuzz::violation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = decode_client_message(input);
  if (!decoded) {
    if (decoded.error().empty()) violation("a decode error with an empty message", input, {}, {});
    return 0;
  }
  const std::string encoded = encode_client_message(decoded.value());
  auto again = decode_client_message(encoded);
  if (!again) violation("encode_client_message output does not decode", input, encoded, {}, again.error());
  const std::string re_encoded = encode_client_message(again.value());
  if (re_encoded != encoded) violation("decode(encode(m)) re-encodes differently", input, encoded, re_encoded);
  if (std::strcmp(client_message_kind(again.value()), client_message_kind(decoded.value())) != 0)
    violation("the message kind changed across a round trip", input, encoded, re_encoded);
  return 0;
}
