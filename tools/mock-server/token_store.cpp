// SPDX-License-Identifier: LGPL-2.1-or-later
#include "token_store.h"

#include <json-glib/json-glib.h>

#include <vector>

#include "protocol/json_value.h"

namespace geminilive::mock {
namespace {

constexpr gint64 kMinute = 60 * G_USEC_PER_SEC;
constexpr gint64 kMaxAhead = 20 * 60 * kMinute;

TokenStore::Minted google_error(int code, const char* status, const std::string& message) {
  return {code, google_error_json(code, status, message)};
}

}  // namespace

std::string google_error_json(int code, const char* status, const std::string& message) {
  JsonBuilder* b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "error");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "code");
  json_builder_add_int_value(b, code);
  json_builder_set_member_name(b, "message");
  json_builder_add_string_value(b, message.c_str());
  json_builder_set_member_name(b, "status");
  json_builder_add_string_value(b, status);
  json_builder_end_object(b);
  json_builder_end_object(b);
  protocol::JsonValue value(json_builder_get_root(b));
  g_object_unref(b);
  return value.to_string(protocol::JsonStyle::Pretty);
}

namespace {

// An RFC 3339 time member, in wall-clock microseconds; `fallback` when absent.
bool read_time(JsonObject* body, const char* name, gint64 fallback, gint64 now_us, gint64* out, std::string* error) {
  if (!json_object_has_member(body, name)) {
    *out = fallback;
    return true;
  }
  const char* text = json_object_get_string_member_with_default(body, name, nullptr);
  g_autoptr(GDateTime) time = text ? g_date_time_new_from_iso8601(text, nullptr) : nullptr;
  if (!time) {
    *error = std::string("Invalid value at '") + name + "' (type.googleapis.com/google.protobuf.Timestamp), \"" +
             (text ? text : "") + "\"";
    return false;
  }
  *out = g_date_time_to_unix(time) * G_USEC_PER_SEC + g_date_time_get_microsecond(time);
  if (*out <= now_us || *out - now_us >= kMaxAhead) {
    *error = std::string(name) + " must be in the future and less than 20 hours from now.";
    return false;
  }
  return true;
}

std::string random_token_name() {
  std::string name = "auth_tokens/";
  static const char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) name += kDigits[g_random_int_range(0, 16)];
  return name;
}

std::vector<std::string> split_mask(const std::string& mask) {
  std::vector<std::string> paths;
  g_auto(GStrv) parts = g_strsplit(mask.c_str(), ",", -1);
  for (char** p = parts; *p; ++p) {
    g_strstrip(*p);
    if (**p) paths.emplace_back(*p);
  }
  return paths;
}

// Sets or removes `member` of `target` as `source` has it.
void copy_member(JsonObject* target, JsonObject* source, const char* member) {
  if (source && json_object_has_member(source, member))
    json_object_set_member(target, member, json_node_copy(json_object_get_member(source, member)));
  else if (json_object_has_member(target, member))
    json_object_remove_member(target, member);
}

}  // namespace

