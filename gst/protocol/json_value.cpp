// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/json_value.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "protocol/json_syntax.h"

namespace geminilive::protocol {
namespace {

void append_escaped(std::string& out, const char* s) {
  out.push_back('"');
  const char* run = s;  // copy unescaped runs in one go
  for (const char* p = s; *p; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(run, p - run);
    run = p + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(run);
  out.push_back('"');
}

// What JavaScript's Number::toString writes (ECMA-262 §6.1.6.1.20): the
// shortest digits that read back as the same double, in plain notation for
// exponents from -7 to 20 and as `1e-7` / `1e+21` beyond. One exception:
// integers from 2^63 up to 1e21 are written `1e+20`, not as 21 digits, because
// an integer literal beyond int64 is refused when read (json-glib would wrap
// it), and what we write must read back.
void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";  // as JSON.stringify does
    return;
  }
  if (v == 0) {
    out += "0";  // JSON.stringify(-0) is "0" too
    return;
  }
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  // buf is d[.ddd]e±XX: the digits and the decimal exponent.
  std::string digits;
  const char* p = buf;
  for (; *p && *p != 'e'; ++p)
    if (*p != '.') digits.push_back(*p);
  const int k = static_cast<int>(digits.size());
  const int n = std::atoi(p + 1) + 1;  // v = 0.digits × 10^n
  const bool beyond_int64 = v >= 9223372036854775808.0;
  if (k <= n && n <= 21 && !beyond_int64) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n < k && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    out += n - 1 > 0 ? "e+" : "e";
    out += std::to_string(n - 1);
  }
}

void indent(std::string& out, int depth) { out.append(static_cast<std::size_t>(depth) * 2, ' '); }

void write_node(std::string& out, JsonNode* node, JsonStyle style, int depth) {
  const bool pretty = style == JsonStyle::Pretty;
  switch (node ? json_node_get_node_type(node) : JSON_NODE_NULL) {
    case JSON_NODE_NULL:
      out += "null";
      return;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type(node)) {
        case G_TYPE_STRING:
          append_escaped(out, json_node_get_string(node));
          return;
        case G_TYPE_BOOLEAN:
          out += json_node_get_boolean(node) ? "true" : "false";
          return;
        case G_TYPE_DOUBLE:
          append_double(out, json_node_get_double(node));
          return;
        default:
          out += std::to_string(json_node_get_int(node));
          return;
      }
    case JSON_NODE_ARRAY: {
      JsonArray* array = json_node_get_array(node);
      guint n = json_array_get_length(array);
      out.push_back('[');
      for (guint i = 0; i < n; ++i) {
        if (i) out.push_back(',');
        if (pretty) {
          out.push_back('\n');
          indent(out, depth + 1);
        }
        write_node(out, json_array_get_element(array, i), style, depth + 1);
      }
      if (pretty && n) {
        out.push_back('\n');
        indent(out, depth);
      }
      out.push_back(']');
      return;
    }
    case JSON_NODE_OBJECT: {
      JsonObject* object = json_node_get_object(node);
      out.push_back('{');
      JsonObjectIter iter;
      const gchar* name;
      JsonNode* member;
      bool first = true;
      json_object_iter_init_ordered(&iter, object);
      while (json_object_iter_next_ordered(&iter, &name, &member)) {
        if (!first) out.push_back(',');
        first = false;
        if (pretty) {
          out.push_back('\n');
          indent(out, depth + 1);
        }
        append_escaped(out, name);
        out += pretty ? ": " : ":";
        write_node(out, member, style, depth + 1);
      }
      if (pretty && !first) {
        out.push_back('\n');
        indent(out, depth);
      }
      out.push_back('}');
      return;
    }
  }
}

bool is_number(JsonNode* n) {
  if (json_node_get_node_type(n) != JSON_NODE_VALUE) return false;
  GType t = json_node_get_value_type(n);
  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

}  // namespace

void json_append_string(std::string& out, const char* s) { append_escaped(out, s); }

std::string json_serialize(JsonNode* node, JsonStyle style) {
  std::string out;
  write_node(out, node, style, 0);
  if (style == JsonStyle::Pretty) out.push_back('\n');
  return out;
}

