// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveSession as the elements use it, against the in-process Live server:
// its pure parts (state names, close mapping, held messages, turn tracker),
// what the server receives (setup first, held messages in order, audio
// complete) and finishing after end_input. Failures and stopping are in
// session_failures.cpp, context changes, history and tool calls in
// session_context.cpp, Channel in session_channel.cpp.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "reply_synth.h"
#include "session/close_errors.h"
#include "session/endpoint.h"
#include "session/held_messages.h"
#include "session/live_session.h"
#include "session/session_error.h"
#include "session/turn_tracker.h"
#include "session_util.h"

using namespace geminilive::testing;
using namespace geminilive::session;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;
using Kind = SessionError::Kind;

// ---- pure parts ----

GST_START_TEST(test_state_names) {
  assert_str(session_state_name(SessionState::Idle), "idle");
  assert_str(session_state_name(SessionState::SettingUp), "setting-up");
  assert_str(session_state_name(SessionState::Finished), "finished");
  assert_str(session_state_name(SessionState::Failed), "failed");
}
GST_END_TEST;

GST_START_TEST(test_close_mapping) {
  using geminilive::transport::CloseInfo;
  const std::string uri = "wss://example.test/ws/Live?key=SECRET";
  auto map = [&](CloseInfo::Kind kind, int code, std::string reason, int http = 0) {
    CloseInfo info;
    info.kind = kind;
    info.code = code;
    info.reason = std::move(reason);
    info.http_status = http;
    SessionError e = error_for_close(info, uri);
    fail_unless(!contains(e.message, "SECRET"), "the key leaked: %s", e.message.c_str());
    return e;
  };

  SessionError e = map(CloseInfo::Kind::Closed, 1008, kBadKey);
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless_equals_int(e.close_code, 1008);
  assert_str(e.reason, kBadKey);
  assert_str(e.message,
             "Gemini Live closed the session: API key not valid. Please pass a valid API key. "
             "(close code 1008 policy violation). Check the api-key property or GEMINI_API_KEY.");

  e = map(CloseInfo::Kind::ConnectFailed, 1006, "Unauthorized (HTTP 401 Unauthorized)", 401);
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless_equals_int(e.close_code, 0);
  fail_unless(contains(e.message, "GEMINI_API_KEY"));
  e = map(CloseInfo::Kind::ConnectFailed, 1006, "Forbidden", 403);
  fail_unless(e.kind == Kind::Unauthorized);

  e = map(CloseInfo::Kind::ConnectFailed, 1006, "Unacceptable TLS certificate: certificate expired");
  fail_unless(e.kind == Kind::Connect);
  assert_str(e.message,
             "Could not connect to Gemini Live at wss://example.test/ws/Live: "
             "Unacceptable TLS certificate: certificate expired");

  e = map(CloseInfo::Kind::Closed, 1008, "models/x is not found for API version v1beta, or is not supported");
  fail_unless(e.kind == Kind::NotFound);
  fail_unless(contains(e.message, "model"));
  e = map(CloseInfo::Kind::Closed, 1008, "BidiGenerateContent session not found");
  fail_unless(e.kind == Kind::NotFound);
  fail_unless(contains(e.message, "resumption handle"));
  e = map(CloseInfo::Kind::Closed, 1008, "The operation was aborted.");
  fail_unless(e.kind == Kind::Closed);

  e = map(CloseInfo::Kind::Closed, 1007, "Request contains an invalid argument.");
  fail_unless(e.kind == Kind::InvalidArgument);
  fail_unless_equals_int(e.close_code, 1007);

  e = map(CloseInfo::Kind::Dropped, 1006, "connection closed without a close frame");
  fail_unless(e.kind == Kind::Closed);
  fail_unless_equals_int(e.close_code, 1006);
  assert_str(e.message,
             "The connection to Gemini Live was lost: connection closed without a close frame "
             "(close code 1006 abnormal closure)");

  e = map(CloseInfo::Kind::Closed, 1011, "Internal error encountered.");
  fail_unless(e.kind == Kind::Closed);
  assert_str(e.message, "Gemini Live closed the session: Internal error encountered. (close code 1011 internal error)");

  e = map(CloseInfo::Kind::Closed, 1000, "");
  fail_unless(e.kind == Kind::Closed);
  assert_str(e.message,
             "Gemini Live closed the session: the service ended the session (close code 1000 normal closure)");
}
GST_END_TEST;

