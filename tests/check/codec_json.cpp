// SPDX-License-Identifier: LGPL-2.1-or-later
// The protocol codec at its edges: malformed server and client input, JSON
// numbers read as JavaScript reads them, base64 and durations, function
// declarations written by a user (geminilivesink's tools), the setup's
// extra fields and JSON objects. Part of the codec suite
// (tests/check/meson.build); the helpers are in codec_util.h.
#include <gst/check/gstcheck.h>

#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "check_util.h"
#include "codec_util.h"
#include "protocol/base64.h"
#include "protocol/client_message.h"
#include "protocol/duration.h"
#include "protocol/server_message.h"

using namespace geminilive;
using namespace geminilive::protocol;
using namespace geminilive::testing;
using namespace std::chrono_literals;

// Malformed input yields an error that names what is wrong, never a crash.
GST_START_TEST(test_malformed_server_input) {
  struct {
    std::string input;
    const char* error;
  } cases[] = {
      {"not json", "invalid JSON"},
      {R"({"serverContent":{"turnComplete":tr)", "invalid JSON"},
      {"[1,2]", "expected a JSON object at the top level"},
      {"\"text\"", "expected a JSON object at the top level"},
      {R"({"serverContent":{"turnComplete":"yes"}})", "serverContent.turnComplete: expected a boolean, got a string"},
      {R"({"serverContent":[]})", "serverContent: expected an object, got an array"},
      {R"({"serverContent":{"modelTurn":{"parts":[{"inlineData":{"mimeType":"audio/pcm","data":"@@@@"}}]}}})",
       "serverContent.modelTurn.parts[0].inlineData.data: invalid base64"},
      {R"({"serverContent":{"modelTurn":{"parts":{}}}})", "serverContent.modelTurn.parts: expected an array"},
      {R"({"goAway":{"timeLeft":"soon"}})", "goAway.timeLeft: expected a duration"},
      {R"({"goAway":{"timeLeft":50}})", "goAway.timeLeft: expected a string, got a number"},
      {R"({"toolCall":{"functionCalls":[7]}})", "toolCall.functionCalls[0]: expected an object, got a number"},
      {R"({"usageMetadata":{"totalTokenCount":"many"}})", "usageMetadata.totalTokenCount: expected an integer"},
      {R"({"usageMetadata":{"totalTokenCount":1.5}})", "usageMetadata.totalTokenCount: expected an integer"},
      {std::string(100000, '[') + std::string(100000, ']'), "nested deeper than"},
      {std::string("{\"a\":\"\xff\xfe\"}"), "invalid JSON: not UTF-8"},
      // json-glib accepts more than JSON; the service never sends it (found by fuzzing).
      {"{'serverContent':{}}", "unexpected character '\''"},
      {"{/* \" */\"serverContent\":{}}", "unexpected character '/'"},
      {R"({"serverContent":{"outputTranscription":{"text":"\242"}}})", "invalid escape"},
      {R"({"serverContent":{"outputTranscription":{"text":"\ud800x"}}})", "lone surrogate"},
      {R"({"serverContent":{"outputTranscription":{"text":"a\u0000b"}}})", "u0000 in a string"},
      {R"({"usageMetadata":{"totalTokenCount":18446744073709551616}})", "integer out of range"},
      {R"({"usageMetadata":{"totalTokenCount":1e400}})", "number out of range"},
      {R"({"usageMetadata":{"totalTokenCount":1e300}})", "usageMetadata.totalTokenCount: expected an integer"},
      {R"({"goAway":{"timeLeft":"10000000000s"}})", "goAway.timeLeft: expected a duration"},
      {R"({"setupComplete":{}}{"goAway":{}})", "data after the JSON value"},
      {"{\"a\":\"tab\there\"}", "control character in a string"},
      {R"({"a":01})", "invalid JSON"},
  };
  for (const auto& c : cases) {
    auto m = decode_server_message(c.input);
    fail_if(m.ok(), "accepted: %.80s", c.input.c_str());
    fail_unless(m.error().find(c.error) != std::string::npos, "input %.80s: error '%s' lacks '%s'", c.input.c_str(),
                m.error().c_str(), c.error);
  }
}
GST_END_TEST;

