// SPDX-License-Identifier: LGPL-2.1-or-later
#include "encoder_cases.h"

namespace geminilive::interop {

using namespace protocol;

std::string case_audio_bytes() {
  std::string bytes(3200, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7 + 3) & 0xff);
  return bytes;
}

std::string case_jpeg_bytes() {
  std::string bytes = "\xff\xd8\xff\xe0";
  for (int i = 0; i < 60; ++i) bytes.push_back(static_cast<char>(i * 13));
  bytes += "\xff\xd9";
  return bytes;
}

namespace {

Setup full_setup() {
  Setup s;
  s.model = model_resource_name("gemini-2.5-flash-native-audio-preview-12-2025");
  GenerationConfig g;
  g.response_modalities = {"AUDIO"};
  g.temperature = 0.7;
  g.top_p = 0.95;
  g.top_k = 40;
  g.max_output_tokens = 1024;
  g.seed = 7;
  g.media_resolution = "MEDIA_RESOLUTION_LOW";
  g.speech_config = SpeechConfig{"Puck", "en-US"};
  g.thinking_config = ThinkingConfig{0, {}, {}};
  g.enable_affective_dialog = true;
  s.generation_config = g;
  s.system_instruction = Content::from_text("You are a helpful screen assistant.", "user");

  FunctionDeclaration save_note;
  save_note.name = "save_note";
  save_note.description = "Appends a note to the notes file.";
  save_note.parameters =
      JsonValue::parse(
          R"({"type":"OBJECT","properties":{"text":{"type":"STRING","description":"The note."}},"required":["text"]})")
          .value();
  Tool functions;
  functions.function_declarations.push_back(save_note);
  Tool search;
  search.google_search = true;
  s.tools = {functions, search};

  s.session_resumption = SessionResumptionConfig{"handle-123", {}};
  s.input_audio_transcription = AudioTranscriptionConfig{};
  s.output_audio_transcription = AudioTranscriptionConfig{};
  AutomaticActivityDetection aad;
  aad.disabled = false;
  aad.start_of_speech_sensitivity = "START_SENSITIVITY_UNSPECIFIED";
  aad.end_of_speech_sensitivity = "END_SENSITIVITY_UNSPECIFIED";
  aad.prefix_padding_ms = 500;
  aad.silence_duration_ms = 2000;
  s.realtime_input_config = RealtimeInputConfig{aad, "ACTIVITY_HANDLING_UNSPECIFIED", "TURN_INCLUDES_ONLY_ACTIVITY"};
  s.context_window_compression = ContextWindowCompression{25600, SlidingWindow{12800}};
  s.proactivity = Proactivity{true};
  return s;
}

Setup text_setup() {
  Setup s;
  s.model = model_resource_name("models/gemini-3.1-flash-live-preview");
  GenerationConfig g;
  g.response_modalities = {"TEXT"};
  s.generation_config = g;
  s.system_instruction = Content::from_text("Answer in one sentence.", "user");
  s.session_resumption = SessionResumptionConfig{};
  s.context_window_compression = ContextWindowCompression{{}, SlidingWindow{}};
  s.input_audio_transcription = AudioTranscriptionConfig{{"en-US", "de-DE"}};
  return s;
}

FunctionDeclaration declaration(const char* name, const char* description, const char* behavior) {
  FunctionDeclaration f;
  f.name = name;
  f.description = description;
  f.behavior = behavior;
  return f;
}

Tool lookup_tool() {
  Tool t;
  t.function_declarations = {declaration("lookup", "Looks a word up.", "NON_BLOCKING")};
  return t;
}

Setup live38_setup() {
  Setup s;
  s.model = model_resource_name("gemini-3.8-live");
  GenerationConfig g;
  g.response_modalities = {"AUDIO"};
  g.temperature = 0.6;
  g.top_p = 0.9;
  g.top_k = 20;
  g.max_output_tokens = 2048;
  g.media_resolution = "MEDIA_RESOLUTION_MEDIUM";
  g.speech_config = SpeechConfig{"Kore", {}};
  s.generation_config = g;
  s.system_instruction = Content::from_text("Be brief.", "user");

  FunctionDeclaration lookup = declaration("lookup", "Looks a word up.", "NON_BLOCKING");
  lookup.parameters =
      JsonValue::parse(R"({"type":"OBJECT","properties":{"word":{"type":"STRING"}},"required":["word"]})").value();
  Tool functions;
  functions.function_declarations = {declaration("get_time", "The current time.", "BLOCKING"), lookup};
  Tool search;
  search.google_search = true;
  s.tools = {functions, search};

  s.session_resumption = SessionResumptionConfig{};
  s.input_audio_transcription = AudioTranscriptionConfig{{"en-US", "fr-FR"}};
  s.output_audio_transcription = AudioTranscriptionConfig{{"en-US"}};
  AutomaticActivityDetection aad;
  aad.disabled = true;
  aad.start_of_speech_sensitivity = "START_SENSITIVITY_HIGH";
  aad.end_of_speech_sensitivity = "END_SENSITIVITY_LOW";
  aad.prefix_padding_ms = 300;
  aad.silence_duration_ms = 800;
  s.realtime_input_config = RealtimeInputConfig{aad, "NO_INTERRUPTION", "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"};
  s.context_window_compression = ContextWindowCompression{100000, SlidingWindow{50000}};
  return s;
}

Setup extended_thinking_setup() {
  Setup s;
  s.model = model_resource_name("gemini-3.8-live-extended-thinking");
  GenerationConfig g;
  g.response_modalities = {"AUDIO"};
  g.thinking_config = ThinkingConfig{{}, true, "HIGH"};
  s.generation_config = g;
  s.tools = {lookup_tool()};
  s.output_audio_transcription = AudioTranscriptionConfig{};
  return s;
}

Setup native25_setup() {
  Setup s;
  s.model = model_resource_name("gemini-2.5-flash-native-audio-preview-12-2025");
  GenerationConfig g;
  g.response_modalities = {"AUDIO"};
  g.media_resolution = "MEDIA_RESOLUTION_HIGH";
  g.thinking_config = ThinkingConfig{1024, true, {}};
  g.enable_affective_dialog = true;
  s.generation_config = g;
  s.output_audio_transcription = AudioTranscriptionConfig{};
  AutomaticActivityDetection aad;
  aad.disabled = false;
  aad.start_of_speech_sensitivity = "START_SENSITIVITY_LOW";
  aad.end_of_speech_sensitivity = "END_SENSITIVITY_HIGH";
  s.realtime_input_config = RealtimeInputConfig{aad, "START_OF_ACTIVITY_INTERRUPTS", "TURN_INCLUDES_ALL_INPUT"};
  s.proactivity = Proactivity{true};
  return s;
}

// The SDK's seed, safetySettings and labels, given to us as Setup::extra.
Setup extra_setup() {
  Setup s;
  s.model = model_resource_name("gemini-3.8-live");
  GenerationConfig g;
  g.response_modalities = {"AUDIO"};
  g.temperature = 0.5;
  s.generation_config = g;
  s.extra =
      parse_json_object(R"({"generationConfig":{"seed":3},)"
                        R"("safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_ONLY_HIGH"}],)"
                        R"("labels":{"app":"gst"}})")
          .value();
  return s;
}

FunctionResponse response(const char* id, const char* name, const char* json, std::optional<std::string> scheduling,
                          std::optional<bool> will_continue) {
  return {id, name, JsonValue::parse(json).value(), std::move(scheduling), will_continue};
}

RealtimeInput flag(bool RealtimeInput::*field) {
  RealtimeInput r;
  r.*field = true;
  return r;
}

}  // namespace

