// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/backend_rules.h"

#include <string_view>
#include <variant>

#include "protocol/client_message.h"

namespace geminilive::session {

namespace {

constexpr protocol::Backend Vertex = protocol::Backend::VertexAi;
constexpr protocol::Backend Gemini = protocol::Backend::GeminiApi;

// Source: SDK 2.32.0 sessionResumptionConfigToMldev, liveConnectConfigToMldev,
// safetySettingToMldev, toolToMldev, googleSearchToMldev, googleMapsToMldev
// (Vertex AI only); toolToVertex, mcpServerToVertex,
// replicatedVoiceConfigToVertex, partToVertex (Developer API only).
const std::vector<BackendField> kFields = {
    {"sessionResumption.transparent", Vertex},
    {"explicitVadSignal", Vertex},
    {"safetySettings.method", Vertex},
    {"tools.retrieval", Vertex},
    {"tools.enterpriseWebSearch", Vertex},
    {"tools.exaAiSearch", Vertex},
    {"tools.parallelAiSearch", Vertex},
    {"tools.googleSearch.blockingConfidence", Vertex},
    {"tools.googleSearch.excludeDomains", Vertex},
    {"tools.googleMaps.groundingTypes", Vertex},
    {"tools.fileSearch", Gemini},
    {"tools.mcpServers.name", Gemini},
    {"tools.mcpServers.streamableHttpTransport", Gemini},
    {"generationConfig.speechConfig.voiceConfig.replicatedVoiceConfig.consentAudio", Gemini},
    {"generationConfig.speechConfig.voiceConfig.replicatedVoiceConfig.voiceConsentSignature", Gemini},
    {"systemInstruction.parts.partMetadata", Gemini},
};

// "explicitVadSignal" -> "explicit_vad_signal": setup-extra is merged as written.
std::string snake_case(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out.push_back('_');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

JsonNode* member(JsonNode* node, std::string_view name) {
  if (!node || !JSON_NODE_HOLDS_OBJECT(node)) return nullptr;
  JsonObject* o = json_node_get_object(node);
  const std::string camel(name);
  if (json_object_has_member(o, camel.c_str())) return json_object_get_member(o, camel.c_str());
  const std::string snake = snake_case(name);
  return json_object_has_member(o, snake.c_str()) ? json_object_get_member(o, snake.c_str()) : nullptr;
}

// Whether `path` (dotted, arrays walked) is present under `node`. As the SDK
// checks (`!== undefined`), a null value counts.
bool has_path(JsonNode* node, std::string_view path) {
  if (!node) return false;
  if (JSON_NODE_HOLDS_ARRAY(node)) {
    JsonArray* a = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(a); ++i)
      if (has_path(json_array_get_element(a, i), path)) return true;
    return false;
  }
  const auto dot = path.find('.');
  JsonNode* next = member(node, path.substr(0, dot));
  if (!next) return false;
  return dot == std::string_view::npos || has_path(next, path.substr(dot + 1));
}

}  // namespace

const std::vector<BackendField>& backend_fields() { return kFields; }

const char* backend_title(protocol::Backend backend) {
  return backend == Vertex ? "Vertex AI" : "the Gemini Developer API";
}

std::optional<Refusal> refused_by_backend(protocol::Backend backend, const protocol::Setup& setup) {
  // The wire form: setup-extra may hold any of them.
  auto wire = protocol::JsonValue::parse(protocol::encode_client_message(setup));
  if (!wire) return std::nullopt;
  JsonNode* sent = member(wire->node(), "setup");
  for (const auto& field : kFields) {
    if (field.only == backend || !has_path(sent, field.wire_path)) continue;
    return Refusal{field.wire_path, std::string("only ") + backend_title(field.only) + " takes it, not " +
                                        backend_title(backend) + " (the official SDK refuses it too)"};
  }
  return std::nullopt;
}

}  // namespace geminilive::session
