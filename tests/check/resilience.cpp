// SPDX-License-Identifier: LGPL-2.1-or-later
// A session across the service's faults, injected by the in-process server:
// goAway (the switch to the next connection loses and repeats nothing;
// mid-reply it waits for the reply's end, when the session is resumable
// again), abrupt drops (reconnect at once, loss measured and bounded), a
// stalled server (detected within the stall timeout, no false alarm in a
// quiet session), bursts of 1011 (backoff, then giving up), and the closes
// that must not be retried (stale handle, wrong key, 1007 on setup).
#include <gst/check/gstcheck.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "check_util.h"
#include "reply_synth.h"
#include "resilience_util.h"
#include "session_util.h"

using namespace geminilive::testing;
using namespace geminilive::session;
namespace mock = geminilive::mock;
using Kind = SessionError::Kind;
using Cause = Reconnection::Cause;

// ---- goAway ----

GST_START_TEST(test_go_away_switch_keeps_audio_byte_exact) {
  ServerOptions o = opts();
  o.go_away_after = 400ms;       // on every connection: several switches
  o.go_away_time_left = 1500ms;  // then the old one is closed 1008
  Live l = ready_session(o, false, quick_backoff);
  Feeder feeder(l.session);
  wait_count(*l.events, Event::Type::Resumed, 3);
  feeder.stop();
  const std::string sent = [&] {
    std::string all;
    for (const auto& c : feeder.sent()) all += c;
    return all;
  }();
  fail_unless(l.server->wait_for([&](const ServerStats& s) { return s.audio_bytes >= sent.size(); }, kWait),
              "the server got %" G_GUINT64_FORMAT " of %zu bytes", l.server->stats().audio_bytes, sent.size());
  // Let every old connection close, so nothing more can arrive.
  std::this_thread::sleep_for(300ms);
  const ServerStats s = l.server->stats();
  fail_unless_equals_uint64(s.audio_bytes, sent.size());
  assert_str(s.audio_sha256, sha256_hex(sent));
  fail_unless(s.resumed >= 3, "%u resumed setups", s.resumed);

  for (const auto& e : of_type(*l.events, Event::Type::Reconnecting)) {
    fail_unless(e.reconnection.cause == Cause::GoAway);
    fail_unless(e.reconnection.resuming);
  }
  for (const auto& e : of_type(*l.events, Event::Type::Resumed)) {
    fail_unless(e.resumption.cause == Cause::GoAway);
    fail_unless(e.resumption.resumed);
  }
  fail_unless(l.events->warnings().empty(), "warning: %s", l.events->warnings().at(0).c_str());
  fail_unless(l.session->state() == SessionState::Ready);
  std::fprintf(stderr, "goAway: %zu bytes over %u connections, %u resumed, byte-exact\n", sent.size(), s.connections,
               s.resumed);
}
GST_END_TEST;

// While the model answers, the service says the session is not resumable:
// a handle from before the question would resume a session without it. A
// goAway mid-reply therefore switches at the handle that follows the reply.
GST_START_TEST(test_go_away_mid_reply_switches_after_it) {
  ServerOptions o;
  o.reply_speed = 1.0;  // the reply takes its real length, so the goAway lands in it
  o.go_away_after = 300ms;
  o.go_away_time_left = 5000ms;
  Live l = ready_session(o, false, quick_backoff);
  l.session->send(protocol::RealtimeInput::with_text("hello"));
  l.events->wait_message(is_turn_complete);
  wait_count(*l.events, Event::Type::Resumed, 1);

  // In order: the goAway during the reply, the turn's end, the handle after
  // it, the switch; the next setup resumed from that handle.
  const auto all = l.events->events();
  std::size_t go_away = SIZE_MAX, not_resumable = SIZE_MAX, complete = SIZE_MAX, resumed = SIZE_MAX;
  std::string handle;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].type == Event::Type::Resumed && resumed == SIZE_MAX) resumed = i;
    if (all[i].type != Event::Type::Message || resumed != SIZE_MAX) continue;
    const auto& m = all[i].message;
    if (m.go_away) go_away = i;
    if (is_turn_complete(m)) complete = i;
    if (m.session_resumption_update && !m.session_resumption_update->resumable && not_resumable == SIZE_MAX)
      not_resumable = i;
    if (m.session_resumption_update && m.session_resumption_update->resumable)
      handle = m.session_resumption_update->new_handle;
  }
  fail_unless(not_resumable < go_away && go_away < complete && complete < resumed,
              "not resumable %zu, goAway %zu, turnComplete %zu, resumed %zu", not_resumable, go_away, complete,
              resumed);
  const std::string setup = l.server->stats().last_setup_json;
  fail_unless(contains(setup, "\"handle\":\"" + handle + "\""), "resumed with another handle than %s: %s",
              handle.c_str(), setup.c_str());
  const std::string expected = mock::synthesize_reply_pcm("You wrote: hello.");
  fail_unless_equals_uint64(l.events->reply_pcm().size(), expected.size());
  fail_unless(l.events->reply_pcm() == expected, "the reply audio differs");
  fail_unless(l.events->warnings().empty(), "warning: %s", l.events->warnings().at(0).c_str());

  // The next input goes to the new connection and is answered there.
  l.session->send(protocol::RealtimeInput::with_text("again"));
  fail_unless(l.events->wait([](const auto& e) {
    std::size_t n = 0;
    for (const auto& ev : e) n += ev.type == Event::Type::Message && is_turn_complete(ev.message);
    return n >= 2;
  }));
  fail_unless(l.session->state() == SessionState::Ready);
}
GST_END_TEST;

