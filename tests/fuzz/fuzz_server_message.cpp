// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: decode_server_message() on arbitrary bytes.
//
// Invariants (docs/fuzzing.md):
//  1. decoding never crashes, leaks or hits undefined behaviour (sanitizers);
//  2. what decodes re-encodes to JSON that decodes again, in both styles, and
//     re-encoding that gives the same text: encode(decode(encode(m))) ==
//     encode(m) for every decoded m (the encoder's output is a fixed point);
//  3. the typed views of free-form metadata (grounding, URL context), which
//     the elements post as bus messages, read any decoded value without
//     crashing, and never yield a source without a uri.
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
  if (again->empty() != decoded.empty()) violation("empty() changed across a round trip", input, pretty, re_encoded);
}

// What geminilivesink reads of grounding and URL-context metadata.
void check_metadata_views(std::string_view input, const ServerMessage& decoded) {
  if (!decoded.server_content) return;
  const ServerContent& c = *decoded.server_content;
  (void)grounding_queries(c.grounding_metadata);
  (void)grounding_search_entry_point(c.grounding_metadata);
  for (const auto& source : grounding_sources(c.grounding_metadata))
    if (source.uri.empty()) violation("grounding_sources() gave a source without a uri", input, {}, {});
  for (const auto& u : url_retrievals(c.url_context_metadata))
    if (u.url.empty()) violation("url_retrievals() gave an entry without a url", input, {}, {});
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
  check_metadata_views(input, decoded.value());
  return 0;
}