GST_START_TEST(test_malformed_client_input) {
  struct {
    const char* input;
    const char* error;
  } cases[] = {
      {"{}", "no setup, clientContent, realtimeInput, toolResponse or contextUpdate"},
      {R"({"setup":{"model":"m"},"realtimeInput":{}})", "more than one of"},
      {R"({"realtimeInput":{"audio":{"data":"!!","mimeType":"audio/pcm"}}})",
       "realtimeInput.audio.data: invalid base64"},
      {R"({"realtimeInput":{"audio":"AAAA"}})", "realtimeInput.audio: expected an object, got a string"},
      {R"({"realtimeInput":{"audioStreamEnd":"true"}})", "realtimeInput.audioStreamEnd: expected a boolean"},
      {R"({"setup":{"model":5}})", "setup.model: expected a string, got a number"},
      {R"({"setup":{"model":"m","tools":{}}})", "setup.tools: expected an array"},
      {R"({"clientContent":{"turns":[{"parts":[{"text":1}]}]}})",
       "clientContent.turns[0].parts[0].text: expected a string"},
      {R"({"setup":{"model":"m","generationConfig":{"topK":4294967297}}})",
       "setup.generationConfig.topK: integer out of range"},
      {R"({"toolResponse":{"functionResponses":null}})", ""},  // null = absent: a valid, empty response
      {R"({"realtimeInput":{"text":"\ud83d\ude00 a surrogate pair is fine"}})", ""},
  };
  for (const auto& c : cases) {
    auto m = decode_client_message(c.input);
    if (!*c.error) {
      fail_unless(m.ok(), "%s: %s", c.input, m.ok() ? "" : m.error().c_str());
      continue;
    }
    fail_if(m.ok(), "accepted: %s", c.input);
    fail_unless(m.error().find(c.error) != std::string::npos, "input %s: error '%s' lacks '%s'", c.input,
                m.error().c_str(), c.error);
  }
}
GST_END_TEST;

GST_START_TEST(test_json_numbers_like_javascript) {
  GenerationConfig g;
  g.temperature = 0.7;
  g.top_p = 0.1 + 0.2;
  g.presence_penalty = 1e-7;
  g.frequency_penalty = 2.0;
  Setup s;
  s.model = "models/m";
  s.generation_config = g;
  s.context_window_compression = ContextWindowCompression{9007199254740993LL, {}};
  assert_str(
      encode_client_message(s),
      R"({"setup":{"model":"models/m","generationConfig":{"temperature":0.7,"topP":0.30000000000000004,)"
      R"("presencePenalty":1e-7,"frequencyPenalty":2},"contextWindowCompression":{"triggerTokens":"9007199254740993"}}})");
  // JSON.stringify(-0) writes 0, and so do we: -0 survives a round trip (found by fuzzing).
  auto args = JsonValue::parse(R"({"x":-0.0,"y":-0})");
  fail_unless(args.ok());
  assert_str(args->to_string(), R"({"x":0,"y":0})");
  // Number::toString's notation: plain from 1e-7 to 1e21, exponents without
  // leading zeros and with "+" (node -e 'console.log(JSON.stringify(v))'),
  // except integers beyond int64, which would not read back as integers.
  struct {
    double value;
    const char* js;
  } numbers[] = {{1.5e-5, "0.000015"},
                 {1e-6, "0.000001"},
                 {1.2345e-7, "1.2345e-7"},
                 {1e20, "1e+20"},
                 {1.2345678901234568e20, "1.2345678901234568e+20"},
                 {9.2e18, "9200000000000000000"},
                 {1e21, "1e+21"},
                 {-3.5e300, "-3.5e+300"},
                 {5e-324, "5e-324"},
                 {1.7976931348623157e308, "1.7976931348623157e+308"},
                 {9007199254740994.0, "9007199254740994"},
                 {0.5, "0.5"},
                 {-12.25, "-12.25"}};
  for (const auto& n : numbers) {
    JsonNode* node = json_node_new(JSON_NODE_VALUE);
    json_node_set_double(node, n.value);
    assert_str(JsonValue(node).to_string(), n.js);
    auto back = JsonValue::parse(n.js);  // and it reads back as the same number
    fail_unless(back.ok() && json_node_get_double(back->node()) == n.value, "%s does not read back", n.js);
  }
}
GST_END_TEST;