// ---- drops ----

GST_START_TEST(test_drop_mid_stream_loss_is_bounded) {
  Live l = ready_session(opts(), false, quick_backoff);
  Feeder feeder(l.session);
  std::this_thread::sleep_for(700ms);
  l.server->drop_connection();
  wait_count(*l.events, Event::Type::Resumed, 1);
  std::this_thread::sleep_for(700ms);
  feeder.stop();
  const auto sent = feeder.sent();
  // Everything sent since the reconnection arrives.
  fail_unless(poll_until([&] {
    const auto got = received_chunk_indexes(*l.server, sent);
    return !got.empty() && got.back() == static_cast<int>(sent.size()) - 1;
  }));

  // In order, nothing twice, nothing foreign; the loss is one run of chunks.
  const auto got = received_chunk_indexes(*l.server, sent);
  int lost = 0, gaps = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    fail_unless(got[i] >= 0, "a chunk that was never sent");
    const int expected = i == 0 ? 0 : got[i - 1] + 1;
    fail_unless(got[i] >= expected, "chunk %d arrived after chunk %d", got[i], got[i - 1]);
    if (got[i] > expected) {
      lost += got[i] - expected;
      ++gaps;
    }
  }
  std::fprintf(stderr, "drop: %d of %zu chunks lost (%d ms of audio)\n", lost, sent.size(),
               lost * static_cast<int>(kChunkTime.count()));
  fail_unless(gaps <= 1, "%d gaps", gaps);
  fail_unless(lost <= 10, "%d chunks (%d ms) lost at the drop", lost, lost * 20);  // at most 200 ms

  const auto reconnecting = of_type(*l.events, Event::Type::Reconnecting);
  fail_unless_equals_int64(reconnecting.size(), 1);
  fail_unless(reconnecting[0].reconnection.cause == Cause::Dropped);
  fail_unless_equals_int(reconnecting[0].reconnection.attempt, 1);
  fail_unless_equals_int64(reconnecting[0].reconnection.delay.count(), 0);  // the first goes at once
  fail_unless_equals_int(reconnecting[0].reconnection.close_code, 1006);
  fail_unless(reconnecting[0].reconnection.resuming);
  const auto resumed = of_type(*l.events, Event::Type::Resumed);
  fail_unless(resumed[0].resumption.resumed);
  fail_unless_equals_int(resumed[0].resumption.attempts, 1);
  fail_unless_equals_int(l.server->stats().resumed, 1);
  fail_unless(Events::index_of_state(l.events->events(), SessionState::Reconnecting) != SIZE_MAX);
  fail_unless(l.session->state() == SessionState::Ready);
}
GST_END_TEST;

// ---- stalls ----

