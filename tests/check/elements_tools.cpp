// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink's function calling as a user sees it, against the local
// Live server: the tools property in the setup, the tool-call signal and bus
// messages, send-tool-response on the wire and in the reply, and the errors.
// Registered in the elements_sink suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "check_util.h"
#include "elements_util.h"
#include "turn_input.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
using namespace std::chrono_literals;

namespace {

constexpr char kTextCaps[] = "text/x-raw,format=utf8";

// As a user writes it (members in the order the encoder writes them, so the
// setup holds these very bytes). BLOCKING: the model waits for the answer
// (gemini-3.8-live's own default is NON_BLOCKING).
constexpr char kSaveNote[] =
    R"({"name":"save_note","description":"Saves a note.","parameters":{"type":"OBJECT",)"
    R"("properties":{"text":{"type":"STRING","description":"The note."}},"required":["text"]},"behavior":"BLOCKING"})";

ServerOptions calls(const char* function) {
  ServerOptions o;
  o.reply_speed = 0;  // whole replies at once
  o.tool_call = function;
  return o;
}

// What the tool-call signal handler saw, and an answer it may give at once.
struct Calls {
  struct Call {
    std::string id, name, args;
  };
  std::mutex mutex;
  std::condition_variable cond;
  std::vector<Call> seen;
  std::string answer_now;  // a response_json to send from the handler; empty: none
  bool answered_now = false;

  static void on_tool_call(GstElement* sink, const gchar* id, const gchar* name, const gchar* args, gpointer data) {
    auto* self = static_cast<Calls*>(data);
    std::string answer;
    {
      std::lock_guard<std::mutex> lock(self->mutex);
      self->seen.push_back({id, name, args});
      answer = self->answer_now;
    }
    gboolean sent = FALSE;
    if (!answer.empty())
      g_signal_emit_by_name(sink, "send-tool-response", id, name, answer.c_str(), nullptr, FALSE, &sent);
    {
      std::lock_guard<std::mutex> lock(self->mutex);
      self->answered_now |= sent;
    }
    self->cond.notify_all();
  }