GST_START_TEST(test_base64) {
  std::string out;
  assert_str(base64_encode(""), "");
  assert_str(base64_encode("f"), "Zg==");
  assert_str(base64_encode("fo"), "Zm8=");
  assert_str(base64_encode("foo"), "Zm9v");
  assert_str(base64_encode(std::string("\xfb\xff", 2)), "+/8=");
  // Both alphabets, with or without padding.
  for (const char* in : {"+/8=", "-_8=", "+/8", "-_8"}) {
    fail_unless(base64_decode(in, out), "%s", in);
    fail_unless(out == std::string("\xfb\xff", 2), "%s", in);
  }
  for (const char* bad : {"A", "A===", "Zg=a", "Z g=", "Zh==", "@@@@", "Zg==Zg==", "="})
    fail_if(base64_decode(bad, out), "%s", bad);
  std::mt19937 rng(7);
  for (int len = 0; len < 300; ++len) {
    std::string data(len, '\0');
    for (auto& ch : data) ch = static_cast<char>(rng());
    fail_unless(base64_decode(base64_encode(data), out) && out == data, "length %d", len);
    gsize glib_len = 0;
    g_autofree guchar* glib = g_base64_decode(base64_encode(data).c_str(), &glib_len);
    fail_unless(glib_len == data.size() && memcmp(glib, data.data(), glib_len) == 0, "GLib disagrees at %d", len);
  }
}
GST_END_TEST;

GST_START_TEST(test_duration) {
  fail_unless(*parse_duration("50s") == 50s);
  fail_unless(*parse_duration("1.500s") == 1500ms);
  fail_unless(*parse_duration("0.000000001s") == 1ns);
  fail_unless(*parse_duration("-2s") == -2s);
  fail_unless(*parse_duration(".5s") == 500ms);
  for (const char* bad : {"", "s", "50", "5 s", "1.2.3s", "abc", "-s", ".s"})
    fail_if(parse_duration(bad).has_value(), "%s", bad);
  assert_str(format_duration(50s), "50s");
  assert_str(format_duration(1500ms), "1.500s");
  assert_str(format_duration(std::chrono::microseconds(1000001)), "1.000001s");
  assert_str(format_duration(1ns), "0.000000001s");
}
GST_END_TEST;

// ---- function declarations written by a user (geminilivesink's tools) ----

std::vector<Tool> tools_ok(const std::string& text) {
  auto tools = parse_tools_json(text);
  fail_unless(tools.ok(), "%s: %s", text.c_str(), tools.ok() ? "" : tools.error().c_str());
  return tools.value();
}

// The setup's "tools" as encoded.
std::string encoded_tools(const std::string& text) {
  Setup s;
  s.model = "models/m";
  s.tools = tools_ok(text);
  const std::string json = encode_client_message(s);
  const std::string prefix = R"({"setup":{"model":"models/m","tools":)";
  fail_unless(json.rfind(prefix, 0) == 0, "%s", json.c_str());
  return json.substr(prefix.size(), json.size() - prefix.size() - 2);
}

GST_START_TEST(test_parse_tools_json_shapes) {
  const std::string a = R"({"name":"save_note","description":"Saves a note.","parameters":{"type":"OBJECT",)"
                        R"("properties":{"text":{"type":"STRING"}},"required":["text"]},"behavior":"BLOCKING"})";
  const std::string b = R"({"name":"get_time"})";
  // An array of declarations, or one: one functionDeclarations tool, as written.
  assert_str(encoded_tools("[" + a + "," + b + "]"), R"([{"functionDeclarations":[)" + a + "," + b + "]}]");
  assert_str(encoded_tools(" \n\t" + a), R"([{"functionDeclarations":[)" + a + "]}]");
  // The setup's own shape, snake_case too; declarations and tools mixed.
  assert_str(encoded_tools(R"([{"function_declarations":[{"name":"f","parameters_json_schema":{"type":"object"},)"
                           R"("response_json_schema":{"type":"string"}}]},{"code_execution":{}},{"url_context":{}}])"),
             R"([{"functionDeclarations":[{"name":"f","parametersJsonSchema":{"type":"object"},)"
             R"("responseJsonSchema":{"type":"string"}}]},{"codeExecution":{}},{"urlContext":{}}])");
  assert_str(
      encoded_tools(R"([{"googleSearch":{}},{"name":"a"},{"functionDeclarations":[{"name":"c"}]},{"name":"b"}])"),
      R"([{"googleSearch":{}},{"functionDeclarations":[{"name":"a"},{"name":"b"}]},)"
      R"({"functionDeclarations":[{"name":"c"}]}])");
  // Members in another order: the same declaration.
  assert_same_json(encoded_tools(R"([{"parameters":{"type":"OBJECT"},"name":"f","description":"d"}])"),
                   R"([{"functionDeclarations":[{"name":"f","description":"d","parameters":{"type":"OBJECT"}}]}])",
                   "reordered");
  fail_unless(tools_ok("[]").empty());

  // The SDK's own tools (setup-full capture) come out byte for byte.
  JsonValue captures = parse(read_fixture("sdk-captures.json"));
  JsonNode* setup = json_object_get_member(json_node_get_object(captures.node()), "setup-full");
  JsonNode* sdk_tools =
      json_object_get_member(json_object_get_object_member(json_node_get_object(setup), "setup"), "tools");
  const std::string sdk = json_serialize(sdk_tools);
  assert_str(encoded_tools(sdk), sdk);

  // What the server decodes is what was declared.
  Setup s;
  s.model = "models/m";
  s.tools = tools_ok(R"({"name":"f","parametersJsonSchema":{"type":"object"},"responseJsonSchema":{"type":"string"}})");
  auto decoded = decode_client_ok(encode_client_message(s).c_str());
  const FunctionDeclaration& d = std::get<Setup>(decoded).tools.at(0).function_declarations.at(0);
  assert_str(d.name, "f");
  fail_unless(d.parameters_json_schema == parse(R"({"type":"object"})"));
  fail_unless(d.response_json_schema == parse(R"({"type":"string"})"));
}
GST_END_TEST;

