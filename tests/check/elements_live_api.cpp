// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink and today's Live API, as a user sees it against the local
// Live server: knobs in the setup on the wire, a refused combination failing
// the start in words, push-to-talk, a live instruction change, send-content,
// tool-call cancellation and the tool timeout, and what the service says
// (grounding, code, voice activity) as bus messages. Registered in the
// elements_sink suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <chrono>
#include <mutex>
#include <string>

#include "check_util.h"
#include "elements_util.h"

using namespace geminilive::testing;
using namespace std::chrono_literals;

namespace {

constexpr char kTextCaps[] = "text/x-raw,format=utf8";

ServerOptions at_once() {
  ServerOptions o = fast();
  o.reply_speed = 0;
  return o;
}

// The received client messages of kind `kind` ("contextUpdate", ...).
std::vector<std::string> received_of(const LiveServer& server, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& m : server.received_messages())
    if (m.rfind("{\"" + kind + "\"", 0) == 0) out.push_back(m);
  return out;
}

bool wait_received(const LiveServer& server, const std::string& part, std::chrono::milliseconds timeout = kWait) {
  const gint64 end = g_get_monotonic_time() + timeout.count() * 1000;
  while (g_get_monotonic_time() < end) {
    for (const auto& m : server.received_messages())
      if (contains(m, part)) return true;
    g_usleep(10 * 1000);
  }
  return false;
}

// Until the server has the setup (and so answered it first: what it sends
// next follows setupComplete).
void wait_setup(const LiveServer& server) {
  fail_unless(server.wait_for([](const ServerStats& s) { return !s.last_setup_json.empty(); }, kWait), "no setup");
}

// The fields of the next element message `name`.
std::string wait_field(GstBus* bus, const char* name, const char* field) {
  GstMessage* m = wait_message(bus, element_message(name));
  fail_unless(m != nullptr, "no %s message", name);
  const char* value = gst_structure_get_string(gst_message_get_structure(m), field);
  std::string out = value ? value : "(none)";
  gst_message_unref(m);
  return out;
}

gboolean emit_bool(GstElement* sink, const char* signal) {
  gboolean ok = FALSE;
  g_signal_emit_by_name(sink, signal, &ok);
  return ok;
}

}  // namespace

// The knobs a user sets reach the setup as the SDK writes them.
GST_START_TEST(test_knobs_reach_the_setup) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  gst_util_set_object_arg(G_OBJECT(sink), "media-resolution", "low");
  gst_util_set_object_arg(G_OBJECT(sink), "vad-end-sensitivity", "low");
  gst_util_set_object_arg(G_OBJECT(sink), "turn-coverage", "activity-only");
  g_object_set(sink, "vad-silence-duration-ms", 1200, "temperature", 0.25, "input-transcription-languages", "en-US",
               nullptr);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  wait_setup(*server);
  const std::string setup = server->stats().last_setup_json;
  for (const char* part :
       {R"("model":"models/gemini-3.8-live")", R"("mediaResolution":"MEDIA_RESOLUTION_LOW")", R"("temperature":0.25)",
        R"("endOfSpeechSensitivity":"END_SENSITIVITY_LOW")", R"("silenceDurationMs":1200)",
        R"("turnCoverage":"TURN_INCLUDES_ONLY_ACTIVITY")", R"("inputAudioTranscription":{"languageCodes":["en-US"]})"})
    fail_unless(contains(setup, part), "%s not in %s", part, setup.c_str());
  for (const char* absent : {"topP", "topK", "thinkingConfig", "proactivity", "enableAffectiveDialog"})
    fail_if(contains(setup, absent), "%s in %s", absent, setup.c_str());
  gst_harness_teardown(h);
}
GST_END_TEST;

