// SPDX-License-Identifier: LGPL-2.1-or-later
// Prints, as one JSON object {case: body}, the POST /v1alpha/auth_tokens
// bodies our encoder (protocol/auth_token_request.h) writes for the inputs
// ways_in.mjs gives the SDK's authTokens.create, which compares the two.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "protocol/auth_token_request.h"
#include "protocol/json_value.h"

namespace protocol = geminilive::protocol;

int main() {
  protocol::Setup constraints;
  constraints.model = "models/gemini-3.8-live";
  constraints.generation_config = protocol::GenerationConfig{};
  constraints.generation_config->response_modalities = {"AUDIO"};
  constraints.system_instruction = protocol::Content::from_text("Be brief", "user");

  std::vector<std::pair<const char*, protocol::AuthTokenRequest>> cases;
  protocol::AuthTokenRequest r;
  r.uses = 1;
  r.expire_time = "2026-12-01T00:30:00Z";
  r.new_session_expire_time = "2026-12-01T00:01:00Z";
  cases.emplace_back("times_and_uses", r);
  r = {};
  r.uses = 0;
  cases.emplace_back("unlimited", r);
  r = {};
  r.uses = 1;
  r.locked_setup = constraints;
  cases.emplace_back("locked_all", r);
  r.lock_additional_fields = std::vector<std::string>{};
  cases.emplace_back("locked_exactly", r);
  r.lock_additional_fields = std::vector<std::string>{"temperature", "systemInstruction"};
  cases.emplace_back("locked_plus", r);

  JsonBuilder* b = json_builder_new();
  json_builder_begin_object(b);
  for (const auto& [name, request] : cases) {
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, protocol::encode_auth_token_request(request).c_str());
  }
  json_builder_end_object(b);
  protocol::JsonValue out(json_builder_get_root(b));
  g_object_unref(b);
  std::printf("%s\n", out.to_string().c_str());
  return 0;
}
