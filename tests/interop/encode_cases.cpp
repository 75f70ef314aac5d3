// SPDX-License-Identifier: LGPL-2.1-or-later
// Prints {"<case>": "<the frame our encoder writes>", ...} for the interop
// test to compare, byte for byte, with the frame the official SDK sent for the
// same inputs.
#include <cstdio>

#include "encoder_cases.h"
#include "protocol/json_fields.h"

using namespace geminilive;

int main() {
  protocol::json::ObjectBuilder out;
  for (const auto& c : interop::encoder_cases()) {
    std::string frame = protocol::encode_client_message(c.message);
    auto parsed = protocol::JsonValue::parse(frame);
    if (!parsed) {
      std::fprintf(stderr, "%s: our encoder wrote invalid JSON: %s\n", c.name.c_str(), parsed.error().c_str());
      return 1;
    }
    out.set(c.name.c_str(), frame);
  }
  protocol::JsonValue all(out.release());
  std::fputs(all.to_string(protocol::JsonStyle::Pretty).c_str(), stdout);
  return 0;
}