// A setting the model refuses fails READY→PAUSED, naming both, and nothing
// connects.
GST_START_TEST(test_refused_setting_fails_the_start) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  gst_util_set_object_arg(G_OBJECT(sink), "thinking-level", "high");
  GstBus* bus = attach_bus(sink);
  fail_unless_equals_int(gst_element_set_state(sink, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GError* error = wait_error(bus, 1s);
  fail_unless(g_error_matches(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS));
  fail_unless(contains(error->message, "gemini-3.8-live") && contains(error->message, "thinking-level"), "%s",
              error->message);
  g_error_free(error);
  gst_element_set_state(sink, GST_STATE_NULL);
  fail_unless_equals_int(server->stats().connections, 0);
  release_bus(bus);
  gst_object_unref(sink);
}
GST_END_TEST;

// A field only Vertex AI takes fails the start on the Developer API, naming
// the property, the field and the backend; nothing connects.
GST_START_TEST(test_vertex_only_field_fails_the_start) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "setup-extra", R"({"explicitVadSignal":true})", nullptr);
  GstBus* bus = attach_bus(sink);
  fail_unless_equals_int(gst_element_set_state(sink, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GError* error = wait_error(bus, 1s);
  fail_unless(g_error_matches(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS));
  fail_unless(contains(error->message, "backend=gemini-api does not take setup-extra (explicitVadSignal)") &&
                  contains(error->message, "only Vertex AI takes it"),
              "%s", error->message);
  g_error_free(error);
  gst_element_set_state(sink, GST_STATE_NULL);
  fail_unless_equals_int(server->stats().connections, 0);
  release_bus(bus);
  gst_object_unref(sink);
}
GST_END_TEST;

// setup-extra refuses invalid JSON when set, with the parser's words.
GST_START_TEST(test_setup_extra_refused_when_set) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  g_object_set(sink, "setup-extra", "{\"seed\":", nullptr);
  const std::string warning = wait_warning(bus);
  fail_unless(contains(warning, "setup-extra is not a JSON object") && contains(warning, "invalid JSON"), "%s",
              warning.c_str());
  assert_str(string_property(sink, "setup-extra"), "(null)");
  release_bus(bus);
  gst_object_unref(sink);
}
GST_END_TEST;

// Push-to-talk: vad=false, the application marks the turn; with vad on the
// signals are refused with a warning.
GST_START_TEST(test_push_to_talk) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "vad", FALSE, nullptr);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  wait_setup(*server);
  fail_unless(contains(server->stats().last_setup_json, R"("automaticActivityDetection":{"disabled":true})"));

  fail_unless(emit_bool(h->element, "activity-start"));
  push_pcm(h, tone_pcm(0.5));
  fail_unless(emit_bool(h->element, "activity-end"));
  fail_unless(wait_received(*server, "activityEnd"), "no activityEnd on the wire");
  const auto messages = server->received_messages();
  std::size_t start = messages.size(), audio = messages.size(), end = messages.size();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (contains(messages[i], "activityStart") && start == messages.size()) start = i;
    if (contains(messages[i], "\"audio\"") && audio == messages.size()) audio = i;
    if (contains(messages[i], "activityEnd")) end = i;
  }
  fail_unless(start < audio && audio < end, "order: start %zu, audio %zu, end %zu", start, audio, end);
  assert_str(wait_field(bus, "geminilive/transcript", "direction"), "input");
  GstMessage* m = wait_message(bus, element_message("geminilive/turn-complete"));
  fail_unless(m != nullptr, "no answer to the push-to-talk turn");
  gst_message_unref(m);
  gst_harness_teardown(h);
  release_bus(bus);

  // With the service's own detection, the signals are refused in words.
  GstElement* auto_sink = make_sink(*server, "vad-on");
  GstBus* auto_bus = attach_bus(auto_sink);
  GstHarness* h2 = sink_harness(auto_sink, "audio", kAudioCaps16k);
  fail_if(emit_bool(h2->element, "activity-start"));
  fail_unless(contains(wait_warning(auto_bus), "set vad=false for push-to-talk"));
  gst_harness_teardown(h2);
  release_bus(auto_bus);
}
GST_END_TEST;

