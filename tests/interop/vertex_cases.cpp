// SPDX-License-Identifier: LGPL-2.1-or-later
// The Vertex AI half of the interop cases (sdk_cases.mjs: vertexCases,
// refusalCases): setups as the session sends them to Vertex AI, and inputs
// one backend refuses.
#include "encoder_cases.h"

namespace geminilive::interop {

using namespace protocol;

namespace {

// What the session's endpoint gives the setup on Vertex AI.
std::string vertex_model(const char* id) {
  return std::string("projects/interop-project/locations/us-central1/publishers/google/models/") + id;
}

JsonValue object(const char* json) { return parse_json_object(json).value(); }

EncoderCase vertex(const char* name, Setup setup) {
  return {name, setup_for_backend(std::move(setup), Backend::VertexAi)};
}

Setup voice_translation() {
  Setup s;
  s.model = vertex_model("gemini-3.5-live-translate-preview");
  GenerationConfig g;
  g.speech_config = SpeechConfig{"Puck", "es-ES"};
  g.translation_config = object(R"({"targetLanguageCode":"es","echoTargetLanguage":false})");
  s.generation_config = g;
  s.input_audio_transcription = AudioTranscriptionConfig{};
  s.output_audio_transcription = AudioTranscriptionConfig{};
  return s;
}

Setup tools() {
  Setup s;
  s.model = vertex_model("gemini-3.8-live");
  s.generation_config.emplace().response_modalities = {"AUDIO"};
  s.system_instruction = Content::from_text("Look things up.", "user");
  // As a user writes them in geminilivesink's `tools`.
  s.tools =
      parse_tools_json(
          R"([{"functionDeclarations":[{"name":"lookup","description":"Looks a word up.","behavior":"NON_BLOCKING"}],)"
          R"("googleSearch":{"excludeDomains":["example.com"],"blockingConfidence":"BLOCK_LOW_AND_ABOVE"},)"
          R"("retrieval":{"vertexRagStore":{"ragResources":[{"ragCorpus":"projects/p/locations/l/ragCorpora/1"}]}}},)"
          R"({"enterpriseWebSearch":{}},{"googleMaps":{"groundingTypes":["PLACES"]},"urlContext":{}}])")
          .value();
  return s;
}

Setup transparent() {
  Setup s;
  s.model = vertex_model("gemini-3.8-live");
  s.session_resumption = SessionResumptionConfig{"vertex-handle-1", true};
  s.context_window_compression = ContextWindowCompression{{}, SlidingWindow{}};
  s.extra = object(R"({"explicitVadSignal":true})");
  return s;
}

Setup safety() {
  Setup s;
  s.model = vertex_model("gemini-live-2.5-flash-native-audio");
  s.generation_config.emplace().temperature = 0.4;
  s.extra = object(
      R"({"safetySettings":[{"category":"HARM_CATEGORY_HATE_SPEECH","method":"SEVERITY","threshold":"BLOCK_LOW_AND_ABOVE"}],)"
      R"("labels":{"team":"media"}})");
  return s;
}

Setup text() {
  Setup s;
  s.model = vertex_model("gemini-3.5-transcribe-live");
  s.generation_config.emplace().response_modalities = {"TEXT"};
  s.input_audio_transcription = AudioTranscriptionConfig{{"de-DE"}};
  return s;
}

Setup with_tools(const char* json) {
  Setup s;
  s.model = model_resource_name("gemini-3.8-live");
  s.tools = parse_tools_json(json).value();
  return s;
}

Setup with_extra(const char* json) {
  Setup s;
  s.model = model_resource_name("gemini-3.8-live");
  s.extra = object(json);
  return s;
}

}  // namespace

std::vector<EncoderCase> vertex_encoder_cases() {
  Setup plain;
  plain.model = vertex_model("gemini-3.8-live");
  return {
      vertex("vertex-setup-plain", plain),     vertex("vertex-setup-voice-translation", voice_translation()),
      vertex("vertex-setup-tools", tools()),   vertex("vertex-setup-transparent", transparent()),
      vertex("vertex-setup-safety", safety()), vertex("vertex-setup-text", text()),
  };
}

std::vector<RefusalCase> refusal_cases() {
  constexpr Backend Gemini = Backend::GeminiApi;
  constexpr Backend Vertex = Backend::VertexAi;
  Setup transparent_on_dev;
  transparent_on_dev.model = model_resource_name("gemini-3.8-live");
  transparent_on_dev.session_resumption = SessionResumptionConfig{{}, true};
  return {
      {"refused-dev-transparent", Gemini, transparent_on_dev},
      {"refused-dev-explicit-vad", Gemini, with_extra(R"({"explicitVadSignal":true})")},
      {"refused-dev-safety-method", Gemini,
       with_extra(
           R"({"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","method":"PROBABILITY","threshold":"OFF"}]})")},
      {"refused-dev-retrieval", Gemini, with_tools(R"([{"retrieval":{}}])")},
      {"refused-dev-enterprise-search", Gemini, with_tools(R"([{"enterpriseWebSearch":{}}])")},
      {"refused-dev-exa-search", Gemini, with_tools(R"([{"exaAiSearch":{}}])")},
      {"refused-dev-parallel-search", Gemini, with_tools(R"([{"parallelAiSearch":{}}])")},
      {"refused-dev-search-exclude", Gemini, with_tools(R"([{"googleSearch":{"excludeDomains":["a.example"]}}])")},
      {"refused-dev-search-confidence", Gemini,
       with_tools(R"([{"googleSearch":{"blockingConfidence":"BLOCK_NONE"}}])")},
      {"refused-dev-maps-types", Gemini, with_tools(R"([{"googleMaps":{"groundingTypes":["PLACES"]}}])")},
      {"refused-vertex-file-search", Vertex, with_tools(R"([{"fileSearch":{"fileSearchStoreNames":["s"]}}])")},
      {"refused-vertex-mcp-name", Vertex, with_tools(R"([{"mcpServers":[{"name":"m"}]}])")},
      {"refused-vertex-consent-audio", Vertex,
       with_extra(R"({"generationConfig":{"speechConfig":{"voiceConfig":{"replicatedVoiceConfig":)"
                  R"({"mimeType":"audio/wav","voiceSampleAudio":"AAAA","consentAudio":"AAAA"}}}}})")},
  };
}

}  // namespace geminilive::interop