GST_START_TEST(test_stall_is_detected_and_resumed) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) {
    quick_backoff(c);
    c.stall_timeout = 2500ms;
  });
  Feeder feeder(l.session);
  std::this_thread::sleep_for(300ms);
  const auto t0 = std::chrono::steady_clock::now();
  l.server->stall(5000ms);
  wait_count(*l.events, Event::Type::Reconnecting, 1, 8000ms);
  const auto detected = std::chrono::steady_clock::now() - t0;
  const auto r = of_type(*l.events, Event::Type::Reconnecting).at(0).reconnection;
  fail_unless(r.cause == Cause::Dropped);
  fail_unless(contains(r.reason, "stalled"), "%s", r.reason.c_str());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(detected).count();
  std::fprintf(stderr, "stall detected after %lld ms (stall-timeout 2500 ms)\n", static_cast<long long>(ms));
  fail_unless(ms >= 2000 && ms <= (under_valgrind() ? 8000 : 4500), "detected after %lld ms",
              static_cast<long long>(ms));

  // Once the server answers again, the session resumes and audio flows.
  wait_count(*l.events, Event::Type::Resumed, 1, 15000ms);
  const uint64_t before = l.server->stats().audio_bytes;
  fail_unless(l.server->wait_for([&](const ServerStats& s) { return s.audio_bytes > before + 10 * kChunk; }, kWait));
  feeder.stop();
}
GST_END_TEST;

GST_START_TEST(test_quiet_session_is_not_a_stall) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.stall_timeout = 2500ms; });
  // No input and no output: only pings and pongs cross.
  std::this_thread::sleep_for(7s);
  fail_unless(of_type(*l.events, Event::Type::Reconnecting).empty(), "a quiet session was taken for a stalled one");
  fail_unless(l.session->state() == SessionState::Ready);
  fail_unless_equals_int(l.server->stats().connections, 1);
}
GST_END_TEST;

// A reconnection attempt that gets no answer ends at the connect timeout,
// once: each attempt is counted and announced once, in order. Over a 2.5 s
// outage with a 1 s timeout that is three attempts (at 0, 1.1 and 2.3 s),
// within a limit of four.
GST_START_TEST(test_unanswered_attempts_count_once) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) {
    quick_backoff(c);
    c.connect_timeout = 1000ms;
    c.max_reconnect_attempts = 4;
  });
  l.server->drop_connection();
  l.server->stall(2500ms);  // the kernel accepts the attempts; nobody answers them
  wait_count(*l.events, Event::Type::Resumed, 1, 15000ms);
  const auto attempts = of_type(*l.events, Event::Type::Reconnecting);
  fail_unless(attempts.size() >= 2 && attempts.size() <= 3, "%zu attempts", attempts.size());
  for (std::size_t i = 0; i < attempts.size(); ++i) fail_unless_equals_int(attempts[i].reconnection.attempt, i + 1);
  const auto resumed = of_type(*l.events, Event::Type::Resumed).at(0).resumption;
  fail_unless_equals_int(resumed.attempts, attempts.size());
  fail_unless(resumed.resumed);
  fail_unless(l.session->state() == SessionState::Ready);
}
GST_END_TEST;

// ---- 1011 bursts ----

GST_START_TEST(test_burst_of_1011_is_survived_with_backoff) {
  Live l = ready_session(opts(), true, quick_backoff);
  for (std::size_t k = 1; k <= 3; ++k) {
    l.server->close_connection(1011, "Internal error encountered.");
    wait_count(*l.events, Event::Type::Resumed, k);
  }
  const auto r = of_type(*l.events, Event::Type::Reconnecting);
  fail_unless_equals_int64(r.size(), 3);
  // Each came before the previous connection proved stable: the count goes
  // on and the delay doubles (0, 100, 200 ms).
  for (std::size_t i = 0; i < r.size(); ++i) {
    fail_unless_equals_int(r[i].reconnection.attempt, i + 1);
    fail_unless_equals_int(r[i].reconnection.close_code, 1011);
    assert_str(r[i].reconnection.reason, "Internal error encountered.");
  }
  fail_unless_equals_int64(r[0].reconnection.delay.count(), 0);
  fail_unless_equals_int64(r[1].reconnection.delay.count(), 100);
  fail_unless_equals_int64(r[2].reconnection.delay.count(), 200);
  // The conversation goes on.
  l.session->send(protocol::RealtimeInput::with_text("still there?"));
  l.events->wait_message(is_turn_complete);
  assert_str(l.events->reply_text(), "You wrote: still there?");
  fail_unless_equals_int(l.server->stats().resumed, 3);
}
GST_END_TEST;