// A new system instruction while PLAYING goes out as a contextUpdate on
// gemini-3.8-live, in order with the input.
GST_START_TEST(test_instruction_change_while_playing) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "system-instruction", "Be brief.", nullptr);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  gst_harness_push(h, gst_buffer_new_memdup("first", 5));
  fail_unless(wait_received(*server, R"("text":"first")"));
  g_object_set(h->element, "system-instruction", "Answer in French.", nullptr);
  gst_harness_push(h, gst_buffer_new_memdup("second", 6));
  fail_unless(wait_received(*server, R"("text":"second")"));
  const auto updates = received_of(*server, "contextUpdate");
  fail_unless_equals_int(updates.size(), 1);
  assert_str(updates[0],
             R"({"contextUpdate":{"systemInstruction":{"parts":[{"text":"Answer in French."}],"role":"user"}}})");
  // The update came between the two texts.
  const auto all = server->received_messages();
  std::size_t first = 0, update = 0, second = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (contains(all[i], R"("text":"first")")) first = i;
    if (contains(all[i], "contextUpdate")) update = i;
    if (contains(all[i], R"("text":"second")")) second = i;
  }
  fail_unless(first < update && update < second);
  // Setting the same value again sends nothing.
  g_object_set(h->element, "system-instruction", "Answer in French.", nullptr);
  g_usleep(100 * 1000);
  fail_unless_equals_int(received_of(*server, "contextUpdate").size(), 1);
  gst_harness_teardown(h);
}
GST_END_TEST;

// A model without contextUpdate: the change rides a new connection's setup,
// which resumes the conversation; no input is lost or sent twice.
GST_START_TEST(test_instruction_change_by_reconnecting) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "model", "gemini-2.5-flash-native-audio-preview-12-2025", nullptr);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  gst_harness_push(h, gst_buffer_new_memdup("first", 5));
  // Once the answer is in, the service has sent a resumable handle.
  fail_unless(server->wait_for([](const ServerStats& s) { return s.turns_completed == 1; }, kWait));
  g_object_set(h->element, "system-instruction", "Answer in French.", nullptr);
  gst_harness_push(h, gst_buffer_new_memdup("second", 6));
  GstMessage* m = wait_message(bus, element_message("geminilive/context-updated"));
  fail_unless(m != nullptr, "no geminilive/context-updated");
  gboolean reconnected = FALSE, resumed = FALSE;
  gst_structure_get_boolean(gst_message_get_structure(m), "reconnected", &reconnected);
  gst_structure_get_boolean(gst_message_get_structure(m), "resumed", &resumed);
  fail_unless(reconnected && resumed);
  gst_message_unref(m);
  fail_unless(wait_received(*server, R"("text":"second")"));
  const ServerStats stats = server->stats();
  fail_unless_equals_int(stats.connections, 2);
  fail_unless_equals_int(stats.resumed, 1);
  fail_unless(contains(stats.last_setup_json, "Answer in French.") && contains(stats.last_setup_json, "\"handle\""),
              "%s", stats.last_setup_json.c_str());
  fail_unless(received_of(*server, "contextUpdate").empty());
  std::size_t seconds = 0;
  for (const auto& text : stats.texts) seconds += text == "second";
  fail_unless_equals_int(seconds, 1);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