GST_START_TEST(test_held_messages_bounds) {
  HeldMessages held;
  const std::string chunk = quiet_pcm(3200, 1);  // 100 ms at 16 kHz
  for (int i = 0; i < 120; ++i) {
    held.push(Outbound::encode(audio(chunk)));
    if (i == 10) held.push(Outbound::encode(protocol::RealtimeInput::with_text("kept")));
  }
  // 12 s went in; the oldest 2 s of audio went out, the text stayed.
  fail_unless_equals_int64(held.audio().count(), 10000000);
  Dropped d = held.take_dropped();
  fail_unless_equals_int64(d.messages, 20);
  fail_unless_equals_int64(d.bytes, 20 * 3200);
  fail_unless_equals_int64(d.audio.count(), 2000000);
  fail_unless(!held.take_dropped().any());

  fail_unless(!held.push_latest_frame(Outbound::encode(protocol::RealtimeInput::with_video({"image/jpeg", "1"}))));
  held.push(Outbound::encode(protocol::RealtimeInput::with_text("after")));
  fail_unless(held.push_latest_frame(Outbound::encode(protocol::RealtimeInput::with_video({"image/jpeg", "2"}))));
  auto all = held.take();
  fail_unless(held.empty() && held.bytes() == 0);
  fail_unless_equals_int64(all.size(), 100 + 3);
  assert_str(all[0].json, protocol::encode_client_message(protocol::RealtimeInput::with_text("kept")));
  assert_str(all[101].json, protocol::encode_client_message(protocol::RealtimeInput::with_text("after")));
  assert_str(all[102].json, protocol::encode_client_message(protocol::RealtimeInput::with_video({"image/jpeg", "2"})));

  // The byte limit holds too.
  HeldMessages small(HeldMessages::Limits{std::chrono::seconds(100), 10000});
  for (int i = 0; i < 5; ++i) small.push(Outbound::encode(audio(chunk)));
  fail_unless(small.bytes() <= 10000);
  fail_unless(small.take_dropped().any());
  fail_unless_equals_int64(pcm_duration({"audio/pcm;rate=24000", std::string(48000, '\0')}).count(), 1000000);
}
GST_END_TEST;

GST_START_TEST(test_turn_tracker) {
  auto content = [](auto set) {
    protocol::ServerMessage m;
    m.server_content = protocol::ServerContent{};
    set(*m.server_content);
    return m;
  };
  TurnTracker t;
  // An input transcription alone is not the model answering.
  auto ev = t.observe(content([](auto& c) { c.input_transcription = protocol::Transcription{"hi", true, {}}; }));
  fail_unless(!ev.reply_started && !t.under_way());
  ev = t.observe(content([](auto& c) { c.model_turn = protocol::Content::from_text("a", "model"); }));
  fail_unless(ev.reply_started && t.under_way());
  ev = t.observe(content([](auto& c) { c.generation_complete = true; }));
  fail_unless(!ev.reply_started && !ev.turn_complete);
  ev = t.observe(content([](auto& c) { c.turn_complete = true; }));
  fail_unless(ev.turn_complete && !ev.interrupted && !t.under_way());

  protocol::ServerMessage call;
  call.tool_call = protocol::ToolCall{};
  fail_unless(t.observe(call).reply_started);
  fail_unless(!t.observe(content([](auto& c) { c.interrupted = true; })).turn_complete);
  ev = t.observe(content([](auto& c) { c.turn_complete = true; }));
  fail_unless(ev.turn_complete && ev.interrupted);
}
GST_END_TEST;