GST_START_TEST(test_parse_tools_json_errors) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([{"description":"no name"}])", "$[0].name: a function declaration needs a name"},
      {"{}", "$.name: a function declaration needs a name"},
      {R"([{"name":""}])", "$[0].name: a function declaration needs a name"},
      {R"([{"name":7}])", "$[0].name: expected a string, got a number"},
      {R"([{"name":"f","parameters":"OBJECT"}])", "$[0].parameters: expected an object, got a string"},
      {R"([{"name":"f","params":{}}])",
       "$[0].params: not a field of a function declaration (name, description, parameters, parametersJsonSchema, "
       "response, responseJsonSchema, behavior)"},
      {R"([{"functionDeclarations":[{"name":"f"},{"parameters":{}}]}])",
       "$[0].functionDeclarations[1].name: a function declaration needs a name"},
      {R"([{"functionDeclarations":{}}])", "$[0].functionDeclarations: expected an array"},
      {R"([{"functionDeclarations":[]}])",
       "$[0].functionDeclarations: an empty tool: no function declaration or tool in it"},
      {R"([{"computerUse":{}}])",
       "$[0].computerUse: not a supported tool (functionDeclarations, googleSearch, codeExecution, urlContext; "
       "retrieval, googleMaps, mcpServers, enterpriseWebSearch, exaAiSearch, parallelAiSearch, fileSearch as the "
       "backend takes them)"},
      {R"([{"urlContext":{"x":1}}])", "$[0].urlContext: tool options are not supported; give {}"},
      {R"([{"name":"f"},{"functionDeclarations":[{"name":"f"}]}])", "the function \"f\" is declared twice"},
      {"[1]", "$[0]: expected an object, got a number"},
      {R"("save_note")", "$: expected an array of function declarations or tools, or one function declaration"},
      {"", "invalid JSON: "},
      {R"([{"name":"f",}])", "invalid JSON: "},
      {"tools.json", "invalid JSON: "},
  };
  for (const auto& [text, want] : cases) {
    auto tools = parse_tools_json(text);
    fail_if(tools.ok(), "accepted: %s", text);
    const std::string& got = tools.error();
    if (g_str_has_suffix(want, ": "))
      fail_unless(got.rfind(want, 0) == 0, "%s:\n got  %s\n want %s...", text, got.c_str(), want);
    else
      fail_unless(got == want, "%s:\n got  %s\n want %s", text, got.c_str(), want);
  }
}
GST_END_TEST;