// send-content: a conversation turn with its role; refused where the model
// takes turns only as history.
GST_START_TEST(test_send_content) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  gboolean sent = FALSE;
  g_signal_emit_by_name(h->element, "send-content", "model", "I said hello.", FALSE, &sent);
  fail_unless(sent);
  g_signal_emit_by_name(h->element, "send-content", "user", "What did you say?", TRUE, &sent);
  fail_unless(sent);
  fail_unless(wait_received(*server, "What did you say?"));
  const auto contents = received_of(*server, "clientContent");
  fail_unless_equals_int(contents.size(), 2);
  assert_str(
      contents[0],
      R"({"clientContent":{"turns":[{"parts":[{"text":"I said hello."}],"role":"model"}],"turnComplete":false}})");
  assert_str(
      contents[1],
      R"({"clientContent":{"turns":[{"parts":[{"text":"What did you say?"}],"role":"user"}],"turnComplete":true}})");
  g_signal_emit_by_name(h->element, "send-content", "narrator", "x", TRUE, &sent);
  fail_if(sent);
  gst_harness_teardown(h);

  GstElement* legacy = make_sink(*server, "legacy");
  g_object_set(legacy, "model", "gemini-3.1-flash-live-preview", nullptr);
  GstBus* bus = attach_bus(legacy);
  GstHarness* h2 = sink_harness(legacy, "text", kTextCaps);
  g_signal_emit_by_name(h2->element, "send-content", "user", "Hi", TRUE, &sent);
  fail_if(sent);
  fail_unless(
      contains(wait_warning(bus), "gemini-3.1-flash-live-preview takes conversation turns only as initial history"));
  gst_harness_teardown(h2);
  release_bus(bus);
}
GST_END_TEST;

// What the service says beyond the answer reaches the bus: search queries
// and sources, code and its result, voice activity, interaction status.
GST_START_TEST(test_service_extras_as_messages) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  wait_setup(*server);
  server->send_raw(
      R"j({"serverContent":{"modelTurn":{"parts":[{"executableCode":{"language":"PYTHON","code":"print(6*7)"}},)j"
      R"({"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"42\n"}}]},)"
      R"("groundingMetadata":{"webSearchQueries":["weather berlin","berlin forecast"],)"
      R"("groundingChunks":[{"web":{"uri":"https://example.com/w","title":"Weather"}}]},)"
      R"("urlContextMetadata":{"urlMetadata":[{"retrievedUrl":"https://example.com/","urlRetrievalStatus":"URL_RETRIEVAL_STATUS_SUCCESS"}]},)"
      R"("turnComplete":true,"interactionStatus":"IDLE","waitingForInput":true}})",
      true);
  server->send_raw(R"({"voiceActivity":{"type":"ACTIVITY_START","audioOffset":"1.5s"}})", true);
  assert_str(wait_field(bus, "geminilive/executable-code", "code"), "print(6*7)");
  assert_str(wait_field(bus, "geminilive/code-execution-result", "output"), "42\n");
  GstMessage* m = wait_message(bus, element_message("geminilive/grounding"));
  fail_unless(m != nullptr);
  const GstStructure* s = gst_message_get_structure(m);
  assert_str(gst_structure_get_string(s, "queries"), "weather berlin\nberlin forecast");
  assert_str(gst_structure_get_string(s, "sources"), "Weather <https://example.com/w>");
  gst_message_unref(m);
  assert_str(wait_field(bus, "geminilive/url-context", "urls"), "https://example.com/ URL_RETRIEVAL_STATUS_SUCCESS");
  m = wait_message(bus, element_message("geminilive/waiting-for-input"));
  fail_unless(m != nullptr);
  gst_message_unref(m);  // a message holds its element
  assert_str(wait_field(bus, "geminilive/interaction-status", "status"), "IDLE");
  m = wait_message(bus, element_message("geminilive/voice-activity"));
  fail_unless(m != nullptr);
  s = gst_message_get_structure(m);
  assert_str(gst_structure_get_string(s, "type"), "start");
  guint64 offset = 0;
  fail_unless(gst_structure_get_uint64(s, "audio-offset", &offset));
  fail_unless_equals_uint64(offset, 1500 * GST_MSECOND);
  gst_message_unref(m);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

// The service withdraws a call: the tool-call-cancelled signal, and a late
// response is dropped.
struct Cancelled {
  std::mutex mutex;
  std::string ids;  // "id;" per signal
  static void on_signal(GstElement*, const gchar* id, gpointer data) {
    auto* self = static_cast<Cancelled*>(data);
    std::lock_guard<std::mutex> lock(self->mutex);
    self->ids.append(id).append(";");
  }
  // The signal follows the bus message, on the session's thread.
  std::string wait_for(const std::string& want) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (ids == want) break;
      }
      g_usleep(10 * 1000);
    }
    std::lock_guard<std::mutex> lock(mutex);
    return ids;
  }
};

