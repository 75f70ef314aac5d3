// SPDX-License-Identifier: LGPL-2.1-or-later
// The local Live server's tool calls as a client sees them: the call and
// its response, the declaration it needs, NON_BLOCKING calls and the
// scheduling of their responses during a reply, cancelled calls, built-in
// tools (search, code execution) and the interaction status of extended
// thinking. Part of the server suite (tests/check/meson.build); the helpers
// are in server_util.h.
#include <gst/check/gstcheck.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "server_util.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

// ---- tools ----

GST_START_TEST(test_tool_call_flow) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);
  protocol::FunctionDeclaration decl;
  decl.name = "get_weather";
  decl.parameters = protocol::JsonValue::parse(
                        R"({"type":"OBJECT","properties":{"location":{"type":"STRING"},"days":{"type":"INTEGER"}}})")
                        .value();
  s.tools.push_back(protocol::Tool{});
  s.tools[0].function_declarations.push_back(decl);
  c.start_session(s);

  c.send(protocol::RealtimeInput::with_text("Weather in Paris?"));
  std::size_t at = c.wait_message([](const protocol::ServerMessage& m) { return m.tool_call.has_value(); }, 1);
  auto call = c.message(at).tool_call->function_calls.at(0);
  assert_str(call.id.c_str(), "function-call-1");
  assert_str(call.name.c_str(), "get_weather");
  fail_unless(call.args == protocol::JsonValue::parse(R"({"location":"Weather in Paris?","days":1})").value(),
              "args: %s", call.args.to_string().c_str());
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int64(c.frame_count(), at + 1);  // the model waits for the response

  // snake_case keys, as Python sends them.
  c.send_raw(
      R"({"tool_response": {"function_responses": [{"id": "function-call-1", "name": "get_weather", "response": {"temp": 21}}]}})");
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, at + 1, &end));
  assert_str(r.text.c_str(), "You wrote: Weather in Paris? The function get_weather returned {\"temp\":21}.");
  fail_unless_equals_int64(server->stats().tool_responses, 1);

  // New input while a call is pending cancels it.
  c.send(protocol::RealtimeInput::with_text("And Rome?"));
  at = c.wait_message([](const protocol::ServerMessage& m) { return m.tool_call.has_value(); }, end);
  assert_str(c.message(at).tool_call->function_calls.at(0).id.c_str(), "function-call-2");
  c.send(user_turn("never mind"));  // turnComplete: interrupts
  std::size_t cancel =
      c.wait_message([](const protocol::ServerMessage& m) { return m.tool_call_cancellation.has_value(); }, at);
  auto ids = c.message(cancel).tool_call_cancellation->ids;
  fail_unless_equals_int64(ids.size(), 1);
  assert_str(ids[0].c_str(), "function-call-2");
  fail_unless(c.message(cancel + 1).server_content->interrupted);
  fail_unless(is_turn_complete(c.message(cancel + 2)));

  fail_unless_equals_int64(server->stats().tool_cancellations, 1);

  // "never mind" is the next turn, which calls again; a response to the
  // cancelled call is dropped, the pending one answered.
  at = c.wait_message([](const protocol::ServerMessage& m) { return m.tool_call.has_value(); }, cancel);
  assert_str(c.message(at).tool_call->function_calls.at(0).id.c_str(), "function-call-3");
  protocol::ToolResponse late;
  late.function_responses.push_back({"function-call-2", "get_weather", protocol::JsonValue::empty_object(), {}, {}});
  late.function_responses.push_back(
      {"function-call-3", "get_weather", protocol::JsonValue::parse(R"({"temp":9})").value(), {}, {}});
  c.send(late);
  Reply r3 = collect(turn_messages(c, at + 1));
  assert_str(r3.text.c_str(), "You wrote: never mind. The function get_weather returned {\"temp\":9}.");
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.ignored_tool_responses, 1);
  fail_unless_equals_int64(st.tool_responses, 2);
  fail_unless_equals_int64(st.tool_calls, 3);
}
GST_END_TEST;

GST_START_TEST(test_tool_call_needs_declaration) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));  // declares no function
  c.send(protocol::RealtimeInput::with_text("hi"));
  Reply r = collect(turn_messages(c, 1));
  assert_str(r.text.c_str(), "You wrote: hi.");
}
GST_END_TEST;

// ---- today's models (live-protocol-2026.md) ----

