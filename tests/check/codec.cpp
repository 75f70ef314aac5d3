// SPDX-License-Identifier: LGPL-2.1-or-later
// The protocol codec: every client and server message both ways, against the
// messages quoted in the wire reference and the official SDK's captures.
// Malformed input, JSON numbers, base64, durations, tools JSON and the
// setup's extra fields are in codec_json.cpp.
#include <gst/check/gstcheck.h>

#include <cstring>
#include <utility>
#include <vector>

#include "../interop/encoder_cases.h"
#include "check_util.h"
#include "codec_util.h"
#include "protocol/client_message.h"
#include "protocol/duration.h"
#include "protocol/server_message.h"

using namespace geminilive;
using namespace geminilive::protocol;
using namespace geminilive::testing;
using namespace std::chrono_literals;

namespace {

const char* member_string(JsonObject* o, const char* name) {
  return json_object_has_member(o, name) ? json_object_get_string_member(o, name) : nullptr;
}

ServerMessage decode_server_ok(const char* text) {
  auto m = decode_server_message(text);
  fail_unless(m.ok(), "decode failed: %s", m.ok() ? "" : m.error().c_str());
  return m.value();
}

// A copy of `node` with every member name in snake_case ("turnComplete" ->
// "turn_complete"), as the service's proto names read.
JsonNode* snake_cased(JsonNode* node) {
  if (JSON_NODE_HOLDS_ARRAY(node)) {
    JsonArray* out = json_array_new();
    JsonArray* in = json_node_get_array(node);
    for (guint i = 0; i < json_array_get_length(in); ++i)
      json_array_add_element(out, snake_cased(json_array_get_element(in, i)));
    JsonNode* n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, out);
    return n;
  }
  if (!JSON_NODE_HOLDS_OBJECT(node)) return json_node_copy(node);
  JsonObject* out = json_object_new();
  JsonObjectIter iter;
  const gchar* name;
  JsonNode* member;
  json_object_iter_init_ordered(&iter, json_node_get_object(node));
  while (json_object_iter_next_ordered(&iter, &name, &member)) {
    std::string snake;
    for (const char* p = name; *p; ++p) {
      if (g_ascii_isupper(*p)) snake.push_back('_');
      snake.push_back(g_ascii_tolower(*p));
    }
    json_object_set_member(out, snake.c_str(), snake_cased(member));
  }
  JsonNode* n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, out);
  return n;
}

}  // namespace

// Every message quoted in the reference decodes, and encodes back to the same
// JSON (camelCase where the wire used snake_case); the service's pretty frames
// are reproduced byte for byte.
GST_START_TEST(test_reference_messages_round_trip) {
  JsonValue fixtures = parse(read_fixture("reference-messages.json"));
  JsonArray* list = json_node_get_array(fixtures.node());
  fail_unless(json_array_get_length(list) >= 40);
  for (guint i = 0; i < json_array_get_length(list); ++i) {
    JsonObject* f = json_array_get_object_element(list, i);
    const char* id = member_string(f, "id");
    std::string wire = member_string(f, "wire");
    const char* canonical = member_string(f, "canonical");
    bool exact = json_object_has_member(f, "exact") && json_object_get_boolean_member(f, "exact");
    std::string encoded;
    if (g_str_equal(member_string(f, "direction"), "client")) {
      auto m = decode_client_message(wire);
      fail_unless(m.ok(), "%s: %s", id, m.ok() ? "" : m.error().c_str());
      encoded = encode_client_message(m.value());
    } else {
      auto m = decode_server_message(wire);
      fail_unless(m.ok(), "%s: %s", id, m.ok() ? "" : m.error().c_str());
      fail_if(m->empty(), "%s decoded to nothing", id);
      encoded = encode_server_message(m.value(), exact ? JsonStyle::Pretty : JsonStyle::Compact);
      if (exact) fail_unless(encoded == wire, "%s: not byte-exact:\n%s\nvs\n%s", id, encoded.c_str(), wire.c_str());
    }
    assert_same_json(encoded, canonical ? canonical : wire, id);
  }
}
GST_END_TEST;

// Our encoder writes what the official SDK wrote for the same inputs, byte for
// byte (captured by the interop test into tests/fixtures/sdk-captures.json),
// and every capture survives decode + encode unchanged.
// (Byte for byte: a capture keeps the SDK's member order.)
static void assert_matches_captures(const char* fixture, const std::vector<interop::EncoderCase>& cases) {
  JsonValue captures = parse(read_fixture(fixture));
  JsonObject* by_name = json_node_get_object(captures.node());
  fail_unless_equals_int(json_object_get_size(by_name), cases.size());
  for (const auto& c : cases) {
    JsonNode* sdk = json_object_get_member(by_name, c.name.c_str());
    fail_unless(sdk != nullptr, "no SDK capture for %s in %s", c.name.c_str(), fixture);
    std::string sdk_text = json_serialize(sdk);
    assert_str(encode_client_message(c.message), sdk_text);
    assert_same_json(encode_client_message(decode_client_ok(sdk_text.c_str())), sdk_text, c.name.c_str());
  }
}