GST_START_TEST(test_tool_call_cancelled) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "tools", R"([{"name":"lookup"}])", nullptr);
  Cancelled cancelled;
  g_signal_connect(sink, "tool-call-cancelled", G_CALLBACK(Cancelled::on_signal), &cancelled);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  wait_setup(*server);
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"c1","name":"lookup"},{"id":"c2","name":"lookup"}]}})", true);
  server->send_raw(R"({"toolCallCancellation":{"ids":["c1"]}})", true);
  assert_str(wait_field(bus, "geminilive/tool-call-cancelled", "ids"), "c1");
  assert_str(cancelled.wait_for("c1;"), "c1;");
  gboolean sent = TRUE;
  g_signal_emit_by_name(h->element, "send-tool-response", "c1", "lookup", R"({"output":1})", nullptr, FALSE, &sent);
  fail_if(sent, "a response to a cancelled call was sent");
  g_signal_emit_by_name(h->element, "send-tool-response", "c2", "lookup", R"({"output":2})", "silent", TRUE, &sent);
  fail_unless(sent);
  fail_unless(wait_received(*server, R"("id":"c2")"));
  fail_unless_equals_int(received_of(*server, "toolResponse").size(), 1);
  assert_str(received_of(*server, "toolResponse")[0],
             R"({"toolResponse":{"functionResponses":[{"id":"c2","name":"lookup","response":{"output":2},)"
             R"("scheduling":"SILENT","willContinue":true}]}})");
  g_signal_emit_by_name(h->element, "send-tool-response", "c2", "lookup", "{}", "later", FALSE, &sent);
  fail_if(sent);
  fail_unless(contains(wait_warning(bus), "scheduling must be"));
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

// A call left unanswered gets an error response after tool-timeout, and a
// WARNING; the application's late answer is dropped.
GST_START_TEST(test_tool_timeout) {
  auto server = start_server(at_once());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "tools", R"([{"name":"lookup"}])", "tool-timeout", 1u, nullptr);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  wait_setup(*server);
  const gint64 sent_at = g_get_monotonic_time();
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"slow","name":"lookup"}]}})", true);
  fail_unless(wait_received(*server, R"("id":"slow")", 5s), "no error response");
  const gint64 waited_ms = (g_get_monotonic_time() - sent_at) / 1000;
  fail_unless(waited_ms >= 900, "answered after %" G_GINT64_FORMAT " ms", waited_ms);
  const auto responses = received_of(*server, "toolResponse");
  fail_unless_equals_int(responses.size(), 1);
  fail_unless(contains(responses[0], R"("response":{"error":)"), "%s", responses[0].c_str());
  fail_unless(contains(wait_warning(bus), "had no response within 1 s"));
  gboolean sent = TRUE;
  g_signal_emit_by_name(h->element, "send-tool-response", "slow", "lookup", R"({"output":1})", nullptr, FALSE, &sent);
  fail_if(sent, "the late response was sent");
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

static Suite* elements_live_api_suite(void) {
  Suite* s = suite_create("elements_live_api");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_knobs_reach_the_setup);
  tcase_add_test(tc, test_refused_setting_fails_the_start);
  tcase_add_test(tc, test_vertex_only_field_fails_the_start);
  tcase_add_test(tc, test_setup_extra_refused_when_set);
  tcase_add_test(tc, test_push_to_talk);
  tcase_add_test(tc, test_instruction_change_while_playing);
  tcase_add_test(tc, test_instruction_change_by_reconnecting);
  tcase_add_test(tc, test_send_content);
  tcase_add_test(tc, test_service_extras_as_messages);
  tcase_add_test(tc, test_tool_call_cancelled);
  tcase_add_test(tc, test_tool_timeout);
  return s;
}

GST_CHECK_MAIN(elements_live_api);