// ---- the wire ----

GST_START_TEST(test_setup_first_then_held_messages_in_order) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  const SessionConfig config = config_for(*server);
  auto session = LiveSession::create(config, events);

  // Sent before start(): all of it must wait for setupComplete.
  protocol::ClientContent history;
  history.turns.push_back(protocol::Content::from_text("earlier", "user"));
  history.turn_complete = false;
  const std::vector<protocol::ClientMessage> held = {
      audio(quiet_pcm(3200, 1)),
      protocol::RealtimeInput::with_video(jpeg()),
      history,
      audio(quiet_pcm(3200, 2)),
  };
  for (const auto& m : held) session->send(m);
  fail_unless(session->state() == SessionState::Idle);
  session->start();
  events->wait_state(SessionState::Ready);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes == 6400; }, kWait));

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 1 + held.size());
  // Resumption is on by default: the setup asks for handles.
  protocol::Setup sent_setup = config.setup;
  sent_setup.session_resumption = protocol::SessionResumptionConfig{};
  assert_str(received[0], protocol::encode_client_message(sent_setup));
  assert_str(server->stats().last_setup_json, protocol::encode_client_message(sent_setup));
  for (std::size_t i = 0; i < held.size(); ++i) assert_str(received[i + 1], protocol::encode_client_message(held[i]));

  // States in order; setupComplete reaches the observer before Ready.
  auto all = events->events();
  const std::size_t connecting = Events::index_of_state(all, SessionState::Connecting);
  const std::size_t setting_up = Events::index_of_state(all, SessionState::SettingUp);
  const std::size_t ready = Events::index_of_state(all, SessionState::Ready);
  fail_unless(connecting < setting_up && setting_up < ready);
  fail_unless(all[ready - 1].type == Event::Type::Message && all[ready - 1].message.setup_complete);

  SessionStats s = session->stats();
  fail_unless_equals_int64(s.messages_sent, 5);
  fail_unless_equals_int64(s.audio_bytes_sent, 6400);
  fail_unless_equals_int64(s.video_frames_sent, 1);
  fail_unless(s.messages_received >= 1);  // setupComplete, then the first handle
  session->stop();
  fail_unless(session->state() == SessionState::Closed);
  fail_unless(events->last_state() == SessionState::Closed);
}
GST_END_TEST;

GST_START_TEST(test_audio_arrives_complete) {
  Live l = ready_session();
  auto& server = l.server;
  auto& session = l.session;

  // One thread: the bytes, in order.
  std::string sent;
  for (unsigned i = 0; i < 50; ++i) {
    const std::string chunk = quiet_pcm(640, i);
    sent += chunk;
    session->send(audio(chunk));
  }
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == sent.size(); }, kWait));
  assert_str(server->stats().audio_sha256, sha256_hex(sent));

  // Two threads at once: nothing lost.
  auto sender = [&](unsigned seed) {
    for (unsigned i = 0; i < 200; ++i) session->send(audio(quiet_pcm(640, seed + i)));
  };
  std::thread a(sender, 1000), b(sender, 5000);
  a.join();
  b.join();
  const uint64_t total = sent.size() + 2 * 200 * 640;
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == total; }, kWait),
              "the server got %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes", server->stats().audio_bytes,
              total);
  fail_unless_equals_int64(session->stats().audio_bytes_sent, total);
  fail_unless_equals_int64(session->stats().messages_sent, 1 + 450);
}
GST_END_TEST;

