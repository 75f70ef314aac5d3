// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveSession's context changes, history and function calls, against the
// in-process Live server: the tool-call tracker, a context update in order
// with the audio, history before anything else, responses to cancelled
// calls dropped and calls that time out answered with an error. Part of the
// session suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "session/live_session.h"
#include "session/tool_calls.h"
#include "session_util.h"

using namespace geminilive::testing;
using namespace geminilive::session;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

namespace {

// The client frames the server received of one kind ("toolResponse", ...), in order.
std::vector<std::string> received_of_kind(const LiveServer& server, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& text : server.received_messages()) {
    auto m = protocol::decode_client_message(text);
    if (m && kind == protocol::client_message_kind(m.value())) out.push_back(text);
  }
  return out;
}

protocol::FunctionResponse function_response(const std::string& id, const std::string& name, const char* json) {
  protocol::FunctionResponse r;
  r.id = id;
  r.name = name;
  r.response = protocol::JsonValue::parse(json).value();
  return r;
}

bool is_tool_call(const protocol::ServerMessage& m) { return m.tool_call.has_value(); }

}  // namespace

// ---- context changes, function calls, history ----

GST_START_TEST(test_tool_calls_tracker) {
  using Verdict = ToolCalls::Verdict;
  const auto t0 = ToolCalls::Clock::now();
  ToolCalls calls(1500ms);
  protocol::ToolCall call;
  call.function_calls = {{"a", "lookup", {}}, {"b", "lookup", {}}, {"", "vertex_call", {}}};
  calls.called(call, 0, t0);
  fail_unless_equals_int(calls.open_calls(), 2);  // an id-less call is not tracked
  fail_unless(calls.next_deadline() == t0 + 1500ms);

  // willContinue keeps the call open; the final response closes it.
  protocol::FunctionResponse r = function_response("a", "lookup", R"({"output":"partial"})");
  r.will_continue = true;
  fail_unless(calls.respond(r) == Verdict::Send);
  fail_unless_equals_int(calls.open_calls(), 2);
  r.will_continue.reset();
  fail_unless(calls.respond(r) == Verdict::Send);
  fail_unless_equals_int(calls.open_calls(), 1);

  // Cancelled by the service: refused from then on.
  calls.cancelled({"b"});
  fail_unless(calls.respond(function_response("b", "lookup", "{}")) == Verdict::Cancelled);
  fail_unless(!calls.next_deadline());
  // An id the session never saw goes out.
  fail_unless(calls.respond(function_response("zzz", "lookup", "{}")) == Verdict::Send);

  // The timeout closes a call at its deadline, not before.
  protocol::ToolCall late;
  late.function_calls = {{"c", "save_note", {}}};
  calls.called(late, 0, t0);
  fail_unless(calls.expire(t0 + 1499ms).empty());
  auto expired = calls.expire(t0 + 1500ms);
  fail_unless_equals_int64(expired.size(), 1);
  assert_str(expired[0].id, "c");
  assert_str(expired[0].name, "save_note");
  fail_unless(calls.respond(function_response("c", "save_note", "{}")) == Verdict::TimedOut);
  const protocol::FunctionResponse error = calls.timeout_response(expired[0]);
  assert_str(error.id, "c");
  assert_str(error.name, "save_note");
  assert_str(error.response.to_string(), R"({"error":"No response from the application within 1.5 s."})");

  // A new connection holds a call only when it resumed at a handle issued after it.
  protocol::ToolCall d, e;
  d.function_calls = {{"d", "lookup", {}}};
  e.function_calls = {{"e", "lookup", {}}};
  calls.called(d, 3, t0);
  calls.called(e, 4, t0);
  auto lost = calls.moved(true, 4);  // the handle numbered 4 came after d, not after e
  fail_unless_equals_int64(lost.size(), 1);
  assert_str(lost[0].id, "e");
  fail_unless(calls.respond(function_response("e", "lookup", "{}")) == Verdict::Abandoned);
  lost = calls.moved(false, 9);  // a fresh conversation holds none
  fail_unless_equals_int64(lost.size(), 1);
  assert_str(lost[0].id, "d");

  assert_str(seconds_text(60000ms), "60");
  assert_str(seconds_text(300ms), "0.3");
  ToolCalls never(0ms);
  never.called(d, 0, t0);
  fail_unless(!never.next_deadline());
  fail_unless(never.expire(t0 + std::chrono::hours(24)).empty());
}
GST_END_TEST;

GST_START_TEST(test_context_update_in_order_with_audio) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.context_update = true; });
  auto& [server, events, session] = l;
  const std::string first = quiet_pcm(640, 1), second = quiet_pcm(640, 2);
  ContextChange change;
  change.system_instruction = protocol::Content::from_text("Now answer in French.", "user");
  change.tools = std::vector<protocol::Tool>{};  // clears them
  session->send(audio(first));
  session->update_context(change);
  session->send(audio(second));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes == 1280; }, kWait));

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 4);
  assert_str(received[1], protocol::encode_client_message(audio(first)));
  assert_str(received[2],
             protocol::encode_client_message(protocol::ContextUpdate{change.system_instruction, change.tools}));
  assert_str(received[2], R"({"contextUpdate":{"systemInstruction":{"parts":[{"text":"Now answer in French."}],)"
                          R"("role":"user"},"tools":{"tools":[]}}})");
  assert_str(received[3], protocol::encode_client_message(audio(second)));
  const Event applied = events->wait_event(Event::Type::ContextChanged);
  fail_unless(!applied.context.reconnected);
  // One connection: no switch was needed.
  fail_unless_equals_int(server->stats().connections, 1);
  fail_unless(session->state() == SessionState::Ready);
  fail_unless(events->warnings().empty(), "warning: %s", events->warnings().at(0).c_str());
}
GST_END_TEST;