TokenStore::Minted TokenStore::mint(std::string_view body, gint64 now_us) {
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, body.data(), static_cast<gssize>(body.size()), nullptr) ||
      !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
    return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
  JsonObject* o = json_node_get_object(json_parser_get_root(parser));
  static const char* const kKnown[] = {"uses", "expireTime", "newSessionExpireTime", "bidiGenerateContentSetup",
                                       "fieldMask"};
  g_autoptr(GList) members = json_object_get_members(o);
  for (GList* m = members; m; m = m->next) {
    const char* name = static_cast<const char*>(m->data);
    if (!g_strv_contains(const_cast<const gchar* const*>(kKnown), name))
      return google_error(
          400, "INVALID_ARGUMENT",
          std::string("Invalid JSON payload received. Unknown name \"") + name + "\": Cannot find field.");
  }
  Token t;
  t.uses = static_cast<int>(json_object_get_int_member_with_default(o, "uses", 1));
  if (t.uses < 0) return google_error(400, "INVALID_ARGUMENT", "uses must not be negative.");
  std::string error;
  if (!read_time(o, "expireTime", now_us + 30 * kMinute, now_us, &t.expire_us, &error) ||
      !read_time(o, "newSessionExpireTime", now_us + kMinute, now_us, &t.new_session_expire_us, &error))
    return google_error(400, "INVALID_ARGUMENT", error);
  if (json_object_has_member(o, "bidiGenerateContentSetup")) {
    JsonNode* setup = json_object_get_member(o, "bidiGenerateContentSetup");
    if (!JSON_NODE_HOLDS_OBJECT(setup))
      return google_error(400, "INVALID_ARGUMENT", "bidiGenerateContentSetup must be an object.");
    t.locked_setup = protocol::json_serialize(setup);
  }
  if (json_object_has_member(o, "fieldMask")) {
    const char* mask = json_object_get_string_member_with_default(o, "fieldMask", nullptr);
    if (!mask) return google_error(400, "INVALID_ARGUMENT", "fieldMask must be a string.");
    t.field_mask = mask;
  }
  const std::string name = random_token_name();
  tokens_.emplace(name, std::move(t));
  return {200, "{\n  \"name\": \"" + name + "\"\n}\n"};
}

std::optional<std::string> TokenStore::connection_refusal(const std::string& token, gint64 now_us) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::string(kTokenUnknown);
  if (now_us >= it->second.expire_us) return std::string(kTokenExpired);
  return std::nullopt;
}

std::optional<std::string> TokenStore::start_session(const std::string& token, gint64 now_us) {
  if (auto refusal = connection_refusal(token, now_us)) return refusal;
  Token& t = tokens_.at(token);
  if (now_us >= t.new_session_expire_us) return std::string(kTokenNoNewSessions);
  if (t.uses != 0 && t.used >= t.uses) return std::string(kTokenUsedUp);
  ++t.used;
  return std::nullopt;
}

std::string TokenStore::constrain(const std::string& token, std::string_view setup_frame) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.locked_setup.empty()) return std::string(setup_frame);
  g_autoptr(JsonParser) frame = json_parser_new();
  g_autoptr(JsonParser) locked = json_parser_new();
  if (!json_parser_load_from_data(frame, setup_frame.data(), static_cast<gssize>(setup_frame.size()), nullptr) ||
      !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(frame)) ||
      !json_parser_load_from_data(locked, it->second.locked_setup.c_str(), -1, nullptr))
    return std::string(setup_frame);
  JsonObject* outer = json_node_get_object(json_parser_get_root(frame));
  JsonNode* setup_node = json_object_get_member(outer, "setup");
  if (!setup_node || !JSON_NODE_HOLDS_OBJECT(setup_node)) return std::string(setup_frame);
  JsonObject* client = json_node_get_object(setup_node);
  JsonObject* lock = json_node_get_object(json_parser_get_root(locked));
  if (!it->second.field_mask) {
    g_autoptr(GList) members = json_object_get_members(lock);
    for (GList* m = members; m; m = m->next) copy_member(client, lock, static_cast<const char*>(m->data));
  } else {
    for (const std::string& path : split_mask(*it->second.field_mask)) {
      const auto dot = path.find('.');
      if (dot == std::string::npos) {
        copy_member(client, lock, path.c_str());
        continue;
      }
      const std::string parent = path.substr(0, dot);
      JsonObject* from =
          json_object_has_member(lock, parent.c_str()) ? json_object_get_object_member(lock, parent.c_str()) : nullptr;
      if (!json_object_has_member(client, parent.c_str()) ||
          !JSON_NODE_HOLDS_OBJECT(json_object_get_member(client, parent.c_str())))
        json_object_set_object_member(client, parent.c_str(), json_object_new());
      copy_member(json_object_get_object_member(client, parent.c_str()), from, path.substr(dot + 1).c_str());
    }
  }
  return protocol::json_serialize(json_parser_get_root(frame));
}

}  // namespace geminilive::mock
