// SPDX-License-Identifier: LGPL-2.1-or-later
// The local Live server's turns as a client sees them: turn detection
// (speech then silence, manual activity, activity control, voice activity
// signals), barge-in and no interruption, clientContent turns, roles and
// initial history, and context updates. Part of the server suite
// (tests/check/meson.build); the helpers are in server_util.h.
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

namespace {

protocol::RealtimeInput activity(bool start) {
  protocol::RealtimeInput r;
  (start ? r.activity_start : r.activity_end) = true;
  return r;
}

protocol::ClientContent history(std::vector<std::pair<const char*, const char*>> turns, bool complete) {
  protocol::ClientContent c;
  for (const auto& [role, text] : turns) c.turns.push_back(protocol::Content::from_text(text, std::string(role)));
  c.turn_complete = complete;
  return c;
}

}  // namespace

// ---- turn detection ----

GST_START_TEST(test_client_content_turn) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  c.start_session(setup());
  c.send(user_turn("What is on my screen?", false));  // history only: no reply
  c.send(user_turn("Tell me"));
  Reply r = collect(turn_messages(c, 1));
  check_audio_reply(r, "You wrote: What is on my screen? Tell me.");
  auto texts = server->stats().texts;
  fail_unless_equals_int64(texts.size(), 2);
  assert_str(texts[1].c_str(), "Tell me");
}
GST_END_TEST;

GST_START_TEST(test_speech_then_silence_ends_the_turn) {
  ServerOptions o = opts();
  o.end_of_speech_silence = 300ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  // A live mic: quiet, speech, quiet; no audioStreamEnd ever.
  std::string stream = silence(0.5) + tone(1.0) + silence(1.0);
  for (std::size_t at = 0; at < stream.size(); at += 3200) c.send(audio(stream.substr(at, 3200)));
  Reply r = collect(turn_messages(c, 1));
  // From the first chunk with speech to the chunk that completed 300 ms of quiet.
  assert_str(r.text.c_str(), "I heard 1.3 seconds of audio at 16000 Hz.");
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == stream.size(); }, kWait));
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int64(server->stats().turns_started, 1);  // trailing quiet is no turn

  // Quiet alone and audioStreamEnd: nothing to answer.
  c.send(audio(silence(0.5)));
  c.send(audio_stream_end());
  std::this_thread::sleep_for(200ms);
  fail_unless_equals_int64(server->stats().turns_started, 1);
}
GST_END_TEST;

GST_START_TEST(test_manual_activity_detection) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);
  s.realtime_input_config = protocol::RealtimeInputConfig{};
  s.realtime_input_config->automatic_activity_detection = protocol::AutomaticActivityDetection{};
  s.realtime_input_config->automatic_activity_detection->disabled = true;
  c.start_session(s);
  c.send(audio(tone(0.5)));  // outside any activity: not part of a turn
  c.send(activity(true));
  c.send(audio(tone(0.5)));
  c.send(audio(silence(1.0)));  // quiet does not end a manual turn
  c.send(protocol::RealtimeInput::with_text("note"));
  std::this_thread::sleep_for(200ms);
  fail_unless_equals_int64(server->stats().turns_started, 0);
  c.send(activity(false));
  Reply r = collect(turn_messages(c, 1));
  assert_str(r.text.c_str(), "I heard 1.5 seconds of audio at 16000 Hz. You wrote: note.");
}
GST_END_TEST;

// ---- barge-in ----

GST_START_TEST(test_barge_in_stops_the_reply) {
  ServerOptions o = opts();
  o.reply_speed = 2.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  const std::string question = "please tell me a long story about the sea and the ships";
  c.send(protocol::RealtimeInput::with_text(question));
  const std::size_t full_size = mock::synthesize_reply_pcm("You wrote: " + question + ".").size();

  // Two chunks in, the user speaks.
  c.wait_message([](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; }, 2);
  c.send(audio(tone(0.2)));
  std::size_t at = c.wait_message(
      [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->interrupted; }, 1);
  fail_unless(is_turn_complete(c.message(at + 1)), "turnComplete follows interrupted");
  fail_unless(c.message(at + 1).usage_metadata.has_value());

  std::this_thread::sleep_for(600ms);
  auto frames = c.frames();
  fail_unless_equals_int64(frames.size(), at + 2);  // not one more chunk
  Reply r = collect(turn_messages(c, 1));
  fail_unless(r.interrupted && !r.generation_complete);
  fail_unless(r.pcm.size() < full_size);
  fail_unless(r.pcm == mock::synthesize_reply_pcm("You wrote: " + question + ".").substr(0, r.pcm.size()));
  ServerStats s = server->stats();
  fail_unless_equals_int64(s.interruptions, 1);
  fail_unless_equals_int64(s.turns_completed, 1);

  // The speech that interrupted starts the next turn.
  c.send(audio_stream_end());
  Reply next = collect(turn_messages(c, at + 2));
  fail_unless(!next.interrupted);
  check_audio_reply(next, "I heard 0.2 seconds of audio at 16000 Hz.");
}
GST_END_TEST;