GST_START_TEST(test_history_goes_first) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.history = {protocol::Content::from_text("My name is Ada.", "user"),
                    protocol::Content::from_text("Hello Ada.", "model")};
  config.setup.history_config = protocol::HistoryConfig{true};
  auto session = LiveSession::create(config, events);
  const std::string pcm = quiet_pcm(3200, 3);
  session->send(audio(pcm));  // held until setupComplete: after the history
  session->start();
  events->wait_state(SessionState::Ready);
  session->send(audio(pcm));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes == 6400; }, kWait));

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 4);
  protocol::ClientContent history;
  history.turns = config.history;
  history.turn_complete = true;
  assert_str(received[1], protocol::encode_client_message(history));
  assert_str(received[2], protocol::encode_client_message(audio(pcm)));
  assert_str(received[3], protocol::encode_client_message(audio(pcm)));
  // The history asks for no answer: without audio's end, the input is over at once.
  const auto ended = std::chrono::steady_clock::now();
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  fail_unless(std::chrono::steady_clock::now() - ended < 2s, "the session waited for an answer to the history");
}
GST_END_TEST;

GST_START_TEST(test_cancelled_tool_call_response_is_dropped) {
  Live l = ready_session();
  auto& [server, events, session] = l;
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"call-1","name":"lookup","args":{}},)"
                   R"({"id":"call-2","name":"lookup","args":{}}]}})",
                   false);
  events->wait_message(is_tool_call);
  server->send_raw(R"({"toolCallCancellation":{"ids":["call-1"]}})", false);
  events->wait_message([](const protocol::ServerMessage& m) { return m.tool_call_cancellation.has_value(); });

  fail_if(session->send_tool_response(function_response("call-1", "lookup", R"({"output":"too late"})")));
  const protocol::FunctionResponse answer = function_response("call-2", "lookup", R"({"output":"found"})");
  fail_unless(session->send_tool_response(answer));
  fail_unless(poll_until([&] { return !received_of_kind(*server, "toolResponse").empty(); }));
  g_usleep(100 * 1000);
  const auto responses = received_of_kind(*server, "toolResponse");
  fail_unless_equals_int64(responses.size(), 1);
  assert_str(responses[0], protocol::encode_client_message(protocol::ToolResponse{{answer}}));
  // A debug line, not a warning.
  fail_unless(events->warnings().empty(), "warning: %s", events->warnings().at(0).c_str());
}
GST_END_TEST;

GST_START_TEST(test_tool_timeout_answers_with_an_error) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.tool_timeout = 300ms; });
  auto& [server, events, session] = l;
  const auto called = std::chrono::steady_clock::now();
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"call-7","name":"save_note","args":{"text":"milk"}}]}})",
                   false);
  events->wait_warning("The tool call call-7 (save_note) had no response within 0.3 s; the model was told it failed.");
  fail_unless(std::chrono::steady_clock::now() - called >= 300ms);
  fail_unless(poll_until([&] { return !received_of_kind(*server, "toolResponse").empty(); }));
  assert_str(received_of_kind(*server, "toolResponse").at(0),
             R"({"toolResponse":{"functionResponses":[{"id":"call-7","name":"save_note",)"
             R"("response":{"error":"No response from the application within 0.3 s."}}]}})");

  // The application's late answer is dropped.
  fail_if(session->send_tool_response(function_response("call-7", "save_note", R"({"output":"saved"})")));
  // An answered call does not time out.
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"call-8","name":"save_note","args":{}}]}})", false);
  fail_unless(events->wait([](const auto& all) {
    int calls = 0;
    for (const auto& e : all) calls += e.type == Event::Type::Message && e.message.tool_call;
    return calls == 2;
  }));
  fail_unless(session->send_tool_response(function_response("call-8", "save_note", R"({"output":"saved"})")));
  g_usleep(600 * 1000);
  const auto responses = received_of_kind(*server, "toolResponse");
  fail_unless_equals_int64(responses.size(), 2);
  fail_unless(contains(responses[1], R"("output":"saved")"));
  fail_unless_equals_int64(events->warnings().size(), 1);
}
GST_END_TEST;

static Suite* session_context_suite() {
  Suite* s = suite_create("session_context");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_tool_calls_tracker);
  tcase_add_test(tc, test_context_update_in_order_with_audio);
  tcase_add_test(tc, test_history_goes_first);
  tcase_add_test(tc, test_cancelled_tool_call_response_is_dropped);
  tcase_add_test(tc, test_tool_timeout_answers_with_an_error);
  return s;
}

GST_CHECK_MAIN(session_context);
