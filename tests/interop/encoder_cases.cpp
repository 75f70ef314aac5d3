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
  save_note.parameters = JsonValue::parse(
      R"({"type":"OBJECT","properties":{"text":{"type":"STRING","description":"The note."}},"required":["text"]})").value();
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
  };
}

}  // namespace geminilive::interop