GST_START_TEST(test_reconnection_gives_up) {
  ServerOptions o = opts();
  o.close_after = 100ms;  // every connection
  o.close_code = 1011;
  o.close_reason = "The service is currently unavailable.";
  Live l = ready_session(o, false, [](SessionConfig& c) {
    quick_backoff(c);
    c.max_reconnect_attempts = 3;
  });
  SessionError e = l.events->wait_error();
  fail_unless(e.kind == Kind::Closed);
  fail_unless_equals_int(e.close_code, 1011);
  assert_str(e.reason, "The service is currently unavailable.");
  fail_unless(contains(e.message, "The service is currently unavailable."), "%s", e.message.c_str());
  fail_unless(contains(e.message, "gave up after 3 reconnection attempts"), "%s", e.message.c_str());
  fail_unless_equals_int(l.server->stats().connections, 4);
  l.events->wait_state(SessionState::Failed);
}
GST_END_TEST;

// ---- final closes: no retry ----

GST_START_TEST(test_stale_handle_is_final) {
  Live l = ready_session(opts(), false, quick_backoff);
  l.events->wait_message([](const protocol::ServerMessage& m) { return m.session_resumption_update.has_value(); });
  l.server->forget_handles();  // as after the two hours a handle lives
  l.server->drop_connection();
  SessionError e = l.events->wait_error();
  fail_unless(e.kind == Kind::NotFound);
  fail_unless_equals_int(e.close_code, 1008);
  assert_str(e.reason, "BidiGenerateContent session not found");
  fail_unless(contains(e.message, "resumption handle"), "%s", e.message.c_str());
  std::this_thread::sleep_for(500ms);
  fail_unless_equals_int(l.server->stats().connections, 2);  // the drop's reconnection, no loop
}
GST_END_TEST;

GST_START_TEST(test_wrong_key_is_final) {
  ServerOptions o = opts();
  o.api_key = "the-right-key";
  auto server = start_server(o);
  auto events = std::make_shared<Events>();
  auto session = start_session(config_for(*server), events);  // sends "test-key"
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Unauthorized);
  assert_str(e.reason, kBadKey);
  std::this_thread::sleep_for(500ms);
  fail_unless_equals_int(server->stats().connections, 1);
  fail_unless(of_type(*events, Event::Type::Reconnecting).empty());
}
GST_END_TEST;

GST_START_TEST(test_invalid_setup_is_final) {
  ServerOptions o = opts();
  o.setup_close_code = 1007;
  auto server = start_server(o);
  auto events = std::make_shared<Events>();
  auto session = start_session(config_for(*server), events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::InvalidArgument);
  fail_unless_equals_int(e.close_code, 1007);
  assert_str(e.reason, "Request contains an invalid argument.");
  std::this_thread::sleep_for(500ms);
  fail_unless_equals_int(server->stats().connections, 1);
}
GST_END_TEST;

// ---- context changes without contextUpdate ----

std::vector<protocol::Setup> received_setups(const LiveServer& server) {
  std::vector<protocol::Setup> out;
  for (const auto& text : server.received_messages()) {
    auto m = protocol::decode_client_message(text);
    if (m)
      if (const auto* setup = std::get_if<protocol::Setup>(&m.value())) out.push_back(*setup);
  }
  return out;
}

bool is_resumable_handle(const protocol::ServerMessage& m) {
  return m.session_resumption_update && m.session_resumption_update->resumable;
}

