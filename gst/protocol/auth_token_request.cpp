// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/auth_token_request.h"

#include <json-glib/json-glib.h>

#include <algorithm>

#include "protocol/client_message.h"
#include "protocol/json_value.h"

namespace geminilive::protocol {
namespace {

// The SDK's getFieldMasks: each top-level field, or, for a non-empty object
// (arrays included: their indices), each of its members as "field.member".
std::string field_masks(JsonObject* setup) {
  std::string mask;
  auto add = [&mask](const std::string& path) { mask += (mask.empty() ? "" : ",") + path; };
  g_autoptr(GList) members = json_object_get_members(setup);
  for (GList* m = members; m; m = m->next) {
    const std::string key = static_cast<const char*>(m->data);
    JsonNode* value = json_object_get_member(setup, key.c_str());
    if (JSON_NODE_HOLDS_OBJECT(value) && json_object_get_size(json_node_get_object(value)) > 0) {
      g_autoptr(GList) inner = json_object_get_members(json_node_get_object(value));
      for (GList* i = inner; i; i = i->next) add(key + "." + static_cast<const char*>(i->data));
    } else if (JSON_NODE_HOLDS_ARRAY(value) && json_array_get_length(json_node_get_array(value)) > 0) {
      for (guint i = 0; i < json_array_get_length(json_node_get_array(value)); ++i) add(key + "." + std::to_string(i));
    } else {
      add(key);
    }
  }
  return mask;
}

std::string additional_field(const std::string& field) {
  static const char* const kGeneration[] = {"temperature",        "topK", "topP",        "maxOutputTokens",
                                            "responseModalities", "seed", "speechConfig"};
  for (const char* g : kGeneration)
    if (field == g) return "generationConfig." + field;
  return field;
}

}  // namespace

std::string encode_auth_token_request(const AuthTokenRequest& request) {
  JsonBuilder* b = json_builder_new();
  json_builder_begin_object(b);
  // The SDK's order: createAuthTokenConfigToMldev sets these in turn.
  if (request.expire_time) {
    json_builder_set_member_name(b, "expireTime");
    json_builder_add_string_value(b, request.expire_time->c_str());
  }
  if (request.new_session_expire_time) {
    json_builder_set_member_name(b, "newSessionExpireTime");
    json_builder_add_string_value(b, request.new_session_expire_time->c_str());
  }
  if (request.uses) {
    json_builder_set_member_name(b, "uses");
    json_builder_add_int_value(b, *request.uses);
  }
  std::string mask;
  if (request.locked_setup) {
    g_autoptr(JsonParser) parser = json_parser_new();
    const std::string message = encode_client_message(*request.locked_setup);
    if (json_parser_load_from_data(parser, message.c_str(), -1, nullptr)) {
      JsonNode* setup_node = json_object_get_member(json_node_get_object(json_parser_get_root(parser)), "setup");
      JsonObject* setup = json_node_get_object(setup_node);
      // Flat: the setup object itself, not {"setup": ...}.
      json_builder_set_member_name(b, "bidiGenerateContentSetup");
      json_builder_add_value(b, json_node_copy(setup_node));
      if (request.lock_additional_fields) {
        mask = field_masks(setup);
        for (const std::string& field : *request.lock_additional_fields) {
          mask += (mask.empty() ? "" : ",") + additional_field(field);
        }
      }
    }
  } else if (request.lock_additional_fields) {
    for (const std::string& field : *request.lock_additional_fields) mask += (mask.empty() ? "" : ",") + field;
  }
  if (!mask.empty()) {
    json_builder_set_member_name(b, "fieldMask");
    json_builder_add_string_value(b, mask.c_str());
  }
  json_builder_end_object(b);
  JsonValue body(json_builder_get_root(b));
  g_object_unref(b);
  return body.to_string();
}

Expected<std::string> decode_auth_token_name(std::string_view json) {
  auto parsed = parse_json_object(json);
  if (!parsed) return Error{"the answer is not a JSON object: " + parsed.error()};
  JsonObject* o = json_node_get_object(parsed.value().node());
  if (JsonNode* error = json_object_get_member(o, "error"); error && JSON_NODE_HOLDS_OBJECT(error)) {
    const char* message = json_object_get_string_member_with_default(json_node_get_object(error), "message", nullptr);
    return Error{message ? message : "the service refused the request"};
  }
  const char* name = json_object_get_string_member_with_default(o, "name", nullptr);
  if (!name || !g_str_has_prefix(name, "auth_tokens/")) return Error{"the answer holds no auth_tokens/ name"};
  return std::string(name);
}

std::string rfc3339_from_now(long long seconds) {
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autoptr(GDateTime) then = g_date_time_add_seconds(now, static_cast<gdouble>(seconds));
  g_autofree char* text = g_date_time_format(then, "%Y-%m-%dT%H:%M:%SZ");
  return text;
}

}  // namespace geminilive::protocol