GST_START_TEST(test_newest_video_frame_wins_before_ready) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  auto session = LiveSession::create(config_for(*server), events);
  session->send_video_frame({"image/jpeg", "stale frame 1"});
  session->send_video_frame({"image/jpeg", "stale frame 2"});
  session->send_video_frame(jpeg());
  fail_unless_equals_int64(session->stats().video_frames_replaced, 2);
  session->start();
  events->wait_state(SessionState::Ready);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames >= 1; }, kWait));

  // After Ready frames go straight out.
  session->send_video_frame(jpeg());
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames == 2; }, kWait));
  ServerStats s = server->stats();
  fail_unless_equals_int(s.last_frame_width, 64);
  fail_unless_equals_int(s.last_frame_height, 48);
  fail_unless_equals_int64(session->stats().video_frames_sent, 2);
  fail_unless_equals_int64(session->stats().video_frames_replaced, 2);
}
GST_END_TEST;

// ---- end of input ----

GST_START_TEST(test_end_input_audio_stream_end) {
  Live l = ready_session();
  auto& [server, events, session] = l;

  const std::string speech = mock::synthesize_reply_pcm("testing one two three");
  for (std::size_t at = 0; at < speech.size(); at += 4800) session->send(audio(speech.substr(at, 4800), 24000));
  session->end_input(true);
  events->wait_state(SessionState::Finished);

  assert_str(server->received_messages().back(), R"({"realtimeInput":{"audioStreamEnd":true}})");
  // The reply, then Finished.
  auto all = events->events();
  const std::size_t finishing = Events::index_of_state(all, SessionState::Finishing);
  const std::size_t finished = Events::index_of_state(all, SessionState::Finished);
  std::size_t turn_complete = SIZE_MAX;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].type == Event::Type::Message && is_turn_complete(all[i].message)) turn_complete = i;
  fail_unless(finishing < turn_complete && turn_complete < finished);
  fail_unless_equals_int64(finished, all.size() - 1);
  fail_unless(!events->reply_pcm().empty());
  fail_unless_equals_int64(session->stats().audio_bytes_received, events->reply_pcm().size());
  fail_unless(events->warnings().empty());
  fail_unless_equals_int(server->stats().turns_completed, 1);
  fail_unless(session->state() == SessionState::Finished);

  session->stop();  // after Finished: no error, the state stays
  fail_unless(session->state() == SessionState::Finished);
}
GST_END_TEST;

GST_START_TEST(test_end_input_text_reply) {
  ServerOptions o = opts();
  o.first_reply_delay = 300ms;  // end_input comes before the reply starts
  Live l = ready_session(o, true);
  auto& [server, events, session] = l;

  const gint64 t0 = g_get_monotonic_time();
  session->send(protocol::RealtimeInput::with_text("hello"));
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  // Finished by the turnComplete, not by a timeout.
  fail_unless((g_get_monotonic_time() - t0) / 1000 < 3000);
  assert_str(events->reply_text(), "You wrote: hello.");
  fail_unless(events->warnings().empty());
  for (const auto& m : server->received_messages()) fail_unless(!contains(m, "audioStreamEnd"));
}
GST_END_TEST;

// A session runs on the process's shared loop unless given one of its own,
// which it keeps alive; both answer the same. The shared loop is one while
// anything holds it.
GST_START_TEST(test_session_on_a_loop_of_its_own) {
  const std::shared_ptr<SessionLoop> shared = shared_session_loop();
  fail_unless(shared_session_loop() == shared);
  auto loop = new_session_loop("test-session-loop");
  fail_unless(loop != shared);
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  auto session = LiveSession::create(config_for(*server, true), events, std::move(loop));
  session->start();
  events->wait_state(SessionState::Ready);
  session->send(protocol::RealtimeInput::with_text("hello"));
  events->wait_message(is_turn_complete);
  assert_str(events->reply_text(), "You wrote: hello.");
  session.reset();  // the last reference: its loop ends with it
  fail_unless(events->last_state() == SessionState::Closed);
}
GST_END_TEST;