GST_START_TEST(test_silence_and_activity_during_reply) {
  ServerOptions o = opts();
  o.reply_speed = 4.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  c.send(protocol::RealtimeInput::with_text("keep talking while I stay quiet"));
  c.wait_message([](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; }, 1);
  for (int i = 0; i < 5; ++i) c.send(audio(silence(0.1)));
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, 1, &end));
  fail_unless(!r.interrupted, "silence interrupted the reply");
  check_audio_reply(r, "You wrote: keep talking while I stay quiet.");

  // Realtime text interrupts, and becomes the next turn.
  c.send(protocol::RealtimeInput::with_text("again and again and again"));
  c.wait_message([](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; },
                 end);
  c.send(protocol::RealtimeInput::with_text("third time is the charm my friend"));
  std::size_t i = c.wait_message(
      [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->interrupted; }, end);
  fail_unless(is_turn_complete(c.message(i + 1)));
  Reply third = collect(turn_messages(c, i + 2, &end));
  check_audio_reply(third, "You wrote: third time is the charm my friend.");
  fail_unless_equals_int64(server->stats().interruptions, 1);
}
GST_END_TEST;

// ---- today's models (live-protocol-2026.md) ----

GST_START_TEST(test_flash_31_client_content_and_context_update) {
  auto server = start_server(opts());
  {
    // clientContent before realtime input is a turn; after it, refused.
    TestClient c(live_uri(*server));
    c.start_session(audio_setup(k31));
    c.send(user_turn("first"));
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, 1, &end)).output_transcript, "You wrote: first.");
    c.send(protocol::RealtimeInput::with_text("second"));
    assert_str(collect(turn_messages(c, end)).output_transcript, "You wrote: second.");
    c.send(user_turn("third"));
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason,
               "Request contains an invalid argument: clientContent after realtime input is not supported by this "
               "model.");
  }
  {
    TestClient c(live_uri(*server));
    c.start_session(audio_setup(k31));
    protocol::ContextUpdate update;
    update.system_instruction = protocol::Content::from_text("Answer in French.", std::string("user"));
    c.send(update);
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason, "Request contains an invalid argument: contextUpdate is not supported by this model.");
  }
  fail_unless_equals_int64(server->stats().context_updates, 0);
}
GST_END_TEST;

GST_START_TEST(test_context_update) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = audio_setup(k38);
  s.system_instruction = protocol::Content::from_text("Be brief.", std::string("user"));
  declare(s, weather("BLOCKING"));
  c.start_session(s);
  ServerStats st = server->stats();
  assert_str(st.system_instruction, "Be brief.");
  fail_unless(st.function_names == std::vector<std::string>{"get_weather"});

  // A new instruction and no tools at all.
  const std::string instruction =
      "You are a pirate. Answer every question like a pirate would, with gusto and many arrs.";
  c.send_raw(R"({"contextUpdate":{"systemInstruction":{"parts":[{"text":")" + instruction +
             R"("}],"role":"user"},"tools":{"tools":[]}}})");
  c.send(protocol::RealtimeInput::with_text("hi"));
  std::size_t end = 0;
  auto messages = turn_messages(c, 1, &end);
  for (const auto& m : messages) fail_unless(!m.tool_call, "a toolCall after the tools were cleared");
  Reply r = collect(messages);
  const std::string expected = "Following new instructions: \"" + instruction.substr(0, 60) + "\". You wrote: hi.";
  assert_str(r.output_transcript, expected);
  check_audio_reply(r, expected);
  st = server->stats();
  fail_unless_equals_int64(st.context_updates, 1);
  assert_str(st.system_instruction, instruction);
  fail_unless(st.function_names.empty());

  // Only the first reply says so.
  c.send(protocol::RealtimeInput::with_text("again"));
  assert_str(collect(turn_messages(c, end, &end)).output_transcript, "You wrote: again.");

  // Tools only: the instruction stays, the function is back.
  protocol::ContextUpdate update;
  update.tools = std::vector<protocol::Tool>{};
  update.tools->push_back(protocol::Tool{});
  update.tools->back().function_declarations.push_back(weather("BLOCKING"));
  c.send(update);
  c.send(protocol::RealtimeInput::with_text("Rome?"));
  std::size_t at = c.wait_message(has_tool_call, end);
  c.send(tool_response(c.message(at).tool_call->function_calls.at(0).id, R"({"temp":20})"));
  assert_str(collect(turn_messages(c, at + 1)).output_transcript,
             "You wrote: Rome? The function get_weather returned {\"temp\":20}.");
  st = server->stats();
  fail_unless_equals_int64(st.context_updates, 2);
  assert_str(st.system_instruction, instruction);
  fail_unless(st.function_names == std::vector<std::string>{"get_weather"});
}
GST_END_TEST;

