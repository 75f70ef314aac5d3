// SPDX-License-Identifier: LGPL-2.1-or-later
// Prints {"<case>": "<the frame our encoder writes>", ...} for the interop
// test to compare, byte for byte, with the frame the official SDK sent for the
// same inputs (Developer API cases, then "vertex-..." ones), and
// {"refused-...": "<the wire path our backend rules refuse>"}.
#include <cstdio>

#include "encoder_cases.h"
#include "protocol/json_fields.h"
#include "session/backend_rules.h"

using namespace geminilive;

int main() {
  protocol::json::ObjectBuilder out;
  auto cases = interop::encoder_cases();
  for (auto& c : interop::vertex_encoder_cases()) cases.push_back(std::move(c));
  for (const auto& c : cases) {
    std::string frame = protocol::encode_client_message(c.message);
    auto parsed = protocol::JsonValue::parse(frame);
    if (!parsed) {
      std::fprintf(stderr, "%s: our encoder wrote invalid JSON: %s\n", c.name.c_str(), parsed.error().c_str());
      return 1;
    }
    out.set(c.name.c_str(), frame);
  }
  for (const auto& c : interop::refusal_cases()) {
    auto refusal = session::refused_by_backend(c.backend, c.setup);
    out.set(c.name.c_str(), refusal ? refusal->wire_path : std::string());
  }
  protocol::JsonValue all(out.release());
  std::fputs(all.to_string(protocol::JsonStyle::Pretty).c_str(), stdout);
  return 0;
}
