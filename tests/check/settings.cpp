// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink's settings table without a pipeline: each property's value
// as it appears in the setup on the wire (absent when unset, as the SDKs
// omit it), the model rules' refusals and their words, and the checks made
// when a value is set.
#include <gst/check/gstcheck.h>

#include <string>

#include "protocol/client_message.h"
#include "session/backend_rules.h"
#include "session/model_rules.h"
#include "session/session_setup.h"
#include "sink_settings.h"

using namespace geminilive;
using geminilive::plugin::SinkSettings;

namespace {

protocol::JsonValue json(const std::string& text) {
  auto v = protocol::JsonValue::parse(text);
  fail_unless(v.ok(), "not JSON: %s", text.c_str());
  return v.value();
}

session::SessionConfig config_of(const SinkSettings& s) {
  auto config = s.session_config("key");
  fail_unless(config.ok(), "refused: %s", config.ok() ? "" : config.error().c_str());
  return config.value();
}

// The setup message these settings send.
std::string setup_json(const SinkSettings& s) { return protocol::encode_client_message(config_of(s).setup); }

void assert_setup(const SinkSettings& s, const std::string& want) {
  const std::string got = setup_json(s);
  fail_unless(json(got) == json(want), "setup:\n got  %s\n want %s", got.c_str(), want.c_str());
}

// The refusal's text, which must name every word in `words`.
void assert_refused(const SinkSettings& s, std::initializer_list<const char*> words) {
  auto config = s.session_config("key");
  fail_if(config.ok(), "not refused: %s", config.ok() ? setup_json(s).c_str() : "");
  for (const char* w : words)
    fail_unless(config.error().find(w) != std::string::npos, "'%s' does not name '%s'", config.error().c_str(), w);
}

void set(SinkSettings& s, const char* name, plugin::SettingValue v) {
  auto error = s.set(name, std::move(v));
  fail_if(error.has_value(), "%s refused: %s", name, error ? error->c_str() : "");
}

}  // namespace

// The defaults: gemini-3.8-live, spoken answers with both transcripts,
// compression; nothing else is on the wire.
GST_START_TEST(test_defaults_on_the_wire) {
  SinkSettings s;
  assert_setup(s, R"({"setup":{"model":"models/gemini-3.8-live","generationConfig":{"responseModalities":["AUDIO"]},
    "inputAudioTranscription":{},"outputAudioTranscription":{},"contextWindowCompression":{"slidingWindow":{}}}})");
  const auto c = config_of(s);
  fail_unless(c.context_update, "gemini-3.8-live takes contextUpdate");
  fail_unless(c.tool_timeout == std::chrono::seconds(60));
  fail_unless(c.history.empty());
}
GST_END_TEST;