GST_START_TEST(test_encoder_matches_sdk_captures) {
  assert_matches_captures("sdk-captures.json", interop::encoder_cases());
  // The SDK in vertexai mode (liveConnectConfigToVertex).
  assert_matches_captures("sdk-captures-vertex.json", interop::vertex_encoder_cases());
}
GST_END_TEST;

GST_START_TEST(test_setup_fields_decode) {
  auto m = decode_client_ok(
      R"({"setup":{"model":"models/m","generationConfig":{"responseModalities":["TEXT"],"temperature":0.25,)"
      R"("topK":3,"speechConfig":{"voiceConfig":{"prebuiltVoiceConfig":{"voiceName":"Aoede"}},"languageCode":"de-DE"},)"
      R"("thinkingConfig":{"thinkingBudget":128,"includeThoughts":true}},"systemInstruction":{"parts":[{"text":"A"},{"text":"B"}]},)"
      R"("tools":[{"functionDeclarations":[{"name":"f","behavior":"NON_BLOCKING","parameters":{"type":"OBJECT"}}]},{"codeExecution":{}}],)"
      R"("realtimeInputConfig":{"automaticActivityDetection":{"disabled":true,"silenceDurationMs":700}},)"
      R"("sessionResumption":{"handle":"h1"},"contextWindowCompression":{"triggerTokens":"1000","slidingWindow":{"targetTokens":500}},)"
      R"("inputAudioTranscription":{"languageCodes":["fr-FR"]},"historyConfig":{"initialHistoryInClientContent":true}}})");
  const Setup& s = std::get<Setup>(m);
  fail_unless_equals_string(s.model.c_str(), "models/m");
  fail_unless_equals_string(s.generation_config->response_modalities.at(0).c_str(), "TEXT");
  fail_unless(*s.generation_config->temperature == 0.25);
  fail_unless_equals_int(*s.generation_config->top_k, 3);
  fail_unless_equals_string(s.generation_config->speech_config->voice_name->c_str(), "Aoede");
  fail_unless_equals_string(s.generation_config->speech_config->language_code->c_str(), "de-DE");
  fail_unless_equals_int(*s.generation_config->thinking_config->thinking_budget, 128);
  assert_str(s.system_instruction->text(), "AB");
  fail_unless_equals_int(s.tools.size(), 2);
  fail_unless_equals_string(s.tools[0].function_declarations.at(0).behavior->c_str(), "NON_BLOCKING");
  fail_unless(s.tools[1].code_execution && !s.tools[1].google_search);
  fail_unless(*s.realtime_input_config->automatic_activity_detection->disabled);
  fail_unless_equals_int(*s.realtime_input_config->automatic_activity_detection->silence_duration_ms, 700);
  fail_unless_equals_string(s.session_resumption->handle->c_str(), "h1");
  fail_unless_equals_int64(*s.context_window_compression->trigger_tokens, 1000);
  fail_unless_equals_int64(*s.context_window_compression->sliding_window->target_tokens, 500);
  fail_unless_equals_string(s.input_audio_transcription->language_codes.at(0).c_str(), "fr-FR");
  fail_if(s.output_audio_transcription.has_value());
  fail_unless(*s.history_config->initial_history_in_client_content);
  assert_str(model_resource_name("gemini-x"), "models/gemini-x");
  assert_str(model_resource_name("models/gemini-x"), "models/gemini-x");
  assert_str(model_resource_name("tunedModels/t"), "tunedModels/t");
}
GST_END_TEST;

GST_START_TEST(test_realtime_input_wire_bytes) {
  // The hot path: one audio chunk, exactly as it goes on the wire.
  std::string pcm("\x00\x00\x01\x00\xff\x7f", 6);
  assert_str(encode_client_message(RealtimeInput::with_audio({"audio/pcm;rate=16000", pcm})),
             R"({"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"AAABAP9/"}}})");
  // A frame, and a MIME type that needs escaping: written straight into the
  // string (media_message.cpp), the same bytes as the JSON tree writes for
  // the same blob inside a message that has another field too.
  assert_str(encode_client_message(RealtimeInput::with_video({"image/jpeg", std::string("\xff\xd8\xff", 3)})),
             R"({"realtimeInput":{"video":{"mimeType":"image/jpeg","data":"/9j/"}}})");
  RealtimeInput both = RealtimeInput::with_audio({"audio/x\"y\\", pcm});
  both.audio_stream_end = true;
  const std::string tree = encode_client_message(both);
  const std::string direct = encode_client_message(RealtimeInput::with_audio({"audio/x\"y\\", pcm}));
  assert_str(direct, R"({"realtimeInput":{"audio":{"mimeType":"audio/x\"y\\","data":"AAABAP9/"}}})");
  fail_unless(tree.find(direct.substr(18, direct.size() - 20)) != std::string::npos, "%s vs %s", tree.c_str(),
              direct.c_str());
  assert_str(encode_client_message(RealtimeInput::with_text("a\x01\"\\\n")),
             R"({"realtimeInput":{"text":"a\u0001\"\\\n"}})");
  auto r = std::get<RealtimeInput>(
      decode_client_ok(R"({"realtimeInput":{"audio":{"data":"AAABAP9/","mimeType":"audio/pcm;rate=16000"}}})"));
  fail_unless(r.audio->data == pcm);
  fail_unless_equals_string(r.audio->mime_type.c_str(), "audio/pcm;rate=16000");
  fail_if(r.video || r.text || r.activity_start || r.audio_stream_end);
}
GST_END_TEST;

