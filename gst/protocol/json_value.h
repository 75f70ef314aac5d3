// SPDX-License-Identifier: LGPL-2.1-or-later
// A free-form JSON value (a json-glib JsonNode, reference counted and sealed)
// for the parts of the protocol that carry arbitrary JSON: function arguments
// and responses, schemas, grounding metadata.
#pragma once

#include <json-glib/json-glib.h>

#include <string>
#include <string_view>

#include "protocol/expected.h"

namespace geminilive::protocol {

enum class JsonStyle {
  // What JSON.stringify() writes: what the JS SDK sends.
  Compact,
  // What the service sends: 2-space indentation, `"key": value`, `{}` for an
  // empty object and one trailing newline.
  Pretty,
};

// json-glib's own generator writes `{  }` and 17-digit doubles; this writer
// produces the bytes the SDK and the service produce.
std::string json_serialize(JsonNode* node, JsonStyle style = JsonStyle::Compact);
// Appends `s` as a JSON string (quoted, escaped as the serializer does).
void json_append_string(std::string& out, const char* s);

class JsonValue {
 public:
  JsonValue() = default;
  // Takes ownership of `node` (which may be null) and seals it.
  explicit JsonValue(JsonNode* node);
  JsonValue(const JsonValue& other);
  JsonValue(JsonValue&& other) noexcept;
  JsonValue& operator=(JsonValue other) noexcept;
  ~JsonValue();

  static Expected<JsonValue> parse(std::string_view text);
  static JsonValue empty_object();

  bool is_null() const { return node_ == nullptr; }
  bool is_object() const;
  JsonNode* node() const { return node_; }
  // A new, unsealed copy for a JsonBuilder to adopt.
  JsonNode* copy_node() const;
  std::string to_string(JsonStyle style = JsonStyle::Compact) const;

  // Structural equality: member order does not matter, 1 == 1.0.
  bool operator==(const JsonValue& other) const;
  bool operator!=(const JsonValue& other) const { return !(*this == other); }

 private:
  JsonNode* node_ = nullptr;
};

// `text` as a JSON object, for options users write as JSON (geminilivesink's
// `setup-extra`). The error is "invalid JSON: <where and why>" (our strict
// lexer's or json-glib's message), or "not a JSON object (got an array)".
Expected<JsonValue> parse_json_object(std::string_view text);

// Merges `patch` into the object `target`, member by member: where both hold
// an object the two merge recursively, any other member of `patch` (arrays,
// null and scalars included) replaces `target`'s or is added after its
// members. A replaced member keeps its place. Nothing happens unless both are
// objects. `target` must not be sealed (a builder's node).
void json_merge_objects(JsonNode* target, JsonNode* patch);

// Structural equality for nodes (objects compared by member, numbers by value).
bool json_nodes_equal(JsonNode* a, JsonNode* b);

}  // namespace geminilive::protocol