GST_START_TEST(test_non_blocking_tool_calls) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = audio_setup(k38);
  declare(s, weather());  // NON_BLOCKING: 3.8-live's default
  c.start_session(s);

  // The call, and the model talks on and ends its turn without the result.
  c.send(protocol::RealtimeInput::with_text("Weather in Oslo?"));
  std::size_t end = 0;
  auto messages = turn_messages(c, 1, &end);
  fail_unless(messages[0].tool_call.has_value(), "the toolCall comes first");
  auto call = messages[0].tool_call->function_calls.at(0);
  assert_str(call.id, "function-call-1");
  fail_unless(call.args == protocol::JsonValue::parse(R"({"location":"Weather in Oslo?"})").value());
  Reply r = collect(messages);
  assert_str(r.output_transcript, "You wrote: Weather in Oslo?");
  check_audio_reply(r, "You wrote: Weather in Oslo?");

  // WHEN_IDLE (the default), a partial result: answered at once, the model being idle.
  c.send(tool_response(call.id, R"({"temp":21})", std::nullopt, true));
  assert_str(collect(turn_messages(c, end, &end)).output_transcript,
             "The function get_weather returned {\"temp\":21}.");
  // SILENT and final: no generation.
  c.send(tool_response(call.id, R"({"temp":22})", "SILENT"));
  check_quiet(c, end);
  // The call is over: more responses are dropped.
  c.send(tool_response(call.id, R"({"temp":23})"));
  fail_unless(server->wait_for([](const ServerStats& st) { return st.ignored_tool_responses == 1; }, kWait));
  check_quiet(c, end);
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.tool_calls, 1);
  fail_unless_equals_int64(st.tool_responses, 2);
  fail_unless_equals_int64(st.turns_completed, 2);
}
GST_END_TEST;

GST_START_TEST(test_tool_response_scheduling_during_a_reply) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  o.reply_speed = 2.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);  // an unknown model: behavior as declared
  declare(s, weather("NON_BLOCKING"));
  c.start_session(s);
  const std::string question = "What is the weather in all the cities of the north today?";

  // WHEN_IDLE during the reply: the reply ends, then the result is said.
  c.send(protocol::RealtimeInput::with_text(question));
  std::size_t at = c.wait_message(has_tool_call, 1);
  c.wait_message(has_model_turn, at);
  c.send(tool_response(c.message(at).tool_call->function_calls.at(0).id, R"({"temp":5})"));
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, at + 1, &end));
  fail_unless(!r.interrupted);
  assert_str(r.text, "You wrote: " + question);
  assert_str(collect(turn_messages(c, end, &end)).text, "The function get_weather returned {\"temp\":5}.");

  // INTERRUPT: the model stops and says it now.
  c.send(protocol::RealtimeInput::with_text(question));
  at = c.wait_message(has_tool_call, end);
  c.wait_message(has_model_turn, at);
  c.send(tool_response(c.message(at).tool_call->function_calls.at(0).id, R"({"temp":6})", "INTERRUPT"));
  std::size_t i = c.wait_message(is_interrupted, at);
  fail_unless(is_turn_complete(c.message(i + 1)));
  assert_str(collect(turn_messages(c, i + 2)).text, "The function get_weather returned {\"temp\":6}.");
  for (const auto& f : c.frames()) fail_unless(f.payload.find("toolCallCancellation") == std::string::npos);
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.interruptions, 1);
  fail_unless_equals_int64(st.tool_cancellations, 0);
}
GST_END_TEST;

GST_START_TEST(test_cancel_tool_after) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  o.cancel_tool_after = 150ms;
  auto server = start_server(o);
  {
    // A BLOCKING call: cancelled, and the model answers without it.
    TestClient c(live_uri(*server));
    protocol::Setup s = setup(true);
    declare(s, weather());  // an unknown model's calls block unless declared otherwise
    c.start_session(s);
    c.send(protocol::RealtimeInput::with_text("Paris?"));
    std::size_t at = c.wait_message(has_tool_call, 1);
    const gint64 call_at = c.frames()[at].at_us;
    std::size_t cancel = c.wait_message([](const auto& m) { return m.tool_call_cancellation.has_value(); }, at);
    fail_unless_equals_int64(cancel, at + 1);
    fail_unless((c.frames()[cancel].at_us - call_at) / 1000 >= 140, "cancelled too early");
    fail_unless(c.message(cancel).tool_call_cancellation->ids == std::vector<std::string>{"function-call-1"});
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, cancel + 1, &end)).text,
               "You wrote: Paris? The call to get_weather was cancelled.");
    // A late response is dropped; the session goes on.
    c.send(tool_response("function-call-1", R"({"temp":1})"));
    fail_unless(server->wait_for([](const ServerStats& st) { return st.ignored_tool_responses == 1; }, kWait));
    check_quiet(c, end);
  }
  {
    // A NON_BLOCKING call: the turn is long over when it is cancelled.
    TestClient c(live_uri(*server));
    protocol::Setup s = audio_setup(k38);
    declare(s, weather());
    c.start_session(s);
    c.send(protocol::RealtimeInput::with_text("Oslo?"));
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, 1, &end)).output_transcript, "You wrote: Oslo?");
    std::size_t cancel = c.wait_message([](const auto& m) { return m.tool_call_cancellation.has_value(); }, end);
    fail_unless_equals_int64(cancel, end);
    fail_unless(c.message(cancel).tool_call_cancellation->ids == std::vector<std::string>{"function-call-2"});
    check_quiet(c, end + 1);
  }
  fail_unless_equals_int64(server->stats().tool_cancellations, 2);
}
GST_END_TEST;

