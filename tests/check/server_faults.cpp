// SPDX-License-Identifier: LGPL-2.1-or-later
// The local Live server's session resumption (handles, new instructions on
// a resumed setup), scripted faults (GoAway, drop, close, close mid-reply),
// hooks and large frames, as a client sees them. Part of the server suite
// (tests/check/meson.build); the helpers are in server_util.h.
#include <gst/check/gstcheck.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "protocol/client_message.h"
#include "protocol/duration.h"
#include "protocol/server_message.h"
#include "server_util.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

// ---- session resumption ----

GST_START_TEST(test_session_resumption) {
  auto server = start_server(opts());
  protocol::Setup s = setup(true);
  s.session_resumption = protocol::SessionResumptionConfig{};
  std::string handle;
  {
    TestClient c(live_uri(*server));
    c.start_session(s);
    auto first = c.message(
        c.wait_message([](const protocol::ServerMessage& m) { return m.session_resumption_update.has_value(); }, 1));
    fail_unless(first.session_resumption_update->resumable);
    fail_unless(!first.session_resumption_update->new_handle.empty());

    c.send(protocol::RealtimeInput::with_text("remember me"));
    std::size_t end = 0;
    turn_messages(c, 2, &end);
    auto update = c.message(
        c.wait_message([](const protocol::ServerMessage& m) { return m.session_resumption_update.has_value(); }, end));
    fail_unless(update.session_resumption_update->resumable);
    handle = update.session_resumption_update->new_handle;
    fail_unless(handle != first.session_resumption_update->new_handle);
    c.close();
    c.wait_closed();
  }
  {
    s.session_resumption->handle = handle;
    TestClient c(live_uri(*server));
    c.start_session(s);
    fail_unless_equals_int64(server->stats().resumed, 1);
  }
  {
    s.session_resumption->handle = "stale-handle";
    TestClient c(live_uri(*server));
    c.send(s);
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1008);
    assert_str(info.reason.c_str(), "BidiGenerateContent session not found");
  }
  // Without sessionResumption in the setup there are no updates.
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  c.send(protocol::RealtimeInput::with_text("x"));
  std::size_t end = 0;
  turn_messages(c, 1, &end);
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int64(c.frame_count(), end);
}
GST_END_TEST;

// Transparent resumption: each update names the last client message after
// the setup (1, 2, ...) that its handle's state holds, and a resumed state
// holds exactly those. A client that does not send the rest again leaves a
// gap in the session's audio; one that sends too much, a repeat.
GST_START_TEST(test_transparent_resumption_state_at_the_index) {
  auto server = start_server(opts());
  protocol::Setup s = setup(true);
  s.session_resumption = protocol::SessionResumptionConfig{};
  s.session_resumption->transparent = true;
  std::vector<std::string> chunks;  // quiet, distinct: no turn starts
  for (unsigned i = 0; i < 14; ++i) {
    chunks.push_back(std::string(640, '\0'));
    chunks.back()[0] = static_cast<char>(i + 1);
  }
  auto blob = [](const std::string& pcm) { return protocol::RealtimeInput::with_audio({"audio/pcm;rate=16000", pcm}); };
  auto index_of = [](const protocol::ServerMessage& m) {
    return m.session_resumption_update ? m.session_resumption_update->last_consumed_client_message_index
                                       : std::optional<int64_t>();
  };
  std::string handle;
  {
    TestClient c(live_uri(*server));
    c.start_session(s);
    auto at_setup = c.message(c.wait_message([&](const auto& m) { return index_of(m).has_value(); }, 1));
    fail_unless_equals_int64(*index_of(at_setup), 0);  // the setup's
    for (const auto& chunk : chunks) c.send(blob(chunk));
    auto tenth = c.message(c.wait_message([&](const auto& m) { return index_of(m).value_or(0) > 0; }, 2));
    const int64_t consumed = *index_of(tenth);
    fail_unless_equals_int64(consumed, 10);  // one every 10 messages
    fail_unless(tenth.session_resumption_update->resumable);
    handle = tenth.session_resumption_update->new_handle;
    fail_unless(server->wait_for([](const mock::ServerStats& st) { return st.session_audio_bytes == 14 * 640; }, 5s));
    c.close();
    c.wait_closed();
  }
  std::string all;
  for (const auto& chunk : chunks) all += chunk;
  s.session_resumption->handle = handle;
  auto resume_and_send = [&](std::size_t from, std::size_t to) {
    TestClient c(live_uri(*server));
    c.start_session(s);
    for (std::size_t i = from; i < to; ++i) c.send(blob(chunks[i]));
    c.close();
    c.wait_closed();
    return server->stats();
  };
  // Nothing sent again: the state stops at the 10th message.
  mock::ServerStats st = resume_and_send(0, 0);
  fail_unless_equals_int64(st.session_audio_bytes, 10 * 640);
  assert_str(st.session_audio_sha256, sha256_hex(all.substr(0, 10 * 640)));
  // Exactly the rest: every byte once (each resumption starts from the handle's state).
  st = resume_and_send(10, 14);
  fail_unless_equals_int64(st.session_audio_bytes, 14 * 640);
  assert_str(st.session_audio_sha256, sha256_hex(all));
  // Too much: a repeat.
  st = resume_and_send(8, 14);
  fail_unless_equals_int64(st.session_audio_bytes, 16 * 640);
  fail_unless(st.session_audio_sha256 != sha256_hex(all));
  fail_unless_equals_int64(st.resumed, 3);
}
GST_END_TEST;