GST_START_TEST(test_client_content_roles) {
  ServerOptions o = opts();
  o.reply_speed = 2.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  // What the model said is context: no reply, even with turnComplete.
  c.send(history({{"model", "Earlier I said hello."}}, true));
  c.send(user_turn("What is on my screen?", false));
  check_quiet(c, 1);
  fail_unless_equals_int64(server->stats().turns_started, 0);
  c.send_raw(R"({"clientContent":{"turnComplete":true}})");
  std::size_t end = 0;
  assert_str(collect(turn_messages(c, 1, &end)).text, "You wrote: What is on my screen?");

  // During a reply: without turnComplete the model waits; with it, it is interrupted.
  c.send(protocol::RealtimeInput::with_text("tell me a long story about the sea and the ships please"));
  std::size_t first = c.wait_message(has_model_turn, end);
  c.send(user_turn("more", false));
  std::this_thread::sleep_for(100ms);
  for (const auto& f : c.frames()) fail_unless(f.payload.find("interrupted") == std::string::npos);
  c.send(user_turn("stop"));
  std::size_t i = c.wait_message(is_interrupted, first);
  fail_unless(is_turn_complete(c.message(i + 1)));
  assert_str(collect(turn_messages(c, i + 2)).text, "You wrote: more stop.");
  // The realtime text did not interrupt anything: one interruption.
  fail_unless_equals_int64(server->stats().interruptions, 1);
}
GST_END_TEST;

GST_START_TEST(test_initial_history) {
  auto server = start_server(opts());
  protocol::Setup s = setup(true);
  s.history_config = protocol::HistoryConfig{true};
  {
    // History until the message with turnComplete: never answered.
    TestClient c(live_uri(*server));
    c.start_session(s);
    c.send(history({{"user", "Hi"}, {"model", "Hello"}}, false));
    c.send(history({{"user", "Remember 42."}}, true));
    check_quiet(c, 1);
    fail_unless_equals_int64(server->stats().turns_started, 0);
    fail_unless_equals_int64(server->stats().history_turns, 3);
    c.send(protocol::RealtimeInput::with_text("What number?"));
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, 1, &end)).text, "I have 3 turns of history. You wrote: What number?");
    c.send(user_turn("And now?"));
    assert_str(collect(turn_messages(c, end)).text, "You wrote: And now?");
  }
  {
    // Realtime input ends it too; gemini-3.1 takes clientContent as history only.
    protocol::Setup flash = audio_setup(k31);
    flash.history_config = protocol::HistoryConfig{true};
    TestClient c(live_uri(*server));
    c.start_session(flash);
    c.send(history({{"user", "Hi"}}, false));
    c.send(protocol::RealtimeInput::with_text("Hello?"));
    assert_str(collect(turn_messages(c, 1)).output_transcript, "I have 1 turn of history. You wrote: Hello?");
    c.send(history({{"user", "late"}}, true));
    fail_unless_equals_int64(c.wait_closed().code, 1007);
  }
  fail_unless_equals_int64(server->stats().history_turns, 4);
}
GST_END_TEST;