  Call wait(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    fail_unless(cond.wait_for(lock, kWait, [&] { return seen.size() >= n; }), "tool-call %zu was not emitted", n);
    return seen[n - 1];
  }
};

// A sink that declares save_note.
GstElement* save_note_sink(const LiveServer& server) {
  GstElement* sink = make_sink(server);
  g_object_set(sink, "tools", kSaveNote, nullptr);
  return sink;
}

// The text harness of a save_note_sink whose tool-call signals `calls`
// records; *bus is its bus, attached (release_bus() it).
GstHarness* tool_call_harness(const LiveServer& server, Calls* calls, GstBus** bus) {
  GstElement* sink = save_note_sink(server);
  g_signal_connect(sink, "tool-call", G_CALLBACK(Calls::on_tool_call), calls);
  *bus = attach_bus(sink);
  return sink_harness(sink, "text", kTextCaps);
}

// The fields of the next geminilive/tool-call message.
Calls::Call wait_tool_call_message(GstBus* bus) {
  GstMessage* m = wait_message(bus, element_message("geminilive/tool-call"));
  fail_unless(m != nullptr, "no geminilive/tool-call message");
  const GstStructure* s = gst_message_get_structure(m);
  for (const char* field : {"id", "name", "args"})
    fail_unless(gst_structure_has_field_typed(s, field, G_TYPE_STRING), "no string field %s", field);
  Calls::Call call{gst_structure_get_string(s, "id"), gst_structure_get_string(s, "name"),
                   gst_structure_get_string(s, "args")};
  gst_message_unref(m);
  return call;
}

gboolean send_tool_response(GstElement* sink, const char* id, const char* name, const char* response) {
  gboolean sent = FALSE;
  g_signal_emit_by_name(sink, "send-tool-response", id, name, response, nullptr, FALSE, &sent);
  return sent;
}

// The model's spoken answer (output transcript) up to its turn-complete.
std::string wait_answer(GstBus* bus) {
  std::string said;
  GstMessage* m = collect_said(bus, &said, element_message("geminilive/turn-complete"));
  fail_unless(m != nullptr, "the turn did not complete; the model said so far: %s", said.c_str());
  gst_message_unref(m);
  return said;
}

// The reply the local server gives to `text` once `function` returned `response`.
std::string reply_with_result(const char* text, const char* function, const char* response) {
  mock::TurnInput turn;
  turn.add_text(text);
  turn.tool_name = function;
  turn.tool_response_json = response;
  return mock::reply_text(turn);
}

std::size_t count_containing(const std::vector<std::string>& messages, const std::string& part) {
  return static_cast<std::size_t>(
      std::count_if(messages.begin(), messages.end(), [&](const std::string& m) { return contains(m, part); }));
}

// Sets `tools`, then READY→PAUSED; returns the ERROR's GError (start failed).
GError* start_error(GstElement* sink, GstBus* bus, const std::string& tools) {
  g_object_set(sink, "tools", tools.c_str(), nullptr);
  fail_unless_equals_int(gst_element_set_state(sink, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GError* error = wait_error(bus, 1s);
  gst_element_set_state(sink, GST_STATE_NULL);
  fail_unless(g_error_matches(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS), "%s: %s",
              g_quark_to_string(error->domain), error->message);
  return error;
}

}  // namespace

GST_START_TEST(test_tools_property) {
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  fail_unless(sink != nullptr);
  assert_str(string_property(sink, "tools"), "(null)");
  g_object_set(sink, "tools", kSaveNote, nullptr);
  assert_str(string_property(sink, "tools"), kSaveNote);
  g_object_set(sink, "tools", "", nullptr);
  assert_str(string_property(sink, "tools"), "(null)");
  GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "tools");
  // A running session takes new tools (contextUpdate, or a resumed connection).
  fail_unless(spec->flags & GST_PARAM_MUTABLE_PLAYING);
  gst_object_unref(sink);
}
GST_END_TEST;

GST_START_TEST(test_tools_reach_the_setup) {
  auto server = start_server(calls("save_note"));

  // Inline: an array of declarations becomes one functionDeclarations tool.
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "tools", (std::string(" \n[") + kSaveNote + "]").c_str(), nullptr);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  std::string setup = server->stats().last_setup_json;
  fail_unless(contains(setup, std::string(R"("tools":[{"functionDeclarations":[)") + kSaveNote + "]}]"), "%s",
              setup.c_str());
  gst_harness_teardown(h);