GST_START_TEST(test_resumed_setup_with_new_instructions) {
  auto server = start_server(opts());
  protocol::Setup s = audio_setup(k38);
  s.session_resumption = protocol::SessionResumptionConfig{};
  s.system_instruction = protocol::Content::from_text("Be brief.", std::string("user"));
  // Resumes with `instruction`, says "x", returns the reply and the next handle.
  std::string handle;
  auto resume_and_ask = [&](const char* instruction) {
    protocol::Setup r = s;
    if (!handle.empty()) r.session_resumption->handle = handle;
    r.system_instruction = protocol::Content::from_text(instruction, std::string("user"));
    TestClient c(live_uri(*server));
    c.start_session(r);
    c.send(protocol::RealtimeInput::with_text("x"));
    std::size_t end = 0;
    Reply reply = collect(turn_messages(c, 1, &end));
    handle = c.message(c.wait_message([](const auto& m) { return m.session_resumption_update.has_value(); }, end))
                 .session_resumption_update->new_handle;
    return reply.output_transcript;
  };
  assert_str(resume_and_ask("Be brief."), "You wrote: x.");  // a new session
  assert_str(resume_and_ask("Be brief."), "You wrote: x.");  // resumed, same instruction
  assert_str(resume_and_ask("Be verbose."), "Following new instructions: \"Be verbose.\". You wrote: x.");
  assert_str(resume_and_ask("Be verbose."), "You wrote: x.");
  fail_unless_equals_int64(server->stats().resumed, 3);
}
GST_END_TEST;

// ---- scripted faults and hooks ----

GST_START_TEST(test_go_away_then_close) {
  ServerOptions o = opts();
  o.go_away_after = 200ms;
  o.go_away_time_left = 300ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  const gint64 setup_at = c.frames()[0].at_us;
  std::size_t at = c.wait_message([](const protocol::ServerMessage& m) { return m.go_away.has_value(); });
  auto go_away = c.message(at).go_away;
  fail_unless(go_away->time_left == std::chrono::nanoseconds(300ms));
  const std::string time_left = "\"timeLeft\": \"" + protocol::format_duration(300ms) + "\"";
  fail_unless(c.frames()[at].payload.find(time_left) != std::string::npos, "%s", c.frames()[at].payload.c_str());
  const gint64 go_away_at = c.frames()[at].at_us;
  fail_unless((go_away_at - setup_at) / 1000 >= 180, "goAway too early");
  CloseInfo info = c.wait_closed();
  fail_unless(info.kind == CloseInfo::Kind::Closed);
  fail_unless_equals_int64(info.code, 1008);
  assert_str(info.reason.c_str(), "The operation was aborted.");
  fail_unless((c.closed_at_us() - go_away_at) / 1000 >= 280, "closed before timeLeft ran out");
}
GST_END_TEST;

