// SPDX-License-Identifier: LGPL-2.1-or-later
// The `setup` message (BidiGenerateContentSetup): the whole configuration of a
// Live connection, sent once as the first message. Field names mirror the
// wire's camelCase in snake_case; unset optionals are left off the wire.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/backend.h"
#include "protocol/content.h"
#include "protocol/expected.h"
#include "protocol/json_value.h"

namespace geminilive::protocol {

struct SpeechConfig {
  std::optional<std::string> voice_name;     // voiceConfig.prebuiltVoiceConfig.voiceName
  std::optional<std::string> language_code;  // e.g. "en-US"
};

struct ThinkingConfig {
  std::optional<int> thinking_budget;
  std::optional<bool> include_thoughts;
  std::optional<std::string> thinking_level;  // MINIMAL | LOW | MEDIUM | HIGH
};

struct GenerationConfig {
  std::vector<std::string> response_modalities;  // "AUDIO" or "TEXT"
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int> top_k;
  std::optional<int> max_output_tokens;
  std::optional<int> candidate_count;
  std::optional<double> presence_penalty;
  std::optional<double> frequency_penalty;
  std::optional<int> seed;
  std::optional<std::string> media_resolution;  // MEDIA_RESOLUTION_LOW | _MEDIUM | _HIGH
  std::optional<SpeechConfig> speech_config;
  std::optional<ThinkingConfig> thinking_config;
  std::optional<bool> enable_affective_dialog;
  JsonValue translation_config;  // {"targetLanguageCode","echoTargetLanguage"}
};

struct FunctionDeclaration {
  std::string name;
  std::optional<std::string> description;
  JsonValue parameters;                 // OpenAPI-subset Schema
  JsonValue parameters_json_schema;     // JSON Schema alternative
  JsonValue response;                   // Schema of the result
  JsonValue response_json_schema;       // JSON Schema alternative
  std::optional<std::string> behavior;  // BLOCKING | NON_BLOCKING
};

struct Tool {
  std::vector<FunctionDeclaration> function_declarations;
  bool google_search = false;
  JsonValue google_search_options;  // null: {}; kept as written (session/backend_rules.h checks them)
  bool code_execution = false;
  bool url_context = false;
  // Tools kept as written, by their wire name (live-protocol-2026.md §5.2):
  // retrieval, enterpriseWebSearch, exaAiSearch, parallelAiSearch (Vertex
  // AI only), fileSearch, mcpServers (Developer API only), googleMaps
  // (both; groundingTypes Vertex AI only). session/backend_rules.h checks them.
  std::vector<std::pair<std::string, JsonValue>> as_written;
};

// The wire names Tool::as_written may hold.
inline constexpr const char* kToolsAsWritten[] = {
    "retrieval", "googleMaps", "mcpServers", "enterpriseWebSearch", "exaAiSearch", "parallelAiSearch", "fileSearch"};

struct AutomaticActivityDetection {
  std::optional<bool> disabled;
  std::optional<std::string> start_of_speech_sensitivity;  // START_SENSITIVITY_*
  std::optional<std::string> end_of_speech_sensitivity;    // END_SENSITIVITY_*
  std::optional<int> prefix_padding_ms;
  std::optional<int> silence_duration_ms;
};

struct RealtimeInputConfig {
  std::optional<AutomaticActivityDetection> automatic_activity_detection;
  std::optional<std::string> activity_handling;  // START_OF_ACTIVITY_INTERRUPTS | NO_INTERRUPTION
  std::optional<std::string> turn_coverage;      // TURN_INCLUDES_*
};

struct SessionResumptionConfig {
  std::optional<std::string> handle;
  std::optional<bool> transparent;  // Vertex only
};

struct SlidingWindow {
  std::optional<int64_t> target_tokens;  // int64: a string on the wire
};

struct ContextWindowCompression {
  std::optional<int64_t> trigger_tokens;  // int64: a string on the wire
  std::optional<SlidingWindow> sliding_window;
};

struct AudioTranscriptionConfig {
  std::vector<std::string> language_codes;
};

struct Proactivity {
  std::optional<bool> proactive_audio;
};

struct HistoryConfig {
  std::optional<bool> initial_history_in_client_content;
};

struct Setup {
  std::string model;  // "models/<id>"; see model_resource_name()
  std::optional<GenerationConfig> generation_config;
  std::optional<Content> system_instruction;
  std::vector<Tool> tools;
  std::optional<RealtimeInputConfig> realtime_input_config;
  std::optional<SessionResumptionConfig> session_resumption;
  std::optional<ContextWindowCompression> context_window_compression;
  std::optional<AudioTranscriptionConfig> input_audio_transcription;
  std::optional<AudioTranscriptionConfig> output_audio_transcription;
  std::optional<Proactivity> proactivity;
  std::optional<HistoryConfig> history_config;
  // A JSON object merged into the setup last (geminilivesink's setup-extra).
  JsonValue extra;
};

// The Developer API's resource name for a model id: "gemini-x" becomes
// "models/gemini-x"; names already under "models/" or "tunedModels/" stay.
std::string model_resource_name(const std::string& model);

// The setup as `backend` is sent it. Vertex AI gets
// generationConfig.responseModalities ["AUDIO"] when none is set, as SDK
// 2.32.0 adds it (its Live.connect, "to align with MLDev"); the rest is
// written alike (liveConnectConfigToVertex keeps the Developer API's order).
// The model's resource name is the caller's to set: it depends on the
// endpoint (projects/P/locations/L/publishers/google/models/M on Vertex AI).
Setup setup_for_backend(Setup setup, Backend backend);

// Function declarations written by a user (geminilivesink's `tools`), in any
// of these shapes:
//   [{"name":"f",...}, ...]                       FunctionDeclarations
//   {"name":"f",...}                              one FunctionDeclaration
//   [{"functionDeclarations":[...]}, {"googleSearch":{}}]   the setup's `tools`
// (snake_case names too; bare declarations and tools may be mixed: the bare
// ones become one functionDeclarations tool). Stricter than the decoder, so
// nothing the user wrote is dropped: every declaration needs a name, names
// are unique, and unknown fields, unsupported tools and tool options are
// errors naming their JSON path ("$[1].name: ..."). Schemas are kept as
// written.
Expected<std::vector<Tool>> parse_tools_json(std::string_view json);

}  // namespace geminilive::protocol
