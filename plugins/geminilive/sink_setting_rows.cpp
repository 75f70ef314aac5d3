// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink's properties, one row each: a new setting is one row here
// plus its line in docs/elements.md. The doc comment above a row is the
// property's documentation; "unset" values leave the field off the wire,
// exactly as the SDKs omit what is not given.
#include <glib.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "protocol/client_message.h"
#include "protocol/setup.h"
#include "sink_setting_values.h"
#include "sink_settings.h"

namespace geminilive::plugin {

namespace {

namespace protocol = geminilive::protocol;
using session::SessionConfig;
using Error = std::optional<std::string>;
using namespace setting_values;
using namespace row_value;

std::string sensitivity(const char* prefix, const SettingValue& v) {
  const char* wire = setting_choice_wire(kVadSensitivity, num(v));
  return wire ? std::string(prefix) + wire : std::string();
}

constexpr double kIntMax = G_MAXINT;
constexpr double kUIntMax = G_MAXUINT;
constexpr unsigned P = kSettingPlaying;
constexpr unsigned D = kSettingEmptyIsDefault;
const session::SessionConfig kSession;  // the session's own defaults

// The way-in rows (sink_access_rows.cpp) go right after api-key, the flow
// rows (sink_flow_rows.cpp) last.
std::vector<SettingRow> with_access_and_flow_rows(std::vector<SettingRow> rows) {
  auto after =
      std::find_if(rows.begin(), rows.end(), [](const SettingRow& r) { return std::string(r.name) == "api-key"; });
  const auto& access = sink_access_rows();
  rows.insert(after + 1, access.begin(), access.end());
  const auto& flow = sink_flow_rows();
  rows.insert(rows.end(), flow.begin(), flow.end());
  return rows;
}

}  // namespace

// clang-format off
const std::vector<SettingRow>& sink_setting_rows() {
  static const std::vector<SettingRow> rows = with_access_and_flow_rows({
  /**
   * GstGeminiLiveSink:channel:
   *
   * The name that geminilivesrc elements use to hear this sink's session. One
   * sink per channel; any number of sources.
   */
  {"channel", "Channel", "The rendezvous with geminilivesrc elements (one sink per channel)",
   SettingType::String, 0, 0, std::string("default"), D, nullptr, nullptr, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:uri:
   *
   * The WebSocket URL of the Live endpoint, without any key in it. A URL
   * naming only a host (`ws://127.0.0.1:PORT`, `wss://host/`), like the
   * default, gets the path for the credentials and backend (API key, ephemeral
   * token, Vertex AI); any other is used as given.
   */
  {"uri", "URI", "WebSocket URL of the Live endpoint", SettingType::String, 0, 0, std::string(session::kDefaultUri), D,
   nullptr, [](const SettingValue& v, SessionConfig& c) -> Error { c.uri = str(v); return {}; }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:api-key:
   *
   * The Gemini API key, or an ephemeral token (`auth_tokens/...`, minted by
   * geminilive-token). When not set: $GEMINI_API_KEY, then $GOOGLE_API_KEY
   * (read when the element is made and again when it starts). A key goes in
   * the x-goog-api-key header; a token as the access_token query parameter
   * of the BidiGenerateContentConstrained method. Never logged; reads back
   * as "***" once set (NULL when there is none).
   */
  {"api-key", "API key", "Gemini API key (default: $GEMINI_API_KEY, then $GOOGLE_API_KEY); reads back as ***",
   SettingType::String, 0, 0, std::string(), kSettingSecret, nullptr, nullptr, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:model:
   *
   * The Live model, with or without the `models/` prefix. Known models'
   * rules (docs/elements.md, "Models") are checked before connecting: a
   * setting the model refuses fails READY→PAUSED naming both. Unknown
   * models pass unchecked.
   */
  {"model", "Model", "The Live model (with or without models/)", SettingType::String, 0, 0,
   std::string(session::kDefaultModel), D, "model",
   [](const SettingValue& v, SessionConfig& c) -> Error { c.setup.model = protocol::model_resource_name(str(v)); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:system-instruction:
   *
   * Instructions that steer the model (sent in the setup as the SDKs send a
   * string). May change while PLAYING: the change goes out as a
   * contextUpdate where the model takes one, else the session resumes on a
   * new connection whose setup carries it, losing no input.
   */
  {"system-instruction", "System instruction", "Instructions for the session (may change while PLAYING)",
   SettingType::String, 0, 0, std::string(), P, "systemInstruction",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (!str(v).empty()) c.setup.system_instruction = protocol::Content::from_text(str(v), "user");
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:response-modality:
   *
   * Whether the model answers aloud (geminilivesrc stream=audio) or in
   * writing (geminilivesrc stream=text). Models that answer only aloud
   * (gemini-3.8-live, gemini-3.1-flash-live-preview) give `text` as the
   * transcript of their spoken answer.
   */
  {"response-modality", "Response modality", "Spoken or written answers", SettingType::Enum, 0, 0, gint64(0), 0,
   "generationConfig.responseModalities",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     generation(c).response_modalities = {setting_choice_wire(kResponseModality, num(v))};
     return {};
   }, &kResponseModality, nullptr},
  /**
   * GstGeminiLiveSink:voice:
   *
   * The voice of spoken answers, e.g. "Puck", "Kore"; NULL: the model's
   * default.
   */
  {"voice", "Voice", "Prebuilt voice of spoken answers", SettingType::String, 0, 0, std::string(), 0,
   "generationConfig.speechConfig",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (!str(v).empty()) speech(c).voice_name = str(v); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:language-code:
   *
   * The language of spoken answers, e.g. "en-US"; NULL: the model chooses.
   */
  {"language-code", "Language code", "Language of spoken answers (BCP-47)", SettingType::String, 0, 0, std::string(), 0,
   "generationConfig.speechConfig",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (!str(v).empty()) speech(c).language_code = str(v); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:temperature:
   *
   * Sampling temperature, 0 to 2; -1: unset (the model's default).
   */
  {"temperature", "Temperature", "Sampling temperature, 0 to 2 (-1: the model's default)", SettingType::Double,
   -1, 2, -1.0, 0, "generationConfig.temperature",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (real(v) >= 0) generation(c).temperature = real(v); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:top-p:
   *
   * Nucleus sampling: the smallest set of tokens whose probabilities add up
   * to this, 0 to 1; -1: unset.
   */
  {"top-p", "Top p", "Nucleus sampling probability mass, 0 to 1 (-1: the model's default)", SettingType::Double,
   -1, 1, -1.0, 0, "generationConfig.topP",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (real(v) >= 0) generation(c).top_p = real(v); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:top-k:
   *
   * Sample from the k most likely tokens; -1: unset.
   */
  {"top-k", "Top k", "Sample from the k most likely tokens (-1: the model's default)", SettingType::Int, -1, kIntMax,
   gint64(-1), 0, "generationConfig.topK",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (num(v) >= 0) generation(c).top_k = int(num(v)); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:max-output-tokens:
   *
   * The most tokens of one answer; -1: unset (the model's limit).
   */
  {"max-output-tokens", "Max output tokens", "Most tokens in one answer (-1: the model's limit)", SettingType::Int,
   -1, kIntMax, gint64(-1), 0, "generationConfig.maxOutputTokens",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (num(v) >= 0) generation(c).max_output_tokens = int(num(v));
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:media-resolution:
   *
   * How many tokens each video frame costs: `low` (64), `medium` (256) or
   * `high` (256, zoomed); `unspecified` leaves it to the service. With
   * gemini-3.8-live every frame sent joins the context, so `low` makes a
   * shared screen much cheaper.
   */
  {"media-resolution", "Media resolution", "Tokens per video frame", SettingType::Enum, 0, 0, gint64(0), 0,
   "generationConfig.mediaResolution",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (const char* wire = setting_choice_wire(kMediaResolution, num(v))) generation(c).media_resolution = wire;
     return {};
   }, &kMediaResolution, nullptr},
  /**
   * GstGeminiLiveSink:thinking-level:
   *
   * How much the model thinks before answering (gemini-3.1-flash-live-preview,
   * gemini-3.8-live-extended-thinking); `unset` leaves it to the model.
   * gemini-3.8-live refuses it.
   */
  {"thinking-level", "Thinking level", "How much the model thinks (unset: the model's default)", SettingType::Enum,
   0, 0, gint64(0), 0, "generationConfig.thinkingConfig.thinkingLevel",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (const char* wire = setting_choice_wire(kThinkingLevel, num(v))) thinking(c).thinking_level = wire;
     return {};
   }, &kThinkingLevel, nullptr},
  /**
   * GstGeminiLiveSink:thinking-budget:
   *
   * The most tokens the model may think for (gemini-2.5 models); 0: no
   * thinking; -1: unset (the model decides).
   */
  {"thinking-budget", "Thinking budget", "Most thinking tokens (0: none; -1: the model decides)", SettingType::Int,
   -1, kIntMax, gint64(-1), 0, "generationConfig.thinkingConfig.thinkingBudget",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (num(v) >= 0) thinking(c).thinking_budget = int(num(v)); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:include-thoughts:
   *
   * Ask for the model's thoughts as well (parts marked `thought`: kept out
   * of geminilivesrc's text stream).
   */
  {"include-thoughts", "Include thoughts", "Ask for the model's thoughts too", SettingType::Boolean, 0, 0, false, 0,
   "generationConfig.thinkingConfig.includeThoughts",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (flag(v)) thinking(c).include_thoughts = true; return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:proactive-audio:
   *
   * Let the model stay silent when the input is not meant for it (gemini-2.5
   * native audio). Always on with gemini-3.8-live; refused by
   * gemini-3.1-flash-live-preview.
   */
  {"proactive-audio", "Proactive audio", "The model may ignore input not meant for it", SettingType::Boolean, 0, 0,
   false, 0, "proactivity.proactiveAudio",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (flag(v)) c.setup.proactivity = protocol::Proactivity{true};
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:affective-dialog:
   *
   * Let the model adapt its tone to the user's (gemini-2.5 native audio);
   * gemini-3.8-live and gemini-3.1-flash-live-preview refuse it.
   */
  {"affective-dialog", "Affective dialog", "The model adapts its tone to the user's", SettingType::Boolean, 0, 0,
   false, 0, "generationConfig.enableAffectiveDialog",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (flag(v)) generation(c).enable_affective_dialog = true; return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:input-transcription:
   *
   * Ask the service for a transcript of what it hears (geminilive/transcript
   * messages with direction "input", and geminilivesrc
   * stream=input-transcription).
   */
  {"input-transcription", "Input transcription", "Transcribe the audio input", SettingType::Boolean, 0, 0, true, 0,
   "inputAudioTranscription",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (flag(v)) c.setup.input_audio_transcription.emplace();
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:input-transcription-languages:
   *
   * Comma-separated BCP-47 codes of the languages the user speaks, a hint
   * for the input transcript ("en-US,de-DE"); NULL: detected.
   */
  {"input-transcription-languages", "Input transcription languages",
   "Comma-separated BCP-47 language hints for the input transcript", SettingType::String, 0, 0, std::string(), 0,
   "inputAudioTranscription.languageCodes",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (c.setup.input_audio_transcription) c.setup.input_audio_transcription->language_codes = split_list(str(v));
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:output-transcription:
   *
   * Ask the service for a transcript of spoken answers (direction "output",
   * and geminilivesrc stream=output-transcription and stream=text).
   */
  {"output-transcription", "Output transcription", "Transcribe spoken answers", SettingType::Boolean, 0, 0, true, 0,
   "outputAudioTranscription",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (flag(v)) c.setup.output_audio_transcription.emplace();
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:output-transcription-languages:
   *
   * Comma-separated BCP-47 codes for the transcript of spoken answers;
   * NULL: detected.
   */
  {"output-transcription-languages", "Output transcription languages",
   "Comma-separated BCP-47 language hints for the output transcript", SettingType::String, 0, 0, std::string(), 0,
   "outputAudioTranscription.languageCodes",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (c.setup.output_audio_transcription) c.setup.output_audio_transcription->language_codes = split_list(str(v));
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:vad:
   *
   * The service's voice activity detection decides when the user starts and
   * stops talking. FALSE: push-to-talk, the application marks each turn
   * with #GstGeminiLiveSink::activity-start and
   * #GstGeminiLiveSink::activity-end.
   */
  {"vad", "VAD", "The service detects speech (FALSE: push-to-talk with activity-start/-end)", SettingType::Boolean,
   0, 0, true, 0, "realtimeInputConfig.automaticActivityDetection.disabled",
   [](const SettingValue& v, SessionConfig& c) -> Error { if (!flag(v)) activity_detection(c).disabled = true; return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:vad-start-sensitivity:
   *
   * How readily the service takes sound for the start of speech: `high`
   * catches quiet speech (and more noise), `low` ignores more.
   */
  {"vad-start-sensitivity", "VAD start sensitivity", "How readily sound counts as the start of speech",
   SettingType::Enum, 0, 0, gint64(0), 0, "realtimeInputConfig.automaticActivityDetection.startOfSpeechSensitivity",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (auto s = sensitivity("START_SENSITIVITY_", v); !s.empty()) activity_detection(c).start_of_speech_sensitivity = s;
     return {};
   }, &kVadSensitivity, nullptr},
  /**
   * GstGeminiLiveSink:vad-end-sensitivity:
   *
   * How readily a pause counts as the end of speech: `high` ends turns
   * sooner (answers may cut in), `low` waits longer.
   */
  {"vad-end-sensitivity", "VAD end sensitivity", "How readily a pause counts as the end of speech",
   SettingType::Enum, 0, 0, gint64(0), 0, "realtimeInputConfig.automaticActivityDetection.endOfSpeechSensitivity",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (auto s = sensitivity("END_SENSITIVITY_", v); !s.empty()) activity_detection(c).end_of_speech_sensitivity = s;
     return {};
   }, &kVadSensitivity, nullptr},
  /**
   * GstGeminiLiveSink:vad-prefix-padding-ms:
   *
   * Milliseconds of speech needed before the start of speech is committed;
   * -1: the service's default.
   */
  {"vad-prefix-padding-ms", "VAD prefix padding", "Milliseconds of speech before a start counts (-1: default)",
   SettingType::Int, -1, kIntMax, gint64(-1), 0, "realtimeInputConfig.automaticActivityDetection.prefixPaddingMs",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (num(v) >= 0) activity_detection(c).prefix_padding_ms = int(num(v));
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:vad-silence-duration-ms:
   *
   * Milliseconds of silence that end the user's turn; raise it when answers
   * cut in while the user pauses. -1: the service's default.
   */
  {"vad-silence-duration-ms", "VAD silence duration", "Milliseconds of silence that end a turn (-1: default)",
   SettingType::Int, -1, kIntMax, gint64(-1), 0, "realtimeInputConfig.automaticActivityDetection.silenceDurationMs",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (num(v) >= 0) activity_detection(c).silence_duration_ms = int(num(v));
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:activity-handling:
   *
   * Whether the user's speech interrupts the answer (`interrupt`, the
   * service's default: barge-in) or not (`no-interruption`).
   */
  {"activity-handling", "Activity handling", "Whether speech interrupts the answer", SettingType::Enum, 0, 0,
   gint64(0), 0, "realtimeInputConfig.activityHandling",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (const char* wire = setting_choice_wire(kActivityHandling, num(v))) realtime(c).activity_handling = wire;
     return {};
   }, &kActivityHandling, nullptr},
  /**
   * GstGeminiLiveSink:turn-coverage:
   *
   * What input a turn holds: only what came during speech, everything since
   * the last turn, or speech plus every video frame (gemini-3.8-live's
   * default, where every frame costs tokens).
   */
  {"turn-coverage", "Turn coverage", "What input a user turn holds", SettingType::Enum, 0, 0, gint64(0), 0,
   "realtimeInputConfig.turnCoverage",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (const char* wire = setting_choice_wire(kTurnCoverage, num(v))) realtime(c).turn_coverage = wire;
     return {};
   }, &kTurnCoverage, nullptr},
  /**
   * GstGeminiLiveSink:context-compression:
   *
   * Ask the service to compress the context window with a sliding window
   * when it grows too large. Without it the service ends a session with
   * video after about 2 minutes (audio alone after 15); with it a session
   * can go on (each connection still lasts about 10 minutes).
   */
  {"context-compression", "Context compression",
   "Compress the context window (sliding window) so long sessions are not ended", SettingType::Boolean, 0, 0, true, 0,
   "contextWindowCompression",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     // An empty slidingWindow lets the service choose.
     if (flag(v)) c.setup.context_window_compression = protocol::ContextWindowCompression{{}, protocol::SlidingWindow{}};
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:compression-trigger-tokens:
   *
   * With #GstGeminiLiveSink:context-compression: the context length, in
   * tokens, that starts a compression. 0: the service's default (80 % of
   * the model's context window).
   */
  {"compression-trigger-tokens", "Compression trigger tokens",
   "Context length in tokens that starts a compression (0: the service's default)", SettingType::UInt64, 0,
   double(G_MAXINT64), guint64(0), 0, "contextWindowCompression.triggerTokens",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (unum(v) && c.setup.context_window_compression) c.setup.context_window_compression->trigger_tokens = gint64(unum(v));
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:compression-target-tokens:
   *
   * With #GstGeminiLiveSink:context-compression: how many tokens of context
   * a compression keeps. 0: the service's default (half the trigger).
   */
  {"compression-target-tokens", "Compression target tokens",
   "Tokens of context kept by a compression (0: the service's default)", SettingType::UInt64, 0, double(G_MAXINT64),
   guint64(0), 0, "contextWindowCompression.slidingWindow.targetTokens",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (unum(v) && c.setup.context_window_compression)
       c.setup.context_window_compression->sliding_window = protocol::SlidingWindow{gint64(unum(v))};
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:tools:
   *
   * Functions the model may call, as JSON: inline when the value begins
   * with `[` or `{`, otherwise the name of a file holding it. Either an
   * array of FunctionDeclaration objects
   * (`[{"name":"save_note","description":"...","parameters":{...},"behavior":"NON_BLOCKING"}]`),
   * one such object, or the setup's own `tools` array
   * (`[{"functionDeclarations":[...]},{"googleSearch":{}}]`), in camelCase or
   * snake_case. A value that cannot be read or is not valid fails the start
   * with a LIBRARY/SETTINGS error naming the JSON path. May change while
   * PLAYING, like #GstGeminiLiveSink:system-instruction. Calls arrive as
   * #GstGeminiLiveSink::tool-call signals and `geminilive/tool-call`
   * messages; answer them with #GstGeminiLiveSink::send-tool-response.
   */
  {"tools", "Tools", "Function declarations as JSON, inline (beginning with [ or {) or in the file named",
   SettingType::String, 0, 0, std::string(), P, "tools",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     auto tools = resolve_tools(str(v));
     if (!tools) return tools.error();
     c.setup.tools = std::move(tools).value();
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:tool-timeout:
   *
   * Seconds a function call may stay unanswered; then the sink answers it
   * with an error (`{"error": "No response from the application ..."}`)
   * and posts a WARNING, so the model never waits forever. 0: wait forever.
   */
  {"tool-timeout", "Tool timeout", "Seconds before an unanswered tool call gets an error response (0: never)",
   SettingType::UInt, 0, 86400, guint64(kSession.tool_timeout.count() / 1000), 0, nullptr,
   [](const SettingValue& v, SessionConfig& c) -> Error { c.tool_timeout = std::chrono::seconds(unum(v)); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:history:
   *
   * A conversation to start from, as a JSON array of Content objects
   * (`[{"role":"user","parts":[{"text":"..."}]},{"role":"model",...}]`):
   * the setup asks for `historyConfig.initialHistoryInClientContent` and the
   * turns go out as clientContent before any other input. Invalid JSON is
   * refused when set, with the parser's message.
   */
  {"history", "History", "Conversation to start from: a JSON array of Content objects", SettingType::String, 0, 0,
   std::string(), 0, "historyConfig",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (str(v).empty()) return {};
     auto history = parse_history(str(v));
     if (!history) return history.error();
     c.history = std::move(history).value();
     c.setup.history_config = protocol::HistoryConfig{true};
     return {};
   }, nullptr, check_history},
  /**
   * GstGeminiLiveSink:setup-extra:
   *
   * A JSON object merged into the setup message last, for fields newer than
   * this element (`{"generationConfig":{"seed":7}}`): objects merge, other
   * values replace. Invalid JSON is refused when set, with the parser's
   * message.
   */
  {"setup-extra", "Setup extra", "JSON object merged into the setup last (fields newer than this element)",
   SettingType::String, 0, 0, std::string(), 0, "",
   [](const SettingValue& v, SessionConfig& c) -> Error {
     if (!str(v).empty()) c.setup.extra = protocol::JsonValue::parse(str(v)).value();
     return {};
   }, nullptr, check_setup_extra},
  });
  return rows;
}
// clang-format on

const char* setting_choice_wire(const SettingEnum& choices, gint64 value) {
  for (const auto& c : choices.choices)
    if (c.value == value) return c.wire;
  return nullptr;
}

}  // namespace geminilive::plugin