GST_START_TEST(test_drop_after) {
  ServerOptions o = opts();
  o.drop_after = 150ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  CloseInfo info = c.wait_closed();
  fail_unless(info.kind == CloseInfo::Kind::Dropped, "a close frame arrived (code %d)", info.code);
  fail_unless_equals_int64(info.code, 1006);
}
GST_END_TEST;

GST_START_TEST(test_close_after) {
  ServerOptions o = opts();
  o.close_after = 100ms;
  o.close_code = 1011;
  o.close_reason = "The service is currently unavailable.";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  CloseInfo info = c.wait_closed();
  fail_unless(info.kind == CloseInfo::Kind::Closed);
  fail_unless_equals_int64(info.code, 1011);
  assert_str(info.reason.c_str(), "The service is currently unavailable.");
}
GST_END_TEST;

GST_START_TEST(test_hooks) {
  auto server = start_server(opts());
  {
    TestClient c(live_uri(*server));
    c.start_session(setup());
    server->send_raw("{\"custom\": true}", false);
    fail_unless(c.wait_frames(2));
    auto f = c.frames()[1];
    assert_str(f.payload.c_str(), "{\"custom\": true}");
    fail_unless(!f.binary);
    server->send_raw("bin", true);
    fail_unless(c.wait_frames(3));
    fail_unless(c.frames()[2].binary);
    server->close_connection(4000, "bye");
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 4000);
    assert_str(info.reason.c_str(), "bye");
  }
  {
    TestClient c(live_uri(*server));
    c.start_session(setup());
    server->drop_connection();
    fail_unless(c.wait_closed().kind == CloseInfo::Kind::Dropped);
  }
}
GST_END_TEST;

GST_START_TEST(test_close_mid_reply) {
  ServerOptions o = opts();
  o.reply_speed = 1.0;
  o.first_reply_delay = 50ms;
  o.go_away_after = 10s;  // armed timers die with the connection
  auto server = start_server(o);
  for (int i = 0; i < 3; ++i) {
    TestClient c(live_uri(*server));
    c.start_session(setup());
    c.send(protocol::RealtimeInput::with_text("a reply that will never finish"));
    c.wait_message([](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; },
                   1);
    if (i == 2)
      server->drop_connection();
    else
      c.close();
    c.wait_closed();
  }
  std::this_thread::sleep_for(300ms);
  fail_unless_equals_int64(server->stats().turns_completed, 0);
}
GST_END_TEST;

GST_START_TEST(test_large_frame) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  const std::string big = silence(300.0);  // 9.6 MB of PCM, 12.8 MB of base64
  c.send(audio(big));
  c.send(protocol::RealtimeInput::with_text("done"));
  Reply r = collect(turn_messages(c, 1, nullptr));
  assert_str(r.text.c_str(), "You wrote: done.");  // quiet is not part of a turn
  ServerStats s = server->stats();
  fail_unless_equals_int64(s.audio_bytes, big.size());
  assert_str(s.audio_sha256.c_str(), sha256(big).c_str());
}
GST_END_TEST;

static Suite* server_faults_suite() {
  Suite* s = suite_create("server_faults");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_session_resumption);
  tcase_add_test(tc, test_transparent_resumption_state_at_the_index);
  tcase_add_test(tc, test_go_away_then_close);
  tcase_add_test(tc, test_drop_after);
  tcase_add_test(tc, test_close_after);
  tcase_add_test(tc, test_hooks);
  tcase_add_test(tc, test_close_mid_reply);
  tcase_add_test(tc, test_large_frame);
  tcase_add_test(tc, test_resumed_setup_with_new_instructions);
  return s;
}

GST_CHECK_MAIN(server_faults);