GST_START_TEST(test_activity_control) {
  ServerOptions o = opts();
  auto server = start_server(o);
  for (bool start : {true, false}) {
    // Explicit activity while the server detects it itself.
    TestClient c(live_uri(*server));
    c.start_session(setup(true));
    c.send(activity(start));
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason, "Explicit activity control is not supported when automatic activity detection is enabled.");
  }

  // Push-to-talk: only what lies between activityStart and activityEnd.
  protocol::Setup s = setup(true);
  s.realtime_input_config = protocol::RealtimeInputConfig{};
  s.realtime_input_config->automatic_activity_detection = protocol::AutomaticActivityDetection{};
  s.realtime_input_config->automatic_activity_detection->disabled = true;
  TestClient c(live_uri(*server));
  c.start_session(s);
  c.send(activity(true));
  c.send(audio(tone(0.4)));
  c.send(activity(false));
  std::size_t end = 0;
  assert_str(collect(turn_messages(c, 1, &end)).text, "I heard 0.4 seconds of audio at 16000 Hz.");
  c.send(audio(tone(1.0)));  // after activityEnd: no turn, even with a long pause
  c.send(audio(silence(1.0)));
  c.send(audio_stream_end());
  check_quiet(c, end);
  c.send(activity(true));
  c.send(audio(tone(0.2)));
  c.send(activity(false));
  assert_str(collect(turn_messages(c, end)).text, "I heard 0.2 seconds of audio at 16000 Hz.");
  for (const auto& f : c.frames()) fail_unless(f.payload.find("voiceActivity") == std::string::npos);
  fail_unless_equals_int64(server->stats().voice_activity_starts, 0);
}
GST_END_TEST;

GST_START_TEST(test_no_interruption) {
  ServerOptions o = opts();
  o.reply_speed = 2.0;
  auto server = start_server(o);
  protocol::Setup s = setup(true);
  s.realtime_input_config = protocol::RealtimeInputConfig{};
  s.realtime_input_config->activity_handling = "NO_INTERRUPTION";
  TestClient c(live_uri(*server));
  c.start_session(s);
  c.send(protocol::RealtimeInput::with_text("tell me a long story about the sea and the ships please"));
  c.wait_message(has_model_turn, 1);
  c.send(audio(tone(0.3)));  // barge-in that does not interrupt
  c.send(audio_stream_end());
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, 1, &end));
  fail_unless(!r.interrupted && r.generation_complete);
  assert_str(r.text, "You wrote: tell me a long story about the sea and the ships please.");
  // The speech is answered after the reply.
  assert_str(collect(turn_messages(c, end)).text, "I heard 0.3 seconds of audio at 16000 Hz.");
  fail_unless_equals_int64(server->stats().interruptions, 0);
}
GST_END_TEST;

GST_START_TEST(test_voice_activity_signals) {
  ServerOptions o = opts();
  o.end_of_speech_silence = 300ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  const std::string stream = silence(0.3) + tone(0.5) + silence(0.5);
  for (std::size_t at = 0; at < stream.size(); at += 3200) c.send(audio(stream.substr(at, 3200)));
  std::size_t end = 0;
  auto messages = turn_messages(c, 1, &end);
  fail_unless(messages.size() > 2);
  fail_unless(messages[0].voice_activity.has_value());
  assert_str(messages[0].voice_activity->type, "ACTIVITY_START");
  fail_unless(messages[1].voice_activity.has_value());
  assert_str(messages[1].voice_activity->type, "ACTIVITY_END");
  assert_str(c.frames()[2].payload, "{\n  \"voiceActivity\": {\n    \"type\": \"ACTIVITY_END\"\n  }\n}\n");
  for (std::size_t i = 2; i < messages.size(); ++i) fail_unless(!messages[i].voice_activity);
  assert_str(collect(messages).text, "I heard 0.8 seconds of audio at 16000 Hz.");
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.voice_activity_starts, 1);
  fail_unless_equals_int64(st.voice_activity_ends, 1);
}
GST_END_TEST;

static Suite* server_turns_suite() {
  Suite* s = suite_create("server_turns");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_client_content_turn);
  tcase_add_test(tc, test_speech_then_silence_ends_the_turn);
  tcase_add_test(tc, test_manual_activity_detection);
  tcase_add_test(tc, test_barge_in_stops_the_reply);
  tcase_add_test(tc, test_silence_and_activity_during_reply);
  tcase_add_test(tc, test_flash_31_client_content_and_context_update);
  tcase_add_test(tc, test_context_update);
  tcase_add_test(tc, test_client_content_roles);
  tcase_add_test(tc, test_initial_history);
  tcase_add_test(tc, test_activity_control);
  tcase_add_test(tc, test_no_interruption);
  tcase_add_test(tc, test_voice_activity_signals);
  return s;
}

GST_CHECK_MAIN(server_turns);
