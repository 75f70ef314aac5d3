// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/json_fields.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace geminilive::protocol::json {
namespace {

// "modelTurn" -> "model_turn": the proto field name the service also accepts.
std::string snake_case(const char* camel) {
  std::string out;
  for (const char* p = camel; *p; ++p) {
    if (*p >= 'A' && *p <= 'Z') {
      out.push_back('_');
      out.push_back(static_cast<char>(*p - 'A' + 'a'));
    } else {
      out.push_back(*p);
    }
  }
  return out;
}

const char* value_type_name(JsonNode* node) {
  switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      break;
  }
  switch (json_node_get_value_type(node)) {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    default:
      return "a number";
  }
}

void fail_type(Errors& errors, const std::string& path, const char* expected, JsonNode* got) {
  std::string what = std::string("expected ") + expected + ", got " + value_type_name(got);
  errors.fail(path, what.c_str());
}

bool holds_value_of(JsonNode* node, GType type) {
  return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

bool holds_number(JsonNode* node) { return holds_value_of(node, G_TYPE_INT64) || holds_value_of(node, G_TYPE_DOUBLE); }

}  // namespace

void Errors::fail(const std::string& path, const char* what) {
  if (failed_) return;
  failed_ = true;
  message_ = path.empty() ? what : path + ": " + what;
}

JsonNode* ObjectView::find(const char* camel) const {
  JsonNode* node = json_object_get_member(object_, camel);
  if (!node) {
    std::string snake = snake_case(camel);
    if (snake != camel) node = json_object_get_member(object_, snake.c_str());
  }
  return node && !JSON_NODE_HOLDS_NULL(node) ? node : nullptr;
}

std::string ObjectView::path(const char* camel) const {
  return path_.empty() ? std::string(camel) : path_ + "." + camel;
}

std::optional<std::string> ObjectView::get_string(const char* camel) const {
  JsonNode* node = find(camel);
  if (!node) return std::nullopt;
  return as_string(node, path(camel), *errors_);
}

std::optional<bool> ObjectView::get_bool(const char* camel) const {
  JsonNode* node = find(camel);
  if (!node) return std::nullopt;
  if (!holds_value_of(node, G_TYPE_BOOLEAN)) {
    fail_type(*errors_, path(camel), "a boolean", node);
    return std::nullopt;
  }
  return json_node_get_boolean(node) != FALSE;
}

std::optional<int64_t> ObjectView::get_int(const char* camel) const {
  JsonNode* node = find(camel);
  if (!node) return std::nullopt;
  if (holds_value_of(node, G_TYPE_INT64)) return json_node_get_int(node);
  if (holds_value_of(node, G_TYPE_DOUBLE)) {
    // Range first: casting a double beyond int64 is undefined behaviour.
    double d = json_node_get_double(node);
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == std::floor(d)) return static_cast<int64_t>(d);
  } else if (holds_value_of(node, G_TYPE_STRING)) {
    const char* s = json_node_get_string(node);
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s, &end, 10);
    if (*s && end && *end == '\0' && errno == 0) return static_cast<int64_t>(v);
  }
  fail_type(*errors_, path(camel), "an integer", node);
  return std::nullopt;
}

std::optional<int> ObjectView::get_int32(const char* camel) const {
  auto v = get_int(camel);
  if (!v) return std::nullopt;
  if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    errors_->fail(path(camel), "integer out of range");
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

std::optional<double> ObjectView::get_double(const char* camel) const {
  JsonNode* node = find(camel);
  if (!node) return std::nullopt;
  if (!holds_number(node)) {
    fail_type(*errors_, path(camel), "a number", node);
    return std::nullopt;
  }
  return json_node_get_double(node);
}

std::optional<ObjectView> ObjectView::get_object(const char* camel) const {
  JsonNode* node = find(camel);
  if (!node) return std::nullopt;
  return as_object(node, path(camel), *errors_);
}

JsonValue ObjectView::get_value(const char* camel) const {
  JsonNode* node = find(camel);
  return node ? JsonValue(json_node_ref(node)) : JsonValue();
}

std::optional<ObjectView> as_object(JsonNode* node, const std::string& path, Errors& errors) {
  if (!JSON_NODE_HOLDS_OBJECT(node)) {
    fail_type(errors, path, "an object", node);
    return std::nullopt;
  }
  return ObjectView(json_node_get_object(node), path, errors);
}

std::optional<std::string> as_string(JsonNode* node, const std::string& path, Errors& errors) {
  if (!holds_value_of(node, G_TYPE_STRING)) {
    fail_type(errors, path, "a string", node);
    return std::nullopt;
  }
  return std::string(json_node_get_string(node));
}

Expected<ParsedObject> parse_object(std::string_view text) {
  auto parsed = JsonValue::parse(text);
  if (!parsed) return Error{parsed.error()};
  if (!parsed->is_object()) return Error{"expected a JSON object at the top level"};
  return ParsedObject{std::move(parsed).value()};
}

ObjectBuilder::ObjectBuilder() : object_(json_object_new()) {}

ObjectBuilder::~ObjectBuilder() {
  if (object_) json_object_unref(object_);
}

ObjectBuilder& ObjectBuilder::set(const char* name, JsonNode* adopted) {
  json_object_set_member(object_, name, adopted);
  return *this;
}

ObjectBuilder& ObjectBuilder::set(const char* name, const std::string& value) {
  json_object_set_string_member(object_, name, value.c_str());
  return *this;
}

ObjectBuilder& ObjectBuilder::set(const char* name, const char* value) {
  json_object_set_string_member(object_, name, value);
  return *this;
}

ObjectBuilder& ObjectBuilder::set(const char* name, bool value) {
  json_object_set_boolean_member(object_, name, value);
  return *this;
}

ObjectBuilder& ObjectBuilder::set_int(const char* name, int64_t value) {
  json_object_set_int_member(object_, name, value);
  return *this;
}

ObjectBuilder& ObjectBuilder::set_int64_string(const char* name, int64_t value) {
  return set(name, std::to_string(value));
}

ObjectBuilder& ObjectBuilder::set_double(const char* name, double value) {
  json_object_set_double_member(object_, name, value);
  return *this;
}

ObjectBuilder& ObjectBuilder::set(const char* name, const JsonValue& value) {
  if (!value.is_null()) set(name, value.copy_node());
  return *this;
}

ObjectBuilder& ObjectBuilder::set_empty_object(const char* name) {
  json_object_set_object_member(object_, name, json_object_new());
  return *this;
}

bool ObjectBuilder::empty() const { return json_object_get_size(object_) == 0; }

JsonNode* ObjectBuilder::release() {
  JsonNode* node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, object_);
  object_ = json_object_new();
  return node;
}

JsonNode* string_node(const std::string& value) {
  JsonNode* node = json_node_new(JSON_NODE_VALUE);
  json_node_set_string(node, value.c_str());
  return node;
}

JsonNode* take_array_node(JsonArray* array) {
  JsonNode* node = json_node_new(JSON_NODE_ARRAY);
  json_node_take_array(node, array);
  return node;
}

JsonNode* string_array_node(const std::vector<std::string>& values) {
  JsonArray* array = json_array_sized_new(static_cast<guint>(values.size()));
  for (const auto& v : values) json_array_add_string_element(array, v.c_str());
  return take_array_node(array);
}

}  // namespace geminilive::protocol::json