GST_START_TEST(test_builtin_tools) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);
  s.tools.resize(3);
  s.tools[0].google_search = true;
  s.tools[1].code_execution = true;
  s.tools[2].url_context = true;
  c.start_session(s);
  c.send(protocol::RealtimeInput::with_text("what is 2 + 2"));
  auto messages = turn_messages(c, 1);
  // The code and its result first, then the text whose first part carries the metadata.
  const auto& code = messages.at(0).server_content->model_turn->parts;
  fail_unless_equals_int64(code.size(), 2);
  fail_unless(code[0].executable_code ==
              protocol::JsonValue::parse(R"json({"language":"PYTHON","code":"print(2 + 2)"})json").value());
  fail_unless(code[1].code_execution_result ==
              protocol::JsonValue::parse(R"({"outcome":"OUTCOME_OK","output":"4\n"})").value());
  const auto& first = *messages.at(1).server_content;
  fail_unless(first.model_turn && first.model_turn->parts.at(0).text);
  const std::string uri = "https://example.com/search?q=what%20is%202%20%2B%202";
  const auto grounding =
      protocol::JsonValue::parse(R"({"webSearchQueries":["what is 2 + 2"],"groundingChunks":[{"web":{"uri":")" + uri +
                                 R"(","title":"Example result"}}],"searchEntryPoint":{"renderedContent":)"
                                 R"("<div class=\"search-entry-point\"><a href=\")" +
                                 uri + R"(\">what is 2 + 2</a></div>"}})");
  fail_unless(first.grounding_metadata == grounding.value(), "%s", first.grounding_metadata.to_string().c_str());
  fail_unless(first.url_context_metadata ==
              protocol::JsonValue::parse(R"({"urlMetadata":[{"retrievedUrl":"https://example.com/",)"
                                         R"("urlRetrievalStatus":"URL_RETRIEVAL_STATUS_SUCCESS"}]})")
                  .value());
  for (std::size_t i = 2; i < messages.size(); ++i)
    fail_unless(messages[i].server_content->grounding_metadata.is_null());
  assert_str(collect(messages).text, "You wrote: what is 2 + 2.");

  // Without text, the search is for what is on the screen.
  TestClient v(live_uri(*server));
  protocol::Setup search = setup();
  search.tools.resize(1);
  search.tools[0].google_search = true;
  v.start_session(search);
  v.send(protocol::RealtimeInput::with_video({"image/jpeg", jpeg_header(64, 48)}));
  v.send_raw(R"({"clientContent":{"turnComplete":true}})");
  auto video_messages = turn_messages(v, 1);
  const auto& meta = video_messages.at(0).server_content->grounding_metadata;
  fail_unless(!meta.is_null());
  fail_unless(meta.to_string().find(R"("webSearchQueries":["what is on the screen"])") != std::string::npos, "%s",
              meta.to_string().c_str());
}
GST_END_TEST;

GST_START_TEST(test_extended_thinking_interaction_status) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  auto status = [](const std::vector<protocol::ServerMessage>& turn) {
    return turn.back().server_content->interaction_status.value_or("(none)");
  };
  {
    TestClient c(live_uri(*server));
    protocol::Setup s = audio_setup(k38Thinking);
    declare(s, weather());
    c.start_session(s);
    c.send(protocol::RealtimeInput::with_text("Plan my trip."));
    std::size_t end = 0;
    auto filler = turn_messages(c, 1, &end);
    fail_unless(filler[0].tool_call.has_value());
    assert_str(status(filler), "IN_PROGRESS");  // the call is still out
    c.send(tool_response(filler[0].tool_call->function_calls.at(0).id, R"({"ok":true})"));
    auto done = turn_messages(c, end);
    assert_str(collect(done).output_transcript, "The function get_weather returned {\"ok\":true}.");
    assert_str(status(done), "IDLE");
    const std::string last = c.frames()[end + done.size() - 1].payload;
    fail_unless(last.find("\"interactionStatus\": \"IDLE\"") != std::string::npos, "%s", last.c_str());
  }
  {
    TestClient c(live_uri(*server));
    c.start_session(setup(true));  // other models send none
    c.send(protocol::RealtimeInput::with_text("hi"));
    assert_str(status(turn_messages(c, 1)), "(none)");
  }
}
GST_END_TEST;

static Suite* server_tools_suite() {
  Suite* s = suite_create("server_tools");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_tool_call_flow);
  tcase_add_test(tc, test_tool_call_needs_declaration);
  tcase_add_test(tc, test_non_blocking_tool_calls);
  tcase_add_test(tc, test_tool_response_scheduling_during_a_reply);
  tcase_add_test(tc, test_cancel_tool_after);
  tcase_add_test(tc, test_builtin_tools);
  tcase_add_test(tc, test_extended_thinking_interaction_status);
  return s;
}

GST_CHECK_MAIN(server_tools);