// The shared loop takes up to kSessionsPerLoop holders; the next one gets a
// loop (a thread) of its own. Requests go to the least used loop, and a full
// loop that a holder lets go of has room again.
GST_START_TEST(test_shared_loops_hold_a_bounded_number_of_sessions) {
  std::vector<std::shared_ptr<SessionLoop>> held;
  for (long i = 0; i < kSessionsPerLoop; ++i) held.push_back(shared_session_loop());
  for (const auto& loop : held) fail_unless(loop == held.front());
  auto second = shared_session_loop();
  fail_unless(second != held.front());
  auto also_second = shared_session_loop();
  fail_unless(also_second == second);  // 2 holders against kSessionsPerLoop
  held.pop_back();                     // the first has room again, but is still the more used
  fail_unless(shared_session_loop() == second);
  second.reset();
  also_second.reset();  // the second loop ends
  fail_unless(shared_session_loop() == held.front());
}
GST_END_TEST;

// Text only: when every text was answered, the end of the input finishes at
// once, not after reply_start_timeout.
GST_START_TEST(test_end_input_after_the_answer_finishes_at_once) {
  Live l = ready_session(opts(), true, [](SessionConfig& c) { c.reply_start_timeout = 10s; });
  auto& [server, events, session] = l;

  session->send(protocol::RealtimeInput::with_text("hello"));
  events->wait_message(is_turn_complete);
  const gint64 t0 = g_get_monotonic_time();
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  const gint64 ms = (g_get_monotonic_time() - t0) / 1000;
  fail_unless(ms < 1000, "finished %" G_GINT64_FORMAT " ms after the answer", ms);
  assert_str(events->reply_text(), "You wrote: hello.");
  fail_unless(events->warnings().empty());
}
GST_END_TEST;

// A text sent after the last turnComplete is still answered before Finished.
GST_START_TEST(test_end_input_waits_for_a_text_sent_after_the_answer) {
  ServerOptions o = opts();
  o.first_reply_delay = 300ms;  // end_input comes before the second reply starts
  Live l = ready_session(o, true, [](SessionConfig& c) { c.reply_start_timeout = 10s; });
  auto& [server, events, session] = l;

  session->send(protocol::RealtimeInput::with_text("hello"));
  events->wait_message(is_turn_complete);
  session->send(protocol::RealtimeInput::with_text("again"));
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  assert_str(events->reply_text(), "You wrote: hello.You wrote: again.");
  fail_unless(events->warnings().empty());
}
GST_END_TEST;

GST_START_TEST(test_end_input_without_reply) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.reply_start_timeout = 300ms; });
  auto& [server, events, session] = l;

  const gint64 t0 = g_get_monotonic_time();
  session->end_input(true);  // no input at all: nothing to answer
  events->wait_state(SessionState::Finished);
  const gint64 ms = (g_get_monotonic_time() - t0) / 1000;
  fail_unless(ms >= 290 && ms < 3000, "finished after %" G_GINT64_FORMAT " ms", ms);
  fail_unless(events->warnings().empty());
  fail_unless_equals_int(server->stats().turns_started, 0);

  // Sending after Finished is ignored.
  session->send(protocol::RealtimeInput::with_text("late"));
  std::this_thread::sleep_for(100ms);
  fail_unless(server->stats().texts.empty());
}
GST_END_TEST;

GST_START_TEST(test_end_input_before_ready) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  auto session = LiveSession::create(config_for(*server), events);
  // A tiny file: all of it, and its end, before the connection exists.
  session->send_video_frame(jpeg());
  session->end_input(true);
  session->start();
  events->wait_state(SessionState::Finished);

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 3);
  fail_unless(contains(received[0], "\"setup\""));
  fail_unless(contains(received[1], "\"video\""));
  assert_str(received[2], R"({"realtimeInput":{"audioStreamEnd":true}})");
  const std::string expected = mock::synthesize_reply_pcm("I saw 1 frame, a 64x48 JPEG.");
  fail_unless(events->reply_pcm() == expected, "the reply is not the expected speech");
  auto all = events->events();
  fail_unless(Events::index_of_state(all, SessionState::Ready) < Events::index_of_state(all, SessionState::Finishing));
}
GST_END_TEST;