// Every generation, voice, transcription and turn knob, where the SDK puts it.
GST_START_TEST(test_every_knob_on_the_wire) {
  SinkSettings s;
  set(s, "model", std::string("gemini-2.5-flash-native-audio-preview-12-2025"));
  set(s, "system-instruction", std::string("Be brief."));
  set(s, "voice", std::string("Kore"));
  set(s, "language-code", std::string("de-DE"));
  set(s, "temperature", 0.5);
  set(s, "top-p", 0.9);
  set(s, "top-k", gint64(20));
  set(s, "max-output-tokens", gint64(512));
  set(s, "media-resolution", gint64(1));
  set(s, "thinking-budget", gint64(0));
  set(s, "include-thoughts", true);
  set(s, "proactive-audio", true);
  set(s, "affective-dialog", true);
  set(s, "input-transcription-languages", std::string("en-US, de-DE"));
  set(s, "output-transcription-languages", std::string("de-DE"));
  set(s, "vad", false);
  set(s, "vad-start-sensitivity", gint64(1));
  set(s, "vad-end-sensitivity", gint64(2));
  set(s, "vad-prefix-padding-ms", gint64(20));
  set(s, "vad-silence-duration-ms", gint64(800));
  set(s, "activity-handling", gint64(2));
  set(s, "turn-coverage", gint64(1));
  set(s, "compression-trigger-tokens", guint64(100000));
  set(s, "compression-target-tokens", guint64(50000));
  set(s, "tools", std::string(R"([{"name":"lookup","behavior":"NON_BLOCKING"},{"googleSearch":{}}])"));
  assert_setup(s, R"({"setup":{"model":"models/gemini-2.5-flash-native-audio-preview-12-2025",
    "generationConfig":{"responseModalities":["AUDIO"],"temperature":0.5,"topP":0.9,"topK":20,"maxOutputTokens":512,
      "mediaResolution":"MEDIA_RESOLUTION_LOW",
      "speechConfig":{"voiceConfig":{"prebuiltVoiceConfig":{"voiceName":"Kore"}},"languageCode":"de-DE"},
      "thinkingConfig":{"thinkingBudget":0,"includeThoughts":true},"enableAffectiveDialog":true},
    "systemInstruction":{"parts":[{"text":"Be brief."}],"role":"user"},
    "tools":[{"functionDeclarations":[{"name":"lookup","behavior":"NON_BLOCKING"}]},{"googleSearch":{}}],
    "inputAudioTranscription":{"languageCodes":["en-US","de-DE"]},
    "outputAudioTranscription":{"languageCodes":["de-DE"]},
    "realtimeInputConfig":{"automaticActivityDetection":{"disabled":true,"startOfSpeechSensitivity":"START_SENSITIVITY_HIGH",
      "endOfSpeechSensitivity":"END_SENSITIVITY_LOW","prefixPaddingMs":20,"silenceDurationMs":800},
      "activityHandling":"NO_INTERRUPTION","turnCoverage":"TURN_INCLUDES_ONLY_ACTIVITY"},
    "contextWindowCompression":{"triggerTokens":"100000","slidingWindow":{"targetTokens":"50000"}},
    "proactivity":{"proactiveAudio":true}}})");
  // A model that takes no contextUpdate changes context on a new connection.
  fail_if(config_of(s).context_update);
}
GST_END_TEST;

// Off switches leave their fields out; a thinking level goes where 3.1 reads it.
GST_START_TEST(test_off_and_levels) {
  SinkSettings s;
  set(s, "model", std::string("gemini-3.1-flash-live-preview"));
  set(s, "input-transcription", false);
  set(s, "output-transcription", false);
  set(s, "context-compression", false);
  set(s, "compression-trigger-tokens", guint64(1000));  // nothing to trigger without compression
  set(s, "thinking-level", gint64(1));
  set(s, "turn-coverage", gint64(3));
  set(s, "activity-handling", gint64(1));
  assert_setup(s, R"({"setup":{"model":"models/gemini-3.1-flash-live-preview",
    "generationConfig":{"responseModalities":["AUDIO"],"thinkingConfig":{"thinkingLevel":"MINIMAL"}},
    "realtimeInputConfig":{"activityHandling":"START_OF_ACTIVITY_INTERRUPTS",
      "turnCoverage":"TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"}}})");
}
GST_END_TEST;

// On models that answer only aloud, text is the transcript; a model we know
// nothing of gets TEXT as asked, and written answers have no transcript.
GST_START_TEST(test_text_answers_per_model) {
  SinkSettings s;
  set(s, "response-modality", gint64(1));
  set(s, "output-transcription", false);
  assert_setup(s, R"({"setup":{"model":"models/gemini-3.8-live","generationConfig":{"responseModalities":["AUDIO"]},
    "inputAudioTranscription":{},"outputAudioTranscription":{},"contextWindowCompression":{"slidingWindow":{}}}})");
  set(s, "model", std::string("my-own-model"));
  set(s, "output-transcription", true);
  assert_setup(s, R"({"setup":{"model":"models/my-own-model","generationConfig":{"responseModalities":["TEXT"]},
    "inputAudioTranscription":{},"contextWindowCompression":{"slidingWindow":{}}}})");
  fail_if(config_of(s).context_update, "an unknown model changes context by reconnecting");
}
GST_END_TEST;