std::vector<EncoderCase> encoder_cases() {
  Setup minimal;
  minimal.model = model_resource_name("gemini-2.0-flash-live-001");

  ClientContent hello;
  hello.turns = {Content::from_text("Hello", "user")};
  hello.turn_complete = true;

  ClientContent history;
  history.turns = {Content::from_text("What is on my screen?", "user"),
                   Content::from_text("A terminal window.", "model")};
  history.turn_complete = false;

  ClientContent turn_complete_only;
  turn_complete_only.turn_complete = true;

  ToolResponse tool_response;
  tool_response.function_responses = {
      {"function-call-1", "save_note", JsonValue::parse(R"({"output":"saved"})").value(), {}, {}}};

  ClientContent history_complete;
  history_complete.turns = {Content::from_text("Remember the number 7.", "user"),
                            Content::from_text("I will remember 7.", "model"),
                            Content::from_text("Which number?", "user")};
  history_complete.turn_complete = true;

  ToolResponse will_continue;
  will_continue.function_responses = {response("function-call-2", "lookup", R"({"output":"partial"})", "SILENT", true)};
  ToolResponse scheduling;
  scheduling.function_responses = {response("function-call-3", "get_time", R"({"output":"12:00"})", "WHEN_IDLE", {}),
                                   response("function-call-2", "lookup", "{}", "INTERRUPT", false)};

  ContextUpdate instruction;
  instruction.system_instruction = Content::from_text("Now answer in French.", "user");
  ContextUpdate tools;
  tools.tools = std::vector<Tool>{lookup_tool()};
  ContextUpdate both;
  both.system_instruction = Content::from_text("Use the tools.", "user");
  both.system_instruction->parts.push_back(Content::from_text("Be brief.").parts[0]);
  Tool search;
  search.google_search = true;
  both.tools = std::vector<Tool>{lookup_tool(), search};
  ContextUpdate clear;
  clear.tools = std::vector<Tool>{};

  return {
      {"setup-minimal", minimal},
      {"setup-full", full_setup()},
      {"setup-text", text_setup()},
      {"realtime-audio", RealtimeInput::with_audio({"audio/pcm;rate=16000", case_audio_bytes()})},
      {"realtime-video", RealtimeInput::with_video({"image/jpeg", case_jpeg_bytes()})},
      {"realtime-text", RealtimeInput::with_text("Are you there? Ünïcødé \"quotes\" \\ and\nnewline")},
      {"activity-start", flag(&RealtimeInput::activity_start)},
      {"activity-end", flag(&RealtimeInput::activity_end)},
      {"audio-stream-end", flag(&RealtimeInput::audio_stream_end)},
      {"client-content", hello},
      {"client-content-history", history},
      {"client-content-turn-complete", turn_complete_only},
      {"tool-response", tool_response},
      {"client-content-history-complete", history_complete},
      {"tool-response-will-continue", will_continue},
      {"tool-response-scheduling", scheduling},
      {"context-update-instruction", instruction},
      {"context-update-tools", tools},
      {"context-update-both", both},
      {"context-update-clear-tools", clear},
      {"setup-3.8", live38_setup()},
      {"setup-3.8-extended-thinking", extended_thinking_setup()},
      {"setup-2.5", native25_setup()},
      {"setup-extra", extra_setup()},
  };
}

}  // namespace geminilive::interop
