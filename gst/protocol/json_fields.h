// SPDX-License-Identifier: LGPL-2.1-or-later
// Internal helpers for the codecs: reading typed fields out of json-glib
// objects (camelCase or snake_case, errors naming the field's path) and
// building objects in wire order. Not part of the public protocol API.
#pragma once

#include <json-glib/json-glib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/content.h"
#include "protocol/expected.h"
#include "protocol/json_value.h"
#include "protocol/setup.h"

namespace geminilive::protocol::json {

// The first error met while decoding one message.
class Errors {
 public:
  void fail(const std::string& path, const char* what);
  bool failed() const { return failed_; }
  Error error() const { return Error{message_}; }

 private:
  bool failed_ = false;
  std::string message_;
};

// A JSON object being decoded, with the path used in error messages.
class ObjectView {
 public:
  ObjectView(JsonObject* object, std::string path, Errors& errors)
      : object_(object), path_(std::move(path)), errors_(&errors) {}

  // The member named `camel` or its snake_case spelling; null when absent or JSON null.
  JsonNode* find(const char* camel) const;
  bool has(const char* camel) const { return find(camel) != nullptr; }

  std::optional<std::string> get_string(const char* camel) const;
  std::optional<bool> get_bool(const char* camel) const;
  // int64 fields are strings in proto3 JSON; numbers are accepted too.
  std::optional<int64_t> get_int(const char* camel) const;
  std::optional<int> get_int32(const char* camel) const;
  std::optional<double> get_double(const char* camel) const;
  std::optional<ObjectView> get_object(const char* camel) const;
  JsonValue get_value(const char* camel) const;
  // `fn(JsonNode* element, const std::string& path)` for each element.
  template <typename F>
  void for_each(const char* camel, F&& fn) const {
    JsonNode* node = find(camel);
    if (!node) return;
    std::string p = path(camel);
    if (!JSON_NODE_HOLDS_ARRAY(node)) return errors_->fail(p, "expected an array");
    JsonArray* array = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(array) && !errors_->failed(); ++i)
      fn(json_array_get_element(array, i), p + "[" + std::to_string(i) + "]");
  }

  std::string path(const char* camel) const;
  Errors& errors() const { return *errors_; }
  JsonObject* object() const { return object_; }

 private:
  JsonObject* object_;
  std::string path_;
  Errors* errors_;
};

// Views `node` as an object, or records "expected an object" at `path`.
std::optional<ObjectView> as_object(JsonNode* node, const std::string& path, Errors& errors);
std::optional<std::string> as_string(JsonNode* node, const std::string& path, Errors& errors);

// Parses a message and returns its root object view, or the parse error.
struct ParsedObject {
  JsonValue root;
};
Expected<ParsedObject> parse_object(std::string_view text);

// Builds one JSON object, members in the order they are set.
class ObjectBuilder {
 public:
  ObjectBuilder();
  ~ObjectBuilder();
  ObjectBuilder(const ObjectBuilder&) = delete;
  ObjectBuilder& operator=(const ObjectBuilder&) = delete;

  ObjectBuilder& set(const char* name, JsonNode* adopted);
  ObjectBuilder& set(const char* name, const std::string& value);
  ObjectBuilder& set(const char* name, const char* value);
  ObjectBuilder& set(const char* name, bool value);
  ObjectBuilder& set_int(const char* name, int64_t value);
  ObjectBuilder& set_int64_string(const char* name, int64_t value);  // proto3 int64
  ObjectBuilder& set_double(const char* name, double value);
  ObjectBuilder& set(const char* name, const JsonValue& value);  // skipped when null
  ObjectBuilder& set_empty_object(const char* name);

  template <typename T>
  ObjectBuilder& set(const char* name, const std::optional<T>& value) {
    if (value) set(name, *value);
    return *this;
  }
  ObjectBuilder& set_int(const char* name, const std::optional<int64_t>& v) { return v ? set_int(name, *v) : *this; }
  ObjectBuilder& set_int(const char* name, const std::optional<int>& v) { return v ? set_int(name, *v) : *this; }
  ObjectBuilder& set_double(const char* name, const std::optional<double>& v) {
    return v ? set_double(name, *v) : *this;
  }

  bool empty() const;
  // Hands the object over as a node; the builder is empty afterwards.
  JsonNode* release();

 private:
  JsonObject* object_;
};

JsonNode* string_node(const std::string& value);
// Wraps `array` in a node, taking over the caller's reference.
JsonNode* take_array_node(JsonArray* array);
JsonNode* string_array_node(const std::vector<std::string>& values);

// Blob, Part, Content, FunctionCall, FunctionResponse: shared by both codecs.
JsonNode* blob_to_json(const Blob& blob);
JsonNode* content_to_json(const Content& content);
JsonNode* function_call_to_json(const FunctionCall& call);
JsonNode* function_response_to_json(const FunctionResponse& response);

std::optional<Blob> blob_from_json(JsonNode* node, const std::string& path, Errors& errors);
std::optional<Content> content_from_json(JsonNode* node, const std::string& path, Errors& errors);
std::optional<FunctionCall> function_call_from_json(JsonNode* node, const std::string& path, Errors& errors);
std::optional<FunctionResponse> function_response_from_json(JsonNode* node, const std::string& path, Errors& errors);

JsonNode* setup_to_json(const Setup& setup);
// The setup's `tools` array; contextUpdate's `tools.tools` is the same.
JsonNode* tools_to_json(const std::vector<Tool>& tools);
std::vector<Tool> tools_from_json(const ObjectView& parent, const char* name);
std::optional<Setup> setup_from_json(JsonNode* node, const std::string& path, Errors& errors);

}  // namespace geminilive::protocol::json