GST_START_TEST(test_server_fields_decode) {
  auto usage = decode_server_ok(
      R"({"serverContent":{"turnComplete":true},"usageMetadata":{"promptTokenCount":515,"responseTokenCount":31,"totalTokenCount":546,"promptTokensDetails":[{"modality":"TEXT","tokenCount":515}]}})");
  fail_unless(usage.server_content->turn_complete);
  fail_if(usage.server_content->generation_complete || usage.server_content->interrupted);
  fail_unless_equals_int64(*usage.usage_metadata->prompt_token_count, 515);
  fail_unless_equals_int64(*usage.usage_metadata->response_token_count, 31);
  fail_unless_equals_int64(*usage.usage_metadata->total_token_count, 546);
  fail_unless_equals_string(usage.usage_metadata->prompt_tokens_details.at(0).modality.c_str(), "TEXT");

  auto go_away = decode_server_ok(R"({"goAway":{"timeLeft":"50s"}})");
  fail_unless(*go_away.go_away->time_left == 50s);

  auto call = decode_server_ok(
      R"({"toolCall":{"functionCalls":[{"name":"get_current_weather","args":{"location":"Redmond, WA"},"id":"function-call-5831923424298605773"}]}})");
  const FunctionCall& fc = call.tool_call->function_calls.at(0);
  fail_unless_equals_string(fc.id.c_str(), "function-call-5831923424298605773");
  fail_unless_equals_string(fc.name.c_str(), "get_current_weather");
  assert_str(fc.args.to_string(), R"({"location":"Redmond, WA"})");

  // 3.1 bundles audio, transcripts and turn end in one message: all are kept.
  auto bundled = decode_server_ok(
      R"({"serverContent":{"modelTurn":{"parts":[{"inlineData":{"mimeType":"audio/pcm;rate=24000","data":"AQID"}},{"text":"x","thought":true}]},)"
      R"("outputTranscription":{"text":"Hi","finished":true},"inputTranscription":{"text":"hello"},"generationComplete":true,"turnComplete":true},)"
      R"("sessionResumptionUpdate":{"newHandle":"h","resumable":true},"usageMetadata":{"totalTokenCount":3}})");
  const ServerContent& c = *bundled.server_content;
  fail_unless(c.model_turn->parts.at(0).inline_data->data == std::string("\x01\x02\x03"));
  assert_str(c.model_turn->text(), "");  // thoughts are not the answer
  fail_unless_equals_string(c.output_transcription->text.c_str(), "Hi");
  fail_unless(*c.output_transcription->finished);
  fail_unless_equals_string(c.input_transcription->text.c_str(), "hello");
  fail_if(c.input_transcription->finished.has_value());
  fail_unless(c.generation_complete && c.turn_complete);
  fail_unless_equals_string(bundled.session_resumption_update->new_handle.c_str(), "h");
  fail_unless_equals_int64(*bundled.usage_metadata->total_token_count, 3);

  // Binary or text frames carry the same UTF-8; an empty frame is {} (as Python reads it).
  fail_unless(decode_server_ok("").empty());
  fail_unless(decode_server_ok(" \n").empty());
}
GST_END_TEST;