bool json_nodes_equal(JsonNode* a, JsonNode* b) {
  if (!a || !b) return a == b;
  if (is_number(a) && is_number(b)) return json_node_get_double(a) == json_node_get_double(b);
  if (json_node_get_node_type(a) != json_node_get_node_type(b)) return false;
  switch (json_node_get_node_type(a)) {
    case JSON_NODE_NULL:
      return true;
    case JSON_NODE_VALUE:
      return json_node_equal(a, b);
    case JSON_NODE_ARRAY: {
      JsonArray* x = json_node_get_array(a);
      JsonArray* y = json_node_get_array(b);
      guint n = json_array_get_length(x);
      if (n != json_array_get_length(y)) return false;
      for (guint i = 0; i < n; ++i)
        if (!json_nodes_equal(json_array_get_element(x, i), json_array_get_element(y, i))) return false;
      return true;
    }
    case JSON_NODE_OBJECT: {
      JsonObject* x = json_node_get_object(a);
      JsonObject* y = json_node_get_object(b);
      if (json_object_get_size(x) != json_object_get_size(y)) return false;
      JsonObjectIter iter;
      const gchar* name;
      JsonNode* member;
      json_object_iter_init(&iter, x);
      while (json_object_iter_next(&iter, &name, &member)) {
        JsonNode* other = json_object_get_member(y, name);
        if (!other || !json_nodes_equal(member, other)) return false;
      }
      return true;
    }
  }
  return false;
}

JsonValue::JsonValue(JsonNode* node) : node_(node) {
  if (node_) json_node_seal(node_);
}

JsonValue::JsonValue(const JsonValue& other) : node_(other.node_ ? json_node_ref(other.node_) : nullptr) {}

JsonValue::JsonValue(JsonValue&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}

JsonValue& JsonValue::operator=(JsonValue other) noexcept {
  std::swap(node_, other.node_);
  return *this;
}

JsonValue::~JsonValue() {
  if (node_) json_node_unref(node_);
}

Expected<JsonValue> JsonValue::parse(std::string_view text) {
  if (auto error = json_syntax_error(text)) return Error{"invalid JSON: " + *error};
  g_autoptr(JsonParser) parser = json_parser_new_immutable();
  g_autoptr(GError) error = nullptr;
  if (!json_parser_load_from_data(parser, text.data(), static_cast<gssize>(text.size()), &error))
    return Error{std::string("invalid JSON: ") + error->message};
  JsonNode* root = json_parser_get_root(parser);
  if (!root) return Error{"invalid JSON: empty document"};
  return JsonValue(json_node_ref(root));
}

Expected<JsonValue> parse_json_object(std::string_view text) {
  auto parsed = JsonValue::parse(text);
  if (!parsed) return Error{parsed.error()};
  if (parsed->is_object()) return parsed;
  const char* got = "a value";
  switch (json_node_get_node_type(parsed->node())) {
    case JSON_NODE_ARRAY:
      got = "an array";
      break;
    case JSON_NODE_NULL:
      got = "null";
      break;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type(parsed->node())) {
        case G_TYPE_STRING:
          got = "a string";
          break;
        case G_TYPE_BOOLEAN:
          got = "a boolean";
          break;
        default:
          got = "a number";
          break;
      }
      break;
    case JSON_NODE_OBJECT:
      break;
  }
  return Error{std::string("not a JSON object (got ") + got + ")"};
}

void json_merge_objects(JsonNode* target, JsonNode* patch) {
  if (!target || !patch || !JSON_NODE_HOLDS_OBJECT(target) || !JSON_NODE_HOLDS_OBJECT(patch)) return;
  JsonObject* into = json_node_get_object(target);
  JsonObjectIter iter;
  const gchar* name;
  JsonNode* member;
  json_object_iter_init_ordered(&iter, json_node_get_object(patch));
  while (json_object_iter_next_ordered(&iter, &name, &member)) {
    JsonNode* ours = json_object_get_member(into, name);
    if (!ours || !JSON_NODE_HOLDS_OBJECT(ours) || !JSON_NODE_HOLDS_OBJECT(member)) {
      json_object_set_member(into, name, json_node_copy(member));
      continue;
    }
    // json_node_copy shares an object (maybe sealed, maybe a JsonValue's):
    // merge into a new object holding our members instead.
    JsonObject* fresh = json_object_new();
    JsonObjectIter ours_iter;
    const gchar* ours_name;
    JsonNode* ours_member;
    json_object_iter_init_ordered(&ours_iter, json_node_get_object(ours));
    while (json_object_iter_next_ordered(&ours_iter, &ours_name, &ours_member))
      json_object_set_member(fresh, ours_name, json_node_copy(ours_member));
    JsonNode* merged = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(merged, fresh);
    json_merge_objects(merged, member);
    json_object_set_member(into, name, merged);
  }
}

JsonValue JsonValue::empty_object() {
  JsonNode* node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, json_object_new());
  return JsonValue(node);
}

bool JsonValue::is_object() const { return node_ && json_node_get_node_type(node_) == JSON_NODE_OBJECT; }

JsonNode* JsonValue::copy_node() const { return node_ ? json_node_copy(node_) : json_node_new(JSON_NODE_NULL); }

std::string JsonValue::to_string(JsonStyle style) const { return json_serialize(node_, style); }

bool JsonValue::operator==(const JsonValue& other) const { return json_nodes_equal(node_, other.node_); }

}  // namespace geminilive::protocol