// The change goes in a new connection's setup, which resumes the session at
// a handle; the audio streams on across the switch, none lost or repeated.
GST_START_TEST(test_context_change_switches_connection_byte_exact) {
  Live l = ready_session(opts(), false, quick_backoff);  // context_update is off
  l.events->wait_message(is_resumable_handle);
  Feeder feeder(l.session);
  std::this_thread::sleep_for(300ms);
  ContextChange change;
  change.system_instruction = protocol::Content::from_text("Now answer in French.", "user");
  l.session->update_context(change);
  const Event applied = l.events->wait_event(Event::Type::ContextChanged);
  fail_unless(applied.context.reconnected);
  fail_unless(applied.context.resumed);
  std::this_thread::sleep_for(300ms);
  feeder.stop();
  const std::vector<std::string> chunks = feeder.sent();
  const std::string sent = concat(chunks);
  fail_unless(l.server->wait_for([&](const ServerStats& s) { return s.audio_bytes >= sent.size(); }, kWait),
              "the server got %" G_GUINT64_FORMAT " of %zu bytes", l.server->stats().audio_bytes, sent.size());
  std::this_thread::sleep_for(300ms);  // the old connection is closed: nothing more can arrive
  const ServerStats s = l.server->stats();
  fail_unless_equals_uint64(s.audio_bytes, sent.size());
  assert_str(s.audio_sha256, sha256_hex(sent));
  const std::vector<int> order = received_chunk_indexes(*l.server, chunks);
  for (std::size_t i = 0; i < order.size(); ++i) fail_unless_equals_int(order[i], static_cast<int>(i));

  fail_unless_equals_int(s.connections, 2);
  fail_unless_equals_int(s.resumed, 1);
  const auto setups = received_setups(*l.server);
  fail_unless_equals_int64(setups.size(), 2);
  fail_unless(!setups[0].system_instruction);
  fail_unless(setups[1].system_instruction.has_value());
  assert_str(setups[1].system_instruction->text(), "Now answer in French.");
  fail_unless(setups[1].session_resumption && setups[1].session_resumption->handle &&
              !setups[1].session_resumption->handle->empty());
  // Not an outage: no reconnecting/resumed events, no warnings.
  fail_unless(of_type(*l.events, Event::Type::Reconnecting).empty());
  fail_unless(of_type(*l.events, Event::Type::Resumed).empty());
  fail_unless(l.events->warnings().empty(), "warning: %s", l.events->warnings().at(0).c_str());
  fail_unless_equals_int64(l.session->stats().reconnections, 1);
  fail_unless(l.session->state() == SessionState::Ready);
  std::fprintf(stderr, "context change: %zu bytes over %u connections, byte-exact\n", sent.size(), s.connections);
}
GST_END_TEST;

// Without resumption the new connection starts a fresh conversation: the
// change still applies, with a warning, and later connections keep it.
GST_START_TEST(test_context_change_without_resumption_warns) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.resumption = false; });
  ContextChange change;
  change.system_instruction = protocol::Content::from_text("Be brief.", "user");
  l.session->update_context(change);
  l.events->wait_warning(
      "The new system instruction or tools need a new connection, and session resumption is off: the model starts "
      "a fresh conversation there and forgets what was said so far.");
  const Event applied = l.events->wait_event(Event::Type::ContextChanged);
  fail_unless(applied.context.reconnected);
  fail_unless(!applied.context.resumed);
  const auto setups = received_setups(*l.server);
  fail_unless_equals_int64(setups.size(), 2);
  assert_str(setups[1].system_instruction->text(), "Be brief.");
  fail_unless(!setups[1].session_resumption);
  // The session goes on there.
  const std::string pcm = quiet_pcm(640, 9);
  l.session->send(audio(pcm));
  fail_unless(l.server->wait_for([](const ServerStats& s) { return s.audio_bytes == 640; }, kWait));
  fail_unless(l.session->state() == SessionState::Ready);
}
GST_END_TEST;

static Suite* resilience_suite() {
  Suite* s = suite_create("resilience");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_go_away_switch_keeps_audio_byte_exact);
  tcase_add_test(tc, test_context_change_switches_connection_byte_exact);
  tcase_add_test(tc, test_context_change_without_resumption_warns);
  tcase_add_test(tc, test_go_away_mid_reply_switches_after_it);
  tcase_add_test(tc, test_drop_mid_stream_loss_is_bounded);
  tcase_add_test(tc, test_stall_is_detected_and_resumed);
  tcase_add_test(tc, test_quiet_session_is_not_a_stall);
  tcase_add_test(tc, test_unanswered_attempts_count_once);
  tcase_add_test(tc, test_burst_of_1011_is_survived_with_backoff);
  tcase_add_test(tc, test_reconnection_gives_up);
  tcase_add_test(tc, test_stale_handle_is_final);
  tcase_add_test(tc, test_wrong_key_is_final);
  tcase_add_test(tc, test_invalid_setup_is_final);
  return s;
}

GST_CHECK_MAIN(resilience);