// What Vertex AI sends (live-protocol.md §1.3, live-protocol-2026.md §5.2,
// §5.4, §6): its own names for the response counts and the activity type, a
// VAD signal the session does not act on, and the consumed-message index of
// transparent resumption, an int64 that proto3 JSON writes as a string but
// some clients as a number.
GST_START_TEST(test_server_vertex_fields_decode) {
  auto ready = decode_server_ok("{\n  \"setupComplete\": {\n    \"sessionId\": \"6f1c0d52-3f4b\"\n  }\n}\n");
  assert_str(*ready.setup_complete->session_id, "6f1c0d52-3f4b");

  auto usage = decode_server_ok(
      R"({"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":30,"totalTokenCount":42,)"
      R"("promptTokensDetails":[{"modality":"AUDIO","tokenCount":12}],)"
      R"("candidatesTokensDetails":[{"modality":"AUDIO","tokenCount":25},{"modality":"TEXT","tokenCount":5}]}})");
  const UsageMetadata& u = *usage.usage_metadata;
  fail_unless_equals_int64(*u.response_token_count, 30);
  fail_unless_equals_int(u.response_tokens_details.size(), 2);
  assert_str(u.response_tokens_details[1].modality, "TEXT");
  fail_unless_equals_int64(u.response_tokens_details[0].token_count, 25);
  // Written back, they carry the Developer API's names (what the local server sends).
  assert_str(encode_server_message(usage, JsonStyle::Compact),
             R"({"usageMetadata":{"promptTokenCount":12,"responseTokenCount":30,"totalTokenCount":42,)"
             R"("promptTokensDetails":[{"modality":"AUDIO","tokenCount":12}],)"
             R"("responseTokensDetails":[{"modality":"AUDIO","tokenCount":25},{"modality":"TEXT","tokenCount":5}]}})");

  auto start = decode_server_ok(R"({"voiceActivity":{"voiceActivityType":"ACTIVITY_START"}})");
  assert_str(start.voice_activity->type, "ACTIVITY_START");
  fail_if(start.voice_activity->audio_offset.has_value());

  // The allowlisted VAD signal alone: a message, but nothing a turn depends on.
  auto signal = decode_server_ok(R"({"voiceActivityDetectionSignal":{"vadSignalType":"VAD_SIGNAL_TYPE_SOS"}})");
  assert_str(signal.voice_activity_detection_signal->vad_signal_type, "VAD_SIGNAL_TYPE_SOS");
  fail_if(signal.server_content || signal.voice_activity || signal.empty());

  // lastConsumedClientMessageIndex: a string (proto3 JSON) or a number.
  auto as_string = decode_server_ok(
      R"({"sessionResumptionUpdate":{"newHandle":"vh-1","resumable":true,"lastConsumedClientMessageIndex":"57"}})");
  const SessionResumptionUpdate& r = *as_string.session_resumption_update;
  assert_str(r.new_handle, "vh-1");
  fail_unless(r.resumable);
  fail_unless_equals_int64(*r.last_consumed_client_message_index, 57);
  auto as_number =
      decode_server_ok(R"({"session_resumption_update":{"resumable":true,"last_consumed_client_message_index":9}})");
  fail_unless_equals_int64(*as_number.session_resumption_update->last_consumed_client_message_index, 9);
  auto big = decode_server_ok(R"({"sessionResumptionUpdate":{"lastConsumedClientMessageIndex":"9007199254740993"}})");
  fail_unless_equals_int64(*big.session_resumption_update->last_consumed_client_message_index, 9007199254740993LL);
  // Not sent without transparent resumption: absent, not 0.
  fail_if(decode_server_ok(R"({"sessionResumptionUpdate":{"newHandle":"h","resumable":true}})")
              .session_resumption_update->last_consumed_client_message_index.has_value());
  // Written as proto3 JSON does: a string.
  assert_str(encode_server_message(as_number, JsonStyle::Compact),
             R"({"sessionResumptionUpdate":{"newHandle":"","resumable":true,"lastConsumedClientMessageIndex":"9"}})");
  // An index that is no integer is an error naming the field.
  auto bad = decode_server_message(R"({"sessionResumptionUpdate":{"lastConsumedClientMessageIndex":"5x"}})");
  fail_if(bad.ok());
  fail_unless(bad.error().find("sessionResumptionUpdate.lastConsumedClientMessageIndex") != std::string::npos,
              "error: %s", bad.error().c_str());
}
GST_END_TEST;

// Vertex AI's setup: the SDK adds responseModalities ["AUDIO"] when none is
// set, where liveConnectConfigToVertex writes it; nothing else changes.
GST_START_TEST(test_setup_for_backend) {
  Setup plain;
  plain.model = "projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live";
  plain.session_resumption = SessionResumptionConfig{{}, true};
  assert_str(encode_client_message(setup_for_backend(plain, Backend::VertexAi)),
             R"({"setup":{"model":"projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live",)"
             R"("generationConfig":{"responseModalities":["AUDIO"]},"sessionResumption":{"transparent":true}}})");
  // The Developer API: as given.
  assert_str(encode_client_message(setup_for_backend(plain, Backend::GeminiApi)), encode_client_message(plain));
  // Other generation settings: AUDIO goes first, as the SDK writes it.
  Setup tuned = plain;
  tuned.generation_config.emplace().temperature = 0.5;
  assert_str(
      encode_client_message(setup_for_backend(tuned, Backend::VertexAi)),
      R"({"setup":{"model":"projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live",)"
      R"("generationConfig":{"responseModalities":["AUDIO"],"temperature":0.5},"sessionResumption":{"transparent":true}}})");
  // A modality that is set stays.
  tuned.generation_config->response_modalities = {"TEXT"};
  fail_unless(setup_for_backend(tuned, Backend::VertexAi).generation_config->response_modalities ==
              std::vector<std::string>{"TEXT"});
}
GST_END_TEST;