// What each model refuses fails in words naming the property and the model.
GST_START_TEST(test_model_refusals) {
  {
    SinkSettings s;
    set(s, "thinking-level", gint64(3));
    assert_refused(s, {"gemini-3.8-live", "thinking-level", "generationConfig.thinkingConfig.thinkingLevel"});
  }
  {
    SinkSettings s;
    set(s, "thinking-budget", gint64(100));
    assert_refused(s, {"gemini-3.8-live", "thinking-budget"});
  }
  {
    SinkSettings s;
    set(s, "affective-dialog", true);
    assert_refused(s, {"gemini-3.8-live", "affective-dialog"});
  }
  {
    SinkSettings s;
    set(s, "model", std::string("models/gemini-3.1-flash-live-preview"));
    set(s, "proactive-audio", true);
    assert_refused(s, {"gemini-3.1-flash-live-preview", "proactive-audio"});
  }
  {
    SinkSettings s;
    set(s, "model", std::string("gemini-3.8-live-extended-thinking"));
    set(s, "tools", std::string(R"([{"name":"book","behavior":"BLOCKING"}])"));
    assert_refused(s, {"gemini-3.8-live-extended-thinking", "tools", "BLOCKING", "book"});
  }
  {
    // Fields that come only through setup-extra are its fault.
    SinkSettings s;
    set(s, "setup-extra", std::string(R"({"proactivity":{"proactiveAudio":false}})"));
    assert_refused(s, {"gemini-3.8-live", "setup-extra", "cannot be turned off"});
  }
  {
    // Proactive audio is always on with 3.8: asking for it is fine.
    SinkSettings s;
    set(s, "proactive-audio", true);
    fail_unless(s.session_config("key").ok());
  }
  {
    // Unknown models pass unchecked.
    SinkSettings s;
    set(s, "model", std::string("gemini-9-live-preview"));
    set(s, "thinking-level", gint64(3));
    set(s, "affective-dialog", true);
    fail_unless(s.session_config("key").ok());
  }
}
GST_END_TEST;

// The model table finds rows whatever the resource prefix.
GST_START_TEST(test_model_table_lookup) {
  const auto* rules = session::find_model_rules("projects/p/locations/global/publishers/google/models/gemini-3.8-live");
  fail_unless(rules != nullptr);
  fail_unless_equals_string(rules->family, "gemini-3.8-live");
  rules = session::find_model_rules("models/gemini-2.5-flash-native-audio-preview-09-2025");
  fail_unless(rules && rules->prefix && rules->affective_dialog == session::Accepts::Yes);
  fail_unless(session::find_model_rules("gemini-3.8-live-extended-thinking")->thinking_level == session::Accepts::Yes);
  fail_unless(session::find_model_rules("gemini-3.8") == nullptr);
  // The macro keeps a pointer to its argument: no temporaries in it.
  const std::string model_id = session::model_id("models/gemini-3.8-live");
  fail_unless_equals_string(model_id.c_str(), "gemini-3.8-live");
}
GST_END_TEST;

// history and setup-extra are checked when set: the old value stays.
GST_START_TEST(test_json_settings_checked_when_set) {
  SinkSettings s;
  auto error = s.set("setup-extra", std::string("{\"generationConfig\": {"));
  fail_unless(
      error && error->find("setup-extra is not a JSON object") == 0 && error->find("invalid JSON") != std::string::npos,
      "%s", error ? error->c_str() : "none");
  error = s.set("setup-extra", std::string("[1]"));
  fail_unless(error && error->find("not a JSON object (got an array)") != std::string::npos, "%s",
              error ? error->c_str() : "none");
  fail_unless(s.get_string("setup-extra").empty(), "a refused value was kept");

  error = s.set("history", std::string("[{\"role\":\"user\",\"parts\":"));
  fail_unless(error && error->find("The history is not JSON") == 0, "%s", error ? error->c_str() : "none");
  error = s.set("history", std::string("{\"role\":\"user\"}"));
  fail_unless(error && error->find("JSON array") != std::string::npos);

  set(s, "history", std::string(R"([{"role":"user","parts":[{"text":"My name is Ada."}]},
                                    {"role":"model","parts":[{"text":"Hello Ada."}]}])"));
  const auto c = config_of(s);
  fail_unless_equals_int(c.history.size(), 2);
  fail_unless_equals_string(c.history[1].role->c_str(), "model");
  const std::string first_turn = c.history[0].text();
  fail_unless_equals_string(first_turn.c_str(), "My name is Ada.");
  fail_unless(json(setup_json(s)) ==
              json(R"({"setup":{"model":"models/gemini-3.8-live","generationConfig":{"responseModalities":["AUDIO"]},
                "inputAudioTranscription":{},"outputAudioTranscription":{},"contextWindowCompression":{"slidingWindow":{}},
                "historyConfig":{"initialHistoryInClientContent":true}}})"));
}
GST_END_TEST;

