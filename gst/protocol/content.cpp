// SPDX-License-Identifier: LGPL-2.1-or-later
// Content, Part, Blob and function-call records, and their JSON form.
#include "protocol/content.h"

#include "protocol/base64.h"
#include "protocol/json_fields.h"

namespace geminilive::protocol {

Content Content::from_text(std::string text, std::optional<std::string> role) {
  Content content;
  content.role = std::move(role);
  Part part;
  part.text = std::move(text);
  content.parts.push_back(std::move(part));
  return content;
}

std::string Content::text() const {
  std::string out;
  for (const auto& part : parts)
    if (part.text && !part.thought.value_or(false)) out += *part.text;
  return out;
}

namespace json {

JsonNode* blob_to_json(const Blob& blob) {
  ObjectBuilder b;
  b.set("mimeType", blob.mime_type);
  b.set("data", base64_encode(blob.data));
  return b.release();
}

static JsonNode* part_to_json(const Part& part) {
  // The SDK's partToMldev order.
  ObjectBuilder b;
  b.set("codeExecutionResult", part.code_execution_result);
  b.set("executableCode", part.executable_code);
  if (part.inline_data) b.set("inlineData", blob_to_json(*part.inline_data));
  b.set("text", part.text);
  b.set("thought", part.thought);
  return b.release();
}

JsonNode* content_to_json(const Content& content) {
  ObjectBuilder b;
  JsonArray* parts = json_array_sized_new(static_cast<guint>(content.parts.size()));
  for (const auto& part : content.parts) json_array_add_element(parts, part_to_json(part));
  b.set("parts", take_array_node(parts));
  b.set("role", content.role);
  return b.release();
}

JsonNode* function_call_to_json(const FunctionCall& call) {
  ObjectBuilder b;
  if (!call.id.empty()) b.set("id", call.id);
  b.set("name", call.name);
  b.set("args", call.args);
  return b.release();
}

JsonNode* function_response_to_json(const FunctionResponse& response) {
  ObjectBuilder b;
  if (!response.id.empty()) b.set("id", response.id);
  b.set("name", response.name);
  b.set("response", response.response);
  b.set("scheduling", response.scheduling);
  b.set("willContinue", response.will_continue);
  return b.release();
}

std::optional<Blob> blob_from_json(JsonNode* node, const std::string& path, Errors& errors) {
  auto obj = as_object(node, path, errors);
  if (!obj) return std::nullopt;
  Blob blob;
  blob.mime_type = obj->get_string("mimeType").value_or("");
  if (auto data = obj->get_string("data")) {
    if (!base64_decode(*data, blob.data)) {
      errors.fail(obj->path("data"), "invalid base64");
      return std::nullopt;
    }
  }
  if (errors.failed()) return std::nullopt;
  return blob;
}

static std::optional<Part> part_from_json(JsonNode* node, const std::string& path, Errors& errors) {
  auto obj = as_object(node, path, errors);
  if (!obj) return std::nullopt;
  Part part;
  part.text = obj->get_string("text");
  if (JsonNode* inline_data = obj->find("inlineData")) {
    part.inline_data = blob_from_json(inline_data, obj->path("inlineData"), errors);
  }
  part.thought = obj->get_bool("thought");
  part.executable_code = obj->get_value("executableCode");
  part.code_execution_result = obj->get_value("codeExecutionResult");
  if (errors.failed()) return std::nullopt;
  return part;
}

std::optional<Content> content_from_json(JsonNode* node, const std::string& path, Errors& errors) {
  auto obj = as_object(node, path, errors);
  if (!obj) return std::nullopt;
  Content content;
  content.role = obj->get_string("role");
  obj->for_each("parts", [&](JsonNode* element, const std::string& p) {
    if (auto part = part_from_json(element, p, errors)) content.parts.push_back(std::move(*part));
  });
  if (errors.failed()) return std::nullopt;
  return content;
}

std::optional<FunctionCall> function_call_from_json(JsonNode* node, const std::string& path, Errors& errors) {
  auto obj = as_object(node, path, errors);
  if (!obj) return std::nullopt;
  FunctionCall call;
  call.id = obj->get_string("id").value_or("");
  call.name = obj->get_string("name").value_or("");
  call.args = obj->get_value("args");
  if (errors.failed()) return std::nullopt;
  return call;
}

std::optional<FunctionResponse> function_response_from_json(JsonNode* node, const std::string& path, Errors& errors) {
  auto obj = as_object(node, path, errors);
  if (!obj) return std::nullopt;
  FunctionResponse response;
  response.id = obj->get_string("id").value_or("");
  response.name = obj->get_string("name").value_or("");
  response.response = obj->get_value("response");
  response.scheduling = obj->get_string("scheduling");
  response.will_continue = obj->get_bool("willContinue");
  if (errors.failed()) return std::nullopt;
  return response;
}

}  // namespace json
}  // namespace geminilive::protocol