GST_START_TEST(test_unknown_fields_ignored) {
  auto m =
      decode_server_ok(R"({"serverContent":{"turnComplete":true,"futureField":{"x":[1,2]}},"somethingNew":{"a":1}})");
  fail_unless(m.server_content->turn_complete);
  fail_unless(decode_server_ok(R"({"somethingNew":{"a":1}})").empty());
  auto c = decode_client_ok(R"({"realtimeInput":{"text":"hi","futureField":true}})");
  fail_unless_equals_string(std::get<RealtimeInput>(c).text->c_str(), "hi");
}
GST_END_TEST;

// Every SDK capture read with snake_case names (the proto's) decodes to the
// same message as with the SDK's camelCase.
GST_START_TEST(test_sdk_captures_snake_case) {
  JsonValue captures = parse(read_fixture("sdk-captures.json"));
  JsonObjectIter iter;
  const gchar* name;
  JsonNode* capture;
  json_object_iter_init_ordered(&iter, json_node_get_object(captures.node()));
  while (json_object_iter_next_ordered(&iter, &name, &capture)) {
    std::string camel = json_serialize(capture);
    std::string snake = JsonValue(snake_cased(capture)).to_string();
    fail_if(snake == camel && camel.find("Content") != std::string::npos, "%s: nothing to snake_case", name);
    auto from_snake = decode_client_message(snake);
    fail_unless(from_snake.ok(), "%s: %s", name, from_snake.ok() ? "" : from_snake.error().c_str());
    ClientMessage from_camel = decode_client_ok(camel.c_str());
    // Unknown setup fields (Setup::extra) and schemas are kept as written.
    for (ClientMessage* m : {&from_camel, &from_snake.value()})
      if (auto* setup = std::get_if<Setup>(m)) setup->extra = JsonValue();
    if (camel.find("\"parameters\"") == std::string::npos)
      assert_str(encode_client_message(from_snake.value()), encode_client_message(from_camel));
  }
}
GST_END_TEST;

// The SDK 2.32.0 setups (3.8 and 2.5 style) decode to every field they carry.
GST_START_TEST(test_setup_live_fields_decode) {
  JsonValue captures = parse(read_fixture("sdk-captures.json"));
  auto setup_of = [&](const char* name) {
    JsonNode* c = json_object_get_member(json_node_get_object(captures.node()), name);
    fail_unless(c != nullptr, "no capture %s", name);
    return std::get<Setup>(decode_client_ok(json_serialize(c).c_str()));
  };
  Setup s = setup_of("setup-3.8");
  assert_str(s.model, "models/gemini-3.8-live");
  const GenerationConfig& g = *s.generation_config;
  fail_unless(*g.temperature == 0.6 && *g.top_p == 0.9);
  fail_unless_equals_int(*g.top_k, 20);
  fail_unless_equals_int(*g.max_output_tokens, 2048);
  assert_str(*g.media_resolution, "MEDIA_RESOLUTION_MEDIUM");
  fail_if(g.thinking_config || g.enable_affective_dialog || s.proactivity);
  const auto& decls = s.tools.at(0).function_declarations;
  assert_str(*decls.at(0).behavior, "BLOCKING");
  assert_str(*decls.at(1).behavior, "NON_BLOCKING");
  fail_unless(s.tools.at(1).google_search);
  fail_unless(s.input_audio_transcription->language_codes == std::vector<std::string>({"en-US", "fr-FR"}));
  fail_unless(s.output_audio_transcription->language_codes == std::vector<std::string>({"en-US"}));
  const AutomaticActivityDetection& aad = *s.realtime_input_config->automatic_activity_detection;
  fail_unless(*aad.disabled);
  assert_str(*aad.start_of_speech_sensitivity, "START_SENSITIVITY_HIGH");
  assert_str(*aad.end_of_speech_sensitivity, "END_SENSITIVITY_LOW");
  fail_unless_equals_int(*aad.prefix_padding_ms, 300);
  fail_unless_equals_int(*aad.silence_duration_ms, 800);
  assert_str(*s.realtime_input_config->activity_handling, "NO_INTERRUPTION");
  assert_str(*s.realtime_input_config->turn_coverage, "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO");

  s = setup_of("setup-2.5");
  fail_unless_equals_int(*s.generation_config->thinking_config->thinking_budget, 1024);
  fail_unless(*s.generation_config->thinking_config->include_thoughts);
  fail_unless(*s.generation_config->enable_affective_dialog);
  assert_str(*s.generation_config->media_resolution, "MEDIA_RESOLUTION_HIGH");
  fail_unless(*s.proactivity->proactive_audio);
  fail_if(*s.realtime_input_config->automatic_activity_detection->disabled);
  assert_str(*s.realtime_input_config->automatic_activity_detection->start_of_speech_sensitivity,
             "START_SENSITIVITY_LOW");
  assert_str(*s.realtime_input_config->automatic_activity_detection->end_of_speech_sensitivity, "END_SENSITIVITY_HIGH");
  assert_str(*s.realtime_input_config->activity_handling, "START_OF_ACTIVITY_INTERRUPTS");
  assert_str(*s.realtime_input_config->turn_coverage, "TURN_INCLUDES_ALL_INPUT");

  s = setup_of("setup-3.8-extended-thinking");
  assert_str(*s.generation_config->thinking_config->thinking_level, "HIGH");
  fail_if(s.generation_config->thinking_config->thinking_budget.has_value());

  // historyConfig: the JS SDK cannot send it (LiveConnectConfig lacks it); the
  // documented shape, at the setup level.
  Setup h;
  h.model = model_resource_name("gemini-3.1-flash-live-preview");
  h.history_config = HistoryConfig{true};
  const std::string wire =
      R"({"setup":{"model":"models/gemini-3.1-flash-live-preview","historyConfig":{"initialHistoryInClientContent":true}}})";
  assert_str(encode_client_message(h), wire);
  fail_unless(*std::get<Setup>(decode_client_ok(wire.c_str())).history_config->initial_history_in_client_content);
  auto snake =
      decode_client_ok(R"({"setup":{"model":"m","history_config":{"initial_history_in_client_content":false}}})");
  fail_if(*std::get<Setup>(snake).history_config->initial_history_in_client_content);
}
GST_END_TEST;