  // From a file, in the setup's own shape, snake_case, with a second tool.
  TempDir dir;
  const std::string path = dir.write(
      "tools.json", R"([{"function_declarations":[{"name":"get_time","parameters_json_schema":{"type":"object"}}]},)"
                    "\n"
                    R"( {"google_search":{}}])");
  sink = make_sink(*server);
  g_object_set(sink, "tools", path.c_str(), nullptr);
  h = sink_harness(sink, "text", kTextCaps);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 2; }, kWait));
  setup = server->stats().last_setup_json;
  fail_unless(contains(setup, R"("tools":[{"functionDeclarations":[{"name":"get_time","parametersJsonSchema":)"
                              R"({"type":"object"}}]},{"googleSearch":{}}])"),
              "%s", setup.c_str());
  gst_harness_teardown(h);

  // One declaration alone.
  h = sink_harness(save_note_sink(*server), "text", kTextCaps);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 3; }, kWait));
  setup = server->stats().last_setup_json;
  fail_unless(contains(setup, std::string(R"("tools":[{"functionDeclarations":[)") + kSaveNote + "]}]"), "%s",
              setup.c_str());
  gst_harness_teardown(h);

  // None: no tools in the setup.
  h = sink_harness(make_sink(*server), "text", kTextCaps);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 4; }, kWait));
  fail_if(contains(server->stats().last_setup_json, "tools"), "%s", server->stats().last_setup_json.c_str());
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_tool_call_and_response) {
  auto server = start_server(calls("save_note"));
  Calls calls;
  GstBus* bus = nullptr;
  GstHarness* h = tool_call_harness(*server, &calls, &bus);

  // The model calls the function with the turn's text, and waits.
  gst_harness_push(h, gst_buffer_new_memdup("Buy milk", 8));
  const Calls::Call message = wait_tool_call_message(bus);
  assert_str(message.id, "function-call-1");
  assert_str(message.name, "save_note");
  assert_str(message.args, R"({"text":"Buy milk"})");
  const Calls::Call signalled = calls.wait(1);
  assert_str(signalled.id, message.id);
  assert_str(signalled.name, message.name);
  assert_str(signalled.args, message.args);
  g_usleep(100 * 1000);
  fail_unless_equals_int(server->stats().turns_completed, 0);

  // Answered later, from this thread: the server gets the response as the
  // SDK sends it, and the reply uses it.
  fail_unless(send_tool_response(h->element, "function-call-1", "save_note", R"({"output": "note 7 saved"})"));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.tool_responses == 1; }, kWait));
  fail_unless_equals_int(
      count_containing(server->received_messages(),
                       R"({"toolResponse":{"functionResponses":[{"id":"function-call-1","name":"save_note",)"
                       R"("response":{"output":"note 7 saved"}}]}})"),
      1);
  assert_str(wait_answer(bus), reply_with_result("Buy milk", "save_note", R"({"output":"note 7 saved"})"));

  // Answered at once, from the handler (the session's thread).
  {
    std::lock_guard<std::mutex> lock(calls.mutex);
    calls.answer_now = R"({"output":"done"})";
  }
  gst_harness_push(h, gst_buffer_new_memdup("Call mom", 8));
  const Calls::Call second = calls.wait(2);
  assert_str(second.id, "function-call-2");
  assert_str(second.args, R"({"text":"Call mom"})");
  assert_str(wait_answer(bus), reply_with_result("Call mom", "save_note", R"({"output":"done"})"));
  {
    std::lock_guard<std::mutex> lock(calls.mutex);
    fail_unless(calls.answered_now);
  }
  fail_unless_equals_int(server->stats().tool_responses, 2);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_tool_call_edge_cases_and_cancellation) {
  auto server = start_server(calls("save_note"));
  Calls calls;
  GstBus* bus = nullptr;
  GstHarness* h = tool_call_harness(*server, &calls, &bus);
  GstMessage* m = wait_message(bus, element_message("geminilive/setup-complete"));
  fail_unless(m != nullptr);
  gst_message_unref(m);

  // Two calls in one message: one without an id (Vertex), one without args.
  server->send_raw(R"({"toolCall":{"functionCalls":[{"name":"save_note","args":{"text":"a","n":[1,2.5]}},)"
                   R"({"id":"call-b","name":"save_note"}]}})",
                   true);
  Calls::Call first = wait_tool_call_message(bus);
  assert_str(first.id, "");
  assert_str(first.args, R"({"text":"a","n":[1,2.5]})");
  Calls::Call second = wait_tool_call_message(bus);
  assert_str(second.id, "call-b");
  assert_str(second.args, "{}");
  assert_str(calls.wait(2).args, "{}");
  assert_str(calls.wait(1).id, "");

  server->send_raw(R"({"toolCallCancellation":{"ids":["call-a","call-b"]}})", true);
  m = wait_message(bus, element_message("geminilive/tool-call-cancelled"));
  fail_unless(m != nullptr, "no geminilive/tool-call-cancelled");
  assert_str(gst_structure_get_string(gst_message_get_structure(m), "ids"), "call-a,call-b");
  gst_message_unref(m);

  // New input while the server's own call is pending cancels it.
  gst_harness_push(h, gst_buffer_new_memdup("first", 5));
  assert_str(wait_tool_call_message(bus).id, "function-call-1");
  gst_harness_push(h, gst_buffer_new_memdup("second", 6));
  m = wait_message(bus, element_message("geminilive/tool-call-cancelled"));
  fail_unless(m != nullptr, "no geminilive/tool-call-cancelled");
  assert_str(gst_structure_get_string(gst_message_get_structure(m), "ids"), "function-call-1");
  gst_message_unref(m);
  assert_str(wait_tool_call_message(bus).id, "function-call-2");
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_bad_tools_values_fail_the_start) {
  auto server = start_server(calls("save_note"));
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  TempDir dir;

  GError* error = start_error(sink, bus, R"([{"description":"Saves a note."}])");
  assert_str(error->message,
             "The tools property is not valid function declarations: $[0].name: a function declaration needs a name");
  g_error_free(error);

  error = start_error(sink, bus, R"([{"name":"save_note",}])");
  fail_unless(g_str_has_prefix(error->message, "The tools property is not valid function declarations: invalid JSON"),
              "%s", error->message);
  g_error_free(error);

  error = start_error(sink, bus, R"({"name":"save_note","params":{}})");
  fail_unless(g_str_has_prefix(error->message,
                               "The tools property is not valid function declarations: $.params: "
                               "not a field of a function declaration"),
              "%s", error->message);
  g_error_free(error);

  const std::string missing = dir.file("missing.json");
  error = start_error(sink, bus, missing);
  fail_unless(g_str_has_prefix(error->message, "Cannot read the tools file: "), "%s", error->message);
  fail_unless(contains(error->message, missing), "%s", error->message);
  g_error_free(error);

  error = start_error(sink, bus, "/");  // a directory
  fail_unless(g_str_has_prefix(error->message, "Cannot read the tools file: "), "%s", error->message);
  g_error_free(error);

  const std::string bad = dir.write("bad.json", R"({"functionDeclarations":[{"name":"f"},{"parameters":{}}]})");
  error = start_error(sink, bus, bad);
  assert_str(error->message, "The tools file \"" + bad +
                                 "\" does not hold valid function declarations: "
                                 "$.functionDeclarations[1].name: a function declaration needs a name");
  g_error_free(error);
  fail_unless_equals_int(server->stats().connections, 0);

  // Fixed, the same sink starts.
  g_object_set(sink, "tools", kSaveNote, nullptr);
  fail_unless(gst_element_set_state(sink, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  gst_element_set_state(sink, GST_STATE_NULL);
  release_bus(bus);
  gst_object_unref(sink);
}
GST_END_TEST;

GST_START_TEST(test_send_tool_response_refusals) {
  auto server = start_server(calls("save_note"));
  GstElement* sink = save_note_sink(*server);
  // Not running.
  fail_if(send_tool_response(sink, "function-call-1", "save_note", R"({"output":"x"})"));

  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "text", kTextCaps);
  gst_harness_push(h, gst_buffer_new_memdup("Buy milk", 8));
  const Calls::Call call = wait_tool_call_message(bus);

  // Not a JSON object: refused, with a warning saying why.
  for (const char* response :
       {"note saved", "[1]", "\"saved\"", "", "{\"output\":", static_cast<const char*>(nullptr)}) {
    fail_if(send_tool_response(h->element, call.id.c_str(), call.name.c_str(), response), "%s",
            response ? response : "NULL");
    const std::string warning = wait_warning(bus);
    fail_unless(contains(warning,
                         "The response to tool call \"function-call-1\" was not sent: the response must be a "
                         "JSON object"),
                "%s", warning.c_str());
  }
  fail_if(send_tool_response(h->element, call.id.c_str(), "", R"({"output":"x"})"));
  fail_unless(contains(wait_warning(bus), "no function name"));
  g_usleep(100 * 1000);
  fail_unless_equals_int(server->stats().tool_responses, 0);
  fail_unless_equals_int(count_containing(server->received_messages(), "toolResponse"), 0);
  gst_harness_teardown(h);
  release_bus(bus);

  // The session failed (a refused key).
  ServerOptions o = calls("save_note");
  o.api_key = "the-right-key";
  server = start_server(o);
  sink = make_sink(*server);
  bus = attach_bus(sink);
  h = sink_harness(sink, "text", kTextCaps);
  GError* error = wait_error(bus);
  g_error_free(error);
  fail_if(send_tool_response(h->element, "function-call-1", "save_note", R"({"output":"x"})"));
  fail_unless(contains(wait_warning(bus), "the session has failed"));
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

static Suite* elements_tools_suite() {
  Suite* s = suite_create("elements_tools");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_tools_property);
  tcase_add_test(tc, test_tools_reach_the_setup);
  tcase_add_test(tc, test_tool_call_and_response);
  tcase_add_test(tc, test_tool_call_edge_cases_and_cancellation);
  tcase_add_test(tc, test_bad_tools_values_fail_the_start);
  tcase_add_test(tc, test_send_tool_response_refusals);
  return s;
}

GST_CHECK_MAIN(elements_tools);