// Setup::extra merges last: objects recursively, anything else replaces.
GST_START_TEST(test_setup_extra_merge) {
  Setup s;
  s.model = "models/m";
  GenerationConfig g;
  g.response_modalities = {"AUDIO"};
  g.temperature = 0.5;
  g.translation_config = parse(R"({"targetLanguageCode":"es"})");
  s.generation_config = g;
  AutomaticActivityDetection aad;
  aad.disabled = false;
  aad.silence_duration_ms = 500;
  s.realtime_input_config = RealtimeInputConfig{aad, {}, "TURN_INCLUDES_ALL_INPUT"};
  s.proactivity = Proactivity{true};
  const std::string plain = encode_client_message(s);

  s.extra = parse_json_object(
                R"({"generationConfig":{"seed":3,"temperature":0.9,"translationConfig":{"echoTargetLanguage":true}},)"
                R"("realtimeInputConfig":{"automaticActivityDetection":{"silenceDurationMs":900}},)"
                R"("proactivity":null,"labels":{"app":"gst"},"tools":[{"googleSearch":{}}]})")
                .value();
  const std::string merged = encode_client_message(s);
  assert_str(merged,
             R"({"setup":{"model":"models/m","generationConfig":{"responseModalities":["AUDIO"],"temperature":0.9,)"
             R"("translationConfig":{"targetLanguageCode":"es","echoTargetLanguage":true},"seed":3},)"
             R"("realtimeInputConfig":{"automaticActivityDetection":{"disabled":false,"silenceDurationMs":900},)"
             R"("turnCoverage":"TURN_INCLUDES_ALL_INPUT"},"proactivity":null,"labels":{"app":"gst"},)"
             R"("tools":[{"googleSearch":{}}]}})");
  // Our own values are untouched: the merge works on copies.
  assert_str(s.generation_config->translation_config.to_string(), R"({"targetLanguageCode":"es"})");
  assert_str(encode_client_message(s), merged);
  // A scalar replaces an object, an object replaces a scalar.
  s.extra = parse(R"({"generationConfig":7,"model":{"x":1}})");
  assert_str(encode_client_message(s), R"({"setup":{"model":{"x":1},"generationConfig":7,)"
                                       R"("realtimeInputConfig":{"automaticActivityDetection":{"disabled":false,)"
                                       R"("silenceDurationMs":500},"turnCoverage":"TURN_INCLUDES_ALL_INPUT"},)"
                                       R"("proactivity":{"proactiveAudio":true}}})");
  // Null or not an object: nothing merged.
  s.extra = JsonValue();
  assert_str(encode_client_message(s), plain);
  s.extra = parse("[1,2]");
  assert_str(encode_client_message(s), plain);
  // The service (and our decoder) reads merged known fields.
  s.extra = parse(R"({"generationConfig":{"seed":3,"topK":5}})");
  const Setup back = std::get<Setup>(decode_client_ok(encode_client_message(s).c_str()));
  fail_unless_equals_int(*back.generation_config->seed, 3);
  fail_unless_equals_int(*back.generation_config->top_k, 5);
  fail_unless(back.extra.is_null());
  // Unknown top-level fields decode into extra, as written, and encode back.
  const char* unknown = R"({"setup":{"model":"m","labels":{"app":"gst"},"proactivity":{},"safety_settings":[]}})";
  const Setup with_unknown = std::get<Setup>(decode_client_ok(unknown));
  assert_str(with_unknown.extra.to_string(), R"({"labels":{"app":"gst"},"safety_settings":[]})");
  assert_str(encode_client_message(with_unknown),
             R"({"setup":{"model":"m","proactivity":{},"labels":{"app":"gst"},"safety_settings":[]}})");
}
GST_END_TEST;

GST_START_TEST(test_parse_json_object) {
  auto ok = parse_json_object(R"( {"generationConfig":{"seed":3}} )");
  fail_unless(ok.ok());
  assert_str(ok->to_string(), R"({"generationConfig":{"seed":3}})");
  fail_unless(parse_json_object("{}").ok());
  const std::pair<const char*, const char*> cases[] = {
      {"[1]", "not a JSON object (got an array)"},
      {"3", "not a JSON object (got a number)"},
      {R"("x")", "not a JSON object (got a string)"},
      {"true", "not a JSON object (got a boolean)"},
      {"null", "not a JSON object (got null)"},
      {"", "invalid JSON: "},
      {R"({"a":1)", "invalid JSON: "},
      {"{'a':1}", "invalid JSON: unexpected character '\''"},
      {R"({"a":1,})", "invalid JSON: "},
  };
  for (const auto& [text, want] : cases) {
    auto v = parse_json_object(text);
    fail_if(v.ok(), "accepted: %s", text);
    if (g_str_has_suffix(want, ": "))
      fail_unless(v.error().rfind(want, 0) == 0 && v.error().size() > strlen(want), "%s: %s", text, v.error().c_str());
    else
      fail_unless(v.error().find(want) != std::string::npos, "%s: %s", text, v.error().c_str());
  }
}
GST_END_TEST;

static Suite* codec_json_suite() {
  Suite* s = suite_create("codec_json");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_malformed_server_input);
  tcase_add_test(tc, test_malformed_client_input);
  tcase_add_test(tc, test_json_numbers_like_javascript);
  tcase_add_test(tc, test_base64);
  tcase_add_test(tc, test_duration);
  tcase_add_test(tc, test_parse_tools_json_shapes);
  tcase_add_test(tc, test_parse_tools_json_errors);
  tcase_add_test(tc, test_setup_extra_merge);
  tcase_add_test(tc, test_parse_json_object);
  return s;
}

GST_CHECK_MAIN(codec_json);