GST_START_TEST(test_client_messages_live_fields) {
  // contextUpdate: absent = keep, present and empty = clear.
  auto clear = std::get<ContextUpdate>(decode_client_ok(R"({"contextUpdate":{"tools":{"tools":[]}}})"));
  fail_unless(clear.tools && clear.tools->empty() && !clear.system_instruction);
  assert_str(encode_client_message(clear), R"({"contextUpdate":{"tools":{"tools":[]}}})");
  auto keep =
      std::get<ContextUpdate>(decode_client_ok(R"({"contextUpdate":{"systemInstruction":{"parts":[{"text":"x"}]}}})"));
  fail_if(keep.tools.has_value());
  assert_str(keep.system_instruction->text(), "x");
  fail_if(keep.system_instruction->role.has_value());  // Vertex sends the Content as given
  auto snake = std::get<ContextUpdate>(decode_client_ok(
      R"({"context_update":{"system_instruction":{"parts":[{"text":"y"}],"role":"user"},)"
      R"("tools":{"tools":[{"function_declarations":[{"name":"f","behavior":"BLOCKING"}]},{"google_search":{}}]}}})"));
  assert_str(*snake.system_instruction->role, "user");
  assert_str(*snake.tools->at(0).function_declarations.at(0).behavior, "BLOCKING");
  fail_unless(snake.tools->at(1).google_search);
  assert_str(encode_client_message(ContextUpdate{}), R"({"contextUpdate":{}})");

  // clientContent with both roles; turnComplete false and true.
  auto history = std::get<ClientContent>(decode_client_ok(
      R"({"client_content":{"turns":[{"role":"user","parts":[{"text":"a"}]},{"role":"model","parts":[{"text":"b"}]}],)"
      R"("turn_complete":false}})"));
  assert_str(*history.turns.at(0).role, "user");
  assert_str(*history.turns.at(1).role, "model");
  fail_if(*history.turn_complete);
  fail_unless(*std::get<ClientContent>(decode_client_ok(R"({"clientContent":{"turnComplete":true}})")).turn_complete);

  // toolResponse scheduling and willContinue, snake_case too.
  auto tool = std::get<ToolResponse>(decode_client_ok(
      R"({"tool_response":{"function_responses":[{"id":"1","name":"f","response":{},"scheduling":"SILENT",)"
      R"("will_continue":true},{"id":"2","name":"g","response":{"output":1},"scheduling":"INTERRUPT"}]}})"));
  assert_str(*tool.function_responses.at(0).scheduling, "SILENT");
  fail_unless(*tool.function_responses.at(0).will_continue);
  assert_str(*tool.function_responses.at(1).scheduling, "INTERRUPT");
  fail_if(tool.function_responses.at(1).will_continue.has_value());

  // activityStart/activityEnd are empty objects; several fields in the SDK's order.
  auto activity = std::get<RealtimeInput>(decode_client_ok(R"({"realtime_input":{"activity_end":{}}})"));
  fail_unless(activity.activity_end && !activity.activity_start);
  RealtimeInput several = RealtimeInput::with_text("t");
  several.activity_start = true;
  several.audio_stream_end = true;
  assert_str(encode_client_message(several),
             R"({"realtimeInput":{"audioStreamEnd":true,"text":"t","activityStart":{}}})");
}
GST_END_TEST;