// setup-extra is merged last: objects merge, other values replace.
// session-resumption-transparent reaches the session, whose every setup then
// asks for it (with the handle when it resumes), as the SDK writes it for Vertex.
GST_START_TEST(test_transparent_resumption_setting) {
  SinkSettings s;
  fail_if(config_of(s).transparent_resumption);
  set(s, "session-resumption-transparent", true);
  // Only Vertex AI takes it (the SDK throws for it on the Developer API).
  assert_refused(s, {"backend=gemini-api does not take session-resumption-transparent (sessionResumption.transparent)",
                     "only Vertex AI takes it"});
  set(s, "backend", gint64(1));
  set(s, "project", std::string("p"));
  const session::SessionConfig config = config_of(s);
  fail_unless(config.transparent_resumption);
  session::SessionSetup setup(config);
  const std::string first = setup.message("").outbound.json;
  fail_unless(first.find("\"sessionResumption\":{\"transparent\":true}") != std::string::npos, "%s", first.c_str());
  const std::string resumed = setup.message("h1").outbound.json;
  fail_unless(resumed.find("\"sessionResumption\":{\"handle\":\"h1\",\"transparent\":true}") != std::string::npos, "%s",
              resumed.c_str());
}
GST_END_TEST;

GST_START_TEST(test_setup_extra_merged_last) {
  SinkSettings s;
  set(s, "temperature", 0.5);
  set(s, "setup-extra", std::string(R"({"generationConfig":{"seed":7,"temperature":1.5},"labels":{"app":"gst"}})"));
  assert_setup(s, R"({"setup":{"model":"models/gemini-3.8-live",
    "generationConfig":{"responseModalities":["AUDIO"],"temperature":1.5,"seed":7},
    "inputAudioTranscription":{},"outputAudioTranscription":{},"contextWindowCompression":{"slidingWindow":{}},
    "labels":{"app":"gst"}}})");
}
GST_END_TEST;

// Strings that restore their default when emptied, and the secret key.
GST_START_TEST(test_string_defaults_and_secret) {
  SinkSettings s;
  set(s, "model", std::string(""));
  fail_unless_equals_string(s.get_string("model").c_str(), session::kDefaultModel);
  set(s, "channel", std::string(""));
  fail_unless_equals_string(s.get_string("channel").c_str(), "default");
  // The tools file that cannot be read is an error at start, in words.
  set(s, "tools", std::string("/nonexistent/tools.json"));
  auto config = s.session_config("key");
  fail_if(config.ok());
  fail_unless(config.error().find("Cannot read the tools file") == 0, "%s", config.error().c_str());
}
GST_END_TEST;