GST_START_TEST(test_held_audio_is_bounded) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.max_held_audio = 10s;
  auto session = LiveSession::create(config, events);
  std::string kept;
  for (unsigned i = 0; i < 120; ++i) {  // 12 s of 100 ms chunks while not connected
    const std::string chunk = quiet_pcm(3200, i);
    if (i >= 20) kept += chunk;
    session->send(audio(chunk));
  }
  session->start();
  events->wait_state(SessionState::Ready);
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == kept.size(); }, kWait));
  assert_str(server->stats().audio_sha256, sha256_hex(kept));

  // Reported with the amount, not per chunk.
  fail_unless(events->wait([](const auto& e) {
    for (const auto& ev : e)
      if (ev.type == Event::Type::Warning) return true;
    return false;
  }));
  std::this_thread::sleep_for(50ms);
  auto warnings = events->warnings();
  fail_unless(!warnings.empty() && warnings.size() <= 2, "%zu warnings", warnings.size());
  fail_unless(contains(warnings[0], "dropped the oldest"), "%s", warnings[0].c_str());
  fail_unless(contains(warnings[0], "of audio ("), "%s", warnings[0].c_str());
  uint64_t dropped = 0;
  for (const auto& w : warnings) dropped += std::stoull(w.substr(w.find('(') + 1));
  fail_unless_equals_int64(dropped, 20 * 3200);
}
GST_END_TEST;

// Vertex AI: the setup the service gets names the model by its full resource
// path and asks for audio (as SDK 2.32.0 writes it), over the Vertex path
// with the bearer token.
GST_START_TEST(test_vertex_setup_on_the_wire) {
  ServerOptions o = opts();
  o.access_tokens = {"vertex-token"};
  Live l = ready_session(o, false, [](SessionConfig& c) {
    c.uri = c.uri.substr(0, c.uri.find("/ws/"));  // the host: the path comes from the backend
    c.api_key.clear();
    c.backend = protocol::Backend::VertexAi;
    c.project = "my-project";
    c.location = "us-central1";
    c.access_token = "vertex-token";
    c.setup.session_resumption = protocol::SessionResumptionConfig{{}, true};
  });
  const ServerStats stats = l.server->stats();
  assert_str(stats.last_request_path, kVertexPath);
  fail_unless(stats.bearer_tokens == std::vector<int>{0});
  assert_str(stats.last_setup_json,
             R"({"setup":{"model":"projects/my-project/locations/us-central1/publishers/google/models/)"
             R"(gemini-2.5-flash-native-audio-preview-12-2025","generationConfig":{"responseModalities":["AUDIO"]},)"
             R"("sessionResumption":{"transparent":true}}})");
}
GST_END_TEST;

static Suite* session_suite() {
  Suite* s = suite_create("session");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_state_names);
  tcase_add_test(tc, test_vertex_setup_on_the_wire);
  tcase_add_test(tc, test_close_mapping);
  tcase_add_test(tc, test_held_messages_bounds);
  tcase_add_test(tc, test_turn_tracker);
  tcase_add_test(tc, test_setup_first_then_held_messages_in_order);
  tcase_add_test(tc, test_audio_arrives_complete);
  tcase_add_test(tc, test_newest_video_frame_wins_before_ready);
  tcase_add_test(tc, test_end_input_audio_stream_end);
  tcase_add_test(tc, test_end_input_text_reply);
  tcase_add_test(tc, test_end_input_after_the_answer_finishes_at_once);
  tcase_add_test(tc, test_end_input_waits_for_a_text_sent_after_the_answer);
  tcase_add_test(tc, test_end_input_without_reply);
  tcase_add_test(tc, test_end_input_before_ready);
  tcase_add_test(tc, test_held_audio_is_bounded);
  tcase_add_test(tc, test_session_on_a_loop_of_its_own);
  tcase_add_test(tc, test_shared_loops_hold_a_bounded_number_of_sessions);
  return s;
}

GST_CHECK_MAIN(session);