// Server fields of the 2.5/3.x era, shaped as SDK 2.32.0 types them.
GST_START_TEST(test_server_live_fields_decode) {
  auto m = decode_server_ok(
      R"({"serverContent":{"modelTurn":{"parts":[{"executableCode":{"language":"PYTHON","code":"x = 2 + 2"}},)"
      R"({"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"4\n"}},{"text":"It is 4."}]},)"
      R"("groundingMetadata":{"webSearchQueries":["weather Paris","paris forecast"],)"
      R"("groundingChunks":[{"web":{"uri":"https://a.example/1","title":"A"}},{"web":{"uri":"https://b.example/2","domain":"b.example"}},)"
      R"({"web":{"uri":"https://a.example/1","title":"A again"}},{"web":{"title":"no uri"}},7,)"
      R"({"retrievedContext":{"uri":"gs://c/d","title":"C"}}],)"
      R"("searchEntryPoint":{"renderedContent":"<div>chips</div>"}},)"
      R"("urlContextMetadata":{"urlMetadata":[{"retrievedUrl":"https://x.example","urlRetrievalStatus":"URL_RETRIEVAL_STATUS_SUCCESS"},)"
      R"({"retrievedUrl":"https://y.example","urlRetrievalStatus":"URL_RETRIEVAL_STATUS_PAYWALL"},{"retrievedUrl":"https://z.example"}]},)"
      R"("waitingForInput":true,"interactionStatus":"IN_PROGRESS","turnComplete":true,"turnCompleteReason":"NEED_MORE_INPUT"},)"
      R"("usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":4,"totalTokenCount":14,"thoughtsTokenCount":2,)"
      R"("toolUsePromptTokenCount":3,"cachedContentTokenCount":1,)"
      R"("promptTokensDetails":[{"modality":"AUDIO","tokenCount":8},{"modality":"TEXT","tokenCount":2}],)"
      R"("candidatesTokensDetails":[{"modality":"AUDIO","tokenCount":4}],"cacheTokensDetails":[{"modality":"TEXT","tokenCount":1}],)"
      R"("toolUsePromptTokensDetails":[{"modality":"TEXT","tokenCount":3}]}})");
  const ServerContent& c = *m.server_content;
  const auto& parts = c.model_turn->parts;
  fail_unless(parts.at(0).executable_code == parse(R"({"language":"PYTHON","code":"x = 2 + 2"})"));
  fail_unless(parts.at(1).code_execution_result == parse(R"({"outcome":"OUTCOME_OK","output":"4\n"})"));
  assert_str(c.model_turn->text(), "It is 4.");
  fail_unless(c.waiting_for_input && c.turn_complete);
  assert_str(*c.interaction_status, "IN_PROGRESS");
  assert_str(*c.turn_complete_reason, "NEED_MORE_INPUT");

  fail_unless(grounding_queries(c.grounding_metadata) == std::vector<std::string>({"weather Paris", "paris forecast"}));
  auto sources = grounding_sources(c.grounding_metadata);
  fail_unless_equals_int(sources.size(), 3);  // a.example once, b.example titled by its domain, gs://c/d
  assert_str(sources[0].title, "A");
  assert_str(sources[0].uri, "https://a.example/1");
  assert_str(sources[1].title, "b.example");
  assert_str(sources[2].uri, "gs://c/d");
  assert_str(*grounding_search_entry_point(c.grounding_metadata), "<div>chips</div>");
  auto urls = url_retrievals(c.url_context_metadata);
  fail_unless_equals_int(urls.size(), 3);
  assert_str(urls[0].url, "https://x.example");
  assert_str(urls[0].status, "URL_RETRIEVAL_STATUS_SUCCESS");
  assert_str(urls[1].status, "URL_RETRIEVAL_STATUS_PAYWALL");
  assert_str(urls[2].status, "URL_RETRIEVAL_STATUS_UNSPECIFIED");
  // Nothing, or the wrong shape: nothing.
  fail_unless(grounding_queries(JsonValue()).empty() && grounding_sources(parse("[1]")).empty());
  fail_unless(url_retrievals(parse(R"({"urlMetadata":{}})")).empty());
  fail_if(grounding_search_entry_point(parse(R"({"searchEntryPoint":{"renderedContent":5}})")).has_value());

  const UsageMetadata& u = *m.usage_metadata;
  fail_unless_equals_int64(*u.response_token_count, 4);  // Vertex's candidates* names
  fail_unless_equals_int64(*u.thoughts_token_count, 2);
  fail_unless_equals_int64(*u.tool_use_prompt_token_count, 3);
  fail_unless_equals_int64(*u.cached_content_token_count, 1);
  fail_unless_equals_int(u.prompt_tokens_details.size(), 2);
  assert_str(u.prompt_tokens_details[0].modality, "AUDIO");
  fail_unless_equals_int64(u.prompt_tokens_details[1].token_count, 2);
  assert_str(u.response_tokens_details.at(0).modality, "AUDIO");
  fail_unless_equals_int64(u.cache_tokens_details.at(0).token_count, 1);
  fail_unless_equals_int64(u.tool_use_prompt_tokens_details.at(0).token_count, 3);

  // The same in snake_case, as the proto names read.
  auto snake = decode_server_ok(
      R"({"server_content":{"grounding_metadata":{"web_search_queries":["q"],"grounding_chunks":[{"web":{"uri":"u","title":"t"}}],)"
      R"("search_entry_point":{"rendered_content":"<b>"}},"url_context_metadata":{"url_metadata":[{"retrieved_url":"r",)"
      R"("url_retrieval_status":"URL_RETRIEVAL_STATUS_ERROR"}]},"waiting_for_input":true,"interaction_status":"IDLE",)"
      R"("turn_complete_reason":"MALFORMED_FUNCTION_CALL"},"usage_metadata":{"response_token_count":5,)"
      R"("response_tokens_details":[{"modality":"TEXT","token_count":5}]},"tool_call_cancellation":{"ids":["a","b"]},)"
      R"("voice_activity":{"voice_activity_type":"ACTIVITY_END","audio_offset":"1.200s"},)"
      R"("voice_activity_detection_signal":{"vad_signal_type":"VAD_SIGNAL_TYPE_EOS"}})");
  fail_unless(grounding_queries(snake.server_content->grounding_metadata) == std::vector<std::string>({"q"}));
  assert_str(grounding_sources(snake.server_content->grounding_metadata).at(0).title, "t");
  assert_str(*grounding_search_entry_point(snake.server_content->grounding_metadata), "<b>");
  assert_str(url_retrievals(snake.server_content->url_context_metadata).at(0).status, "URL_RETRIEVAL_STATUS_ERROR");
  fail_unless(snake.server_content->waiting_for_input);
  assert_str(*snake.server_content->interaction_status, "IDLE");
  assert_str(*snake.server_content->turn_complete_reason, "MALFORMED_FUNCTION_CALL");
  fail_unless_equals_int64(*snake.usage_metadata->response_token_count, 5);
  fail_unless_equals_int64(snake.usage_metadata->response_tokens_details.at(0).token_count, 5);
  fail_unless(snake.tool_call_cancellation->ids == std::vector<std::string>({"a", "b"}));
  assert_str(snake.voice_activity->type, "ACTIVITY_END");
  fail_unless(*snake.voice_activity->audio_offset == 1200ms);
  assert_str(snake.voice_activity_detection_signal->vad_signal_type, "VAD_SIGNAL_TYPE_EOS");

  // voiceActivity's wire key is `type`; the SDK's voiceActivityType is read too.
  auto va = decode_server_ok(R"({"voiceActivity":{"type":"ACTIVITY_START","audioOffset":"0.5s"}})");
  assert_str(va.voice_activity->type, "ACTIVITY_START");
  fail_unless(*va.voice_activity->audio_offset == 500ms);
  assert_str(decode_server_ok(R"({"voiceActivity":{"voiceActivityType":"ACTIVITY_END"}})").voice_activity->type,
             "ACTIVITY_END");
  auto cancel = decode_server_ok(R"({"toolCallCancellation":{"ids":["function-call-1"]}})");
  assert_str(cancel.tool_call_cancellation->ids.at(0), "function-call-1");
  fail_if(cancel.empty());

  // Encoding keeps it all: the local server sends these.
  assert_same_json(encode_server_message(m, JsonStyle::Compact),
                   encode_server_message(decode_server_ok(encode_server_message(m).c_str()), JsonStyle::Compact),
                   "server round trip");
}
GST_END_TEST;

static Suite* codec_suite() {
  Suite* s = suite_create("codec");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_reference_messages_round_trip);
  tcase_add_test(tc, test_encoder_matches_sdk_captures);
  tcase_add_test(tc, test_setup_fields_decode);
  tcase_add_test(tc, test_realtime_input_wire_bytes);
  tcase_add_test(tc, test_server_fields_decode);
  tcase_add_test(tc, test_unknown_fields_ignored);
  tcase_add_test(tc, test_sdk_captures_snake_case);
  tcase_add_test(tc, test_setup_live_fields_decode);
  tcase_add_test(tc, test_client_messages_live_fields);
  tcase_add_test(tc, test_server_live_fields_decode);
  tcase_add_test(tc, test_server_vertex_fields_decode);
  tcase_add_test(tc, test_setup_for_backend);
  return s;
}

GST_CHECK_MAIN(codec);