// Fields only one backend takes (SDK 2.32.0's converters refuse them for the
// other): refused before connecting, naming the property, the field and the
// backend. geminilivesink's backend property selects the backend; here the
// table is also checked straight against a Vertex AI config.
GST_START_TEST(test_backend_refusals) {
  const std::pair<const char*, const char*> vertex_only[] = {
      {"setup-extra", R"({"explicitVadSignal":true})"},
      {"setup-extra", R"({"explicit_vad_signal":false})"},
      {"setup-extra", R"({"sessionResumption":{"transparent":true}})"},
      {"setup-extra", R"({"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"},)"
                      R"({"category":"HARM_CATEGORY_HATE_SPEECH","method":"SEVERITY","threshold":"BLOCK_NONE"}]})"},
      {"tools", R"([{"retrieval":{"vertexRagStore":{"ragCorpora":["projects/p/locations/l/ragCorpora/1"]}}}])"},
      {"tools", R"([{"name":"f"},{"enterpriseWebSearch":{}}])"},
      {"tools", R"([{"googleSearch":{"excludeDomains":["example.com"]}}])"},
      {"tools", R"([{"googleMaps":{"groundingTypes":["PLACES"]}}])"},
  };
  for (const auto& [property, value] : vertex_only) {
    SinkSettings s;
    set(s, property, std::string(value));
    assert_refused(s, {"backend=gemini-api", property, "only Vertex AI takes it", "Change"});
  }
  {
    SinkSettings s;
    set(s, "setup-extra", std::string(R"({"explicitVadSignal":true})"));
    assert_refused(s, {"(explicitVadSignal)"});
  }
  // What both take passes, options kept as written and tools in the SDK's order.
  {
    SinkSettings s;
    set(s, "tools",
        std::string(
            R"([{"googleSearch":{"searchTypes":{"webSearch":{}}}},{"fileSearch":{"fileSearchStoreNames":["s"]}},)"
            R"({"urlContext":{},"googleMaps":{"enableWidget":true}},{"name":"f"}])"));
    set(s, "setup-extra",
        std::string(R"({"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}]})"));
    auto setup = json(setup_json(s));
    JsonObject* o = json_node_get_object(json_object_get_member(json_node_get_object(setup.node()), "setup"));
    fail_unless(
        protocol::JsonValue(json_node_copy(json_object_get_member(o, "tools"))) ==
        json(R"([{"googleSearch":{"searchTypes":{"webSearch":{}}}},{"fileSearch":{"fileSearchStoreNames":["s"]}},)"
             R"({"googleMaps":{"enableWidget":true},"urlContext":{}},{"functionDeclarations":[{"name":"f"}]}])"));
  }

  // Vertex AI (backend=vertex-ai): the Developer API's fields are refused, its own pass.
  auto vertex = [](const char* tools, const char* extra) {
    SinkSettings s;
    set(s, "backend", gint64(1));
    set(s, "project", std::string("p"));
    if (tools) set(s, "tools", std::string(tools));
    if (extra) set(s, "setup-extra", std::string(extra));
    return s;
  };
  assert_refused(vertex(R"([{"fileSearch":{"fileSearchStoreNames":["s"]}}])", nullptr),
                 {"backend=vertex-ai does not take tools (tools.fileSearch)",
                  "only the Gemini Developer API takes it, not Vertex AI", "Change tools or backend"});
  assert_refused(vertex(R"([{"mcpServers":[{"name":"m","streamableHttpTransport":{"url":"https://m"}}]}])", nullptr),
                 {"backend=vertex-ai", "(tools.mcpServers.name)"});
  assert_refused(vertex(nullptr, R"({"generationConfig":{"speechConfig":{"voiceConfig":{"replicatedVoiceConfig":)"
                                 R"({"mimeType":"audio/wav","voiceSampleAudio":"AAAA","consentAudio":"AAAA"}}}}})"),
                 {"setup-extra (generationConfig.speechConfig.voiceConfig.replicatedVoiceConfig.consentAudio)"});
  const SinkSettings ok =
      vertex(R"([{"retrieval":{}},{"googleSearch":{"blockingConfidence":"BLOCK_LOW_AND_ABOVE"}},{"mcpServers":[{}]}])",
             R"({"explicitVadSignal":true,"sessionResumption":{"transparent":true},)"
             R"("safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","method":"SEVERITY","threshold":"OFF"}]})");
  fail_if(session::refused_by_backend(protocol::Backend::VertexAi, config_of(ok).setup).has_value());
}
GST_END_TEST;

static Suite* settings_suite(void) {
  Suite* s = suite_create("settings");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_defaults_on_the_wire);
  tcase_add_test(tc, test_every_knob_on_the_wire);
  tcase_add_test(tc, test_off_and_levels);
  tcase_add_test(tc, test_text_answers_per_model);
  tcase_add_test(tc, test_model_refusals);
  tcase_add_test(tc, test_backend_refusals);
  tcase_add_test(tc, test_model_table_lookup);
  tcase_add_test(tc, test_json_settings_checked_when_set);
  tcase_add_test(tc, test_setup_extra_merged_last);
  tcase_add_test(tc, test_transparent_resumption_setting);
  tcase_add_test(tc, test_string_defaults_and_secret);
  return s;
}

GST_CHECK_MAIN(settings);
