// SPDX-License-Identifier: LGPL-2.1-or-later
// Transparent resumption across the service's faults: the in-process server
// says in each handle which client messages its state holds, and a resumed
// state holds exactly those; the session sends the rest again. So across
// drops (no close frame) and goAway switches, the audio in the server's
// session state equals the input byte for byte, where today's mode loses
// what was in flight at a drop. And the replay log on its own.
#include <gst/check/gstcheck.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "log_capture.h"
#include "resilience_util.h"
#include "session/replay_log.h"
#include "session_util.h"
#include "transport/send_queue.h"

using namespace geminilive::testing;
using namespace geminilive::session;
using Cause = Reconnection::Cause;

namespace {

void transparent(SessionConfig& c) {
  quick_backoff(c);
  c.transparent_resumption = true;
}

struct Outcome {
  std::string sent;
  ServerStats server;
  SessionStats session;
};

// Feeds live audio until `switches` connections took the session over, then
// waits until the server's session state stops changing.
Outcome feed_across(Live& l, std::size_t switches) {
  Feeder feeder(l.session);
  wait_count(*l.events, Event::Type::Resumed, switches);
  std::this_thread::sleep_for(100ms);
  feeder.stop();
  Outcome out;
  out.sent = concat(feeder.sent());
  // Settled: the state has all (or, without transparent resumption, all it
  // will get), and nothing changes for a while.
  uint64_t last = UINT64_MAX;
  for (int i = 0; i < 40; ++i) {
    const uint64_t now = l.server->stats().session_audio_bytes;
    if (now == last && now >= out.sent.size() - 4 * kChunk) break;
    last = now;
    l.server->wait_for([&](const ServerStats& s) { return s.session_audio_bytes >= out.sent.size(); }, 150ms);
  }
  out.server = l.server->stats();
  out.session = l.session->stats();
  return out;
}

bool setup_asks_transparent(const std::string& json) { return contains(json, "\"transparent\":true"); }

// Vertex AI bearers for an access-token source (Application Default
// Credentials' shape) that answers from a thread of its own, after a delay
// per call (the last repeats): connection N gets bearer N.
class LateTokens {
 public:
  explicit LateTokens(std::vector<std::chrono::milliseconds> delays) : state_(std::make_shared<State>()) {
    state_->delays = std::move(delays);
  }
  ~LateTokens() { join(); }

  static std::string bearer(std::size_t n) { return "ya29.bearer-" + std::to_string(n) + "-5ecret"; }
  static std::vector<std::string> bearers() {
    std::vector<std::string> all;
    for (std::size_t n = 0; n < 8; ++n) all.push_back(bearer(n));
    return all;
  }

  void configure(SessionConfig& c) const {
    c.uri = c.uri.substr(0, c.uri.find("/ws/"));  // the host: the Vertex path comes from the backend
    c.api_key.clear();
    c.backend = protocol::Backend::VertexAi;
    c.project = "my-proj";
    c.location = "us-central1";
    c.access_token.clear();
    c.access_token_source = [state = state_](SessionConfig::AccessTokenReply reply) {
      std::lock_guard<std::mutex> lock(state->mutex);
      const std::size_t n = state->asked++;
      const auto delay = state->delays[std::min(n, state->delays.size() - 1)];
      state->repliers.emplace_back([reply, n, delay] {
        std::this_thread::sleep_for(delay);
        reply(bearer(n), "");
      });
    };
  }
  std::size_t asked() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->asked;
  }
  void join() {
    std::vector<std::thread> repliers;
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      repliers.swap(state_->repliers);
    }
    for (auto& t : repliers) t.join();
  }

 private:
  struct State {
    mutable std::mutex mutex;
    std::vector<std::chrono::milliseconds> delays;
    std::size_t asked = 0;
    std::vector<std::thread> repliers;
  };
  std::shared_ptr<State> state_;
};

// Live input across a goAway switch whose next connection waits `delays[1]`
// for its bearer: the server's session state holds the input once, in
// order; connection N carried bearer N; no bearer in any debug line.
void go_away_while_the_token_comes(std::chrono::milliseconds time_left, std::chrono::milliseconds token_delay) {
  ServerOptions o = opts();
  o.access_tokens = LateTokens::bearers();
  o.go_away_after = 400ms;  // every connection, from its setupComplete
  o.go_away_time_left = time_left;
  LateTokens tokens({0ms, token_delay});
  LogCapture log;
  Live l = ready_session(o, false, [&](SessionConfig& c) {
    transparent(c);
    tokens.configure(c);
  });
  Feeder feeder(l.session);
  wait_count(*l.events, Event::Type::Resumed, 1);
  std::this_thread::sleep_for(200ms);
  feeder.stop();
  const std::string sent = concat(feeder.sent());
  fail_unless(l.server->wait_for([&](const ServerStats& st) { return st.session_audio_bytes >= sent.size(); }, kWait),
              "the session state holds %" G_GUINT64_FORMAT " of %zu bytes", l.server->stats().session_audio_bytes,
              sent.size());
  std::this_thread::sleep_for(100ms);
  const ServerStats st = l.server->stats();
  const SessionStats session = l.session->stats();
  l.session->stop();
  tokens.join();
  std::fprintf(stderr,
               "goAway (%lld ms left) while the token takes %lld ms: %zu bytes sent, %" G_GUINT64_FORMAT
               " in the session state, %" G_GUINT64_FORMAT " messages sent again, %u connections\n",
               static_cast<long long>(time_left.count()), static_cast<long long>(token_delay.count()), sent.size(),
               st.session_audio_bytes, session.messages_replayed, st.connections);
  fail_unless_equals_uint64(st.session_audio_bytes, sent.size());
  assert_str(st.session_audio_sha256, sha256_hex(sent));
  fail_unless(st.bearer_tokens.size() >= 2);
  for (std::size_t n = 0; n < st.bearer_tokens.size(); ++n) fail_unless_equals_int(st.bearer_tokens[n], n);
  fail_unless(tokens.asked() >= st.bearer_tokens.size());
  const std::string text = log.text();
  fail_unless(contains(text, "access token for connection"), "the debug log was not captured");
  for (std::size_t n = 0; n < tokens.asked(); ++n)
    fail_unless(!contains(text, LateTokens::bearer(n)), "bearer %zu is in the debug log", n);
}

}  // namespace

// Three drops without a close frame: each reconnection resumes at the latest
// handle and first sends again what its state lacks.
GST_START_TEST(test_transparent_drops_deliver_every_byte_once) {
  ServerOptions o = opts();
  o.drop_after = 500ms;  // every connection, from its setupComplete
  Live l = ready_session(o, false, transparent);
  const Outcome r = feed_across(l, 3);
  fail_unless(setup_asks_transparent(r.server.last_setup_json), "%s", r.server.last_setup_json.c_str());
  fail_unless(contains(r.server.last_setup_json, "\"handle\":"), "%s", r.server.last_setup_json.c_str());
  std::fprintf(stderr,
               "transparent drops: %zu bytes sent, %" G_GUINT64_FORMAT " in the session state, %" G_GUINT64_FORMAT
               " received over %u connections, %" G_GUINT64_FORMAT " messages sent again\n",
               r.sent.size(), r.server.session_audio_bytes, r.server.audio_bytes, r.server.connections,
               r.session.messages_replayed);
  fail_unless_equals_uint64(r.server.session_audio_bytes, r.sent.size());
  assert_str(r.server.session_audio_sha256, sha256_hex(r.sent));
  // What the old connections got after their last handle reached the
  // server twice: so without the replay the state would have a gap. (All
  // three drops landing right after an update, with nothing to send
  // again, would make this 0: about one run in a thousand.)
  fail_unless(r.session.messages_replayed > 0);
  for (const auto& e : of_type(*l.events, Event::Type::Reconnecting)) {
    fail_unless(e.reconnection.cause == Cause::Dropped);
    fail_unless(e.reconnection.resuming);
  }
  fail_unless(l.events->warnings().empty(), "warning: %s", l.events->warnings().at(0).c_str());
}
GST_END_TEST;

// The same drops in today's mode: the state resumes from the handle as it
// goes on, so what was in flight at each drop is lost, never repeated.
GST_START_TEST(test_drops_without_transparent_lose_in_flight_input) {
  ServerOptions o = opts();
  o.drop_after = 500ms;
  Live l = ready_session(o, false, quick_backoff);
  const Outcome r = feed_across(l, 3);
  fail_if(setup_asks_transparent(r.server.last_setup_json));
  std::fprintf(stderr,
               "plain drops: %zu bytes sent, %" G_GUINT64_FORMAT " in the session state (%" G_GINT64_FORMAT " lost)\n",
               r.sent.size(), r.server.session_audio_bytes,
               static_cast<gint64>(r.sent.size()) - static_cast<gint64>(r.server.session_audio_bytes));
  fail_unless(r.server.session_audio_bytes <= r.sent.size());
  fail_unless_equals_uint64(r.server.session_audio_bytes, r.server.audio_bytes);  // nothing twice
  fail_unless_equals_uint64(r.session.messages_replayed, 0);
}
GST_END_TEST;

// goAway switches: the next connection resumes at the handle its setup
// carries; what the old one got after that handle is sent again there.
GST_START_TEST(test_transparent_go_away_delivers_every_byte_once) {
  ServerOptions o = opts();
  o.go_away_after = 400ms;
  o.go_away_time_left = 1500ms;
  Live l = ready_session(o, false, transparent);
  const Outcome r = feed_across(l, 3);
  std::fprintf(stderr,
               "transparent goAway: %zu bytes sent, %" G_GUINT64_FORMAT " in the session state, %" G_GUINT64_FORMAT
               " messages sent again\n",
               r.sent.size(), r.server.session_audio_bytes, r.session.messages_replayed);
  fail_unless_equals_uint64(r.server.session_audio_bytes, r.sent.size());
  assert_str(r.server.session_audio_sha256, sha256_hex(r.sent));
  for (const auto& e : of_type(*l.events, Event::Type::Resumed)) {
    fail_unless(e.resumption.cause == Cause::GoAway);
    fail_unless(e.resumption.resumed);
  }
  fail_unless(l.events->warnings().empty(), "warning: %s", l.events->warnings().at(0).c_str());
  fail_unless(l.session->state() == SessionState::Ready);
}
GST_END_TEST;

// A context change without contextUpdate switches connections the same way.
GST_START_TEST(test_transparent_context_switch_delivers_every_byte_once) {
  Live l = ready_session(opts(), false, transparent);
  l.events->wait_message([](const protocol::ServerMessage& m) {
    return m.session_resumption_update && m.session_resumption_update->last_consumed_client_message_index;
  });
  Feeder feeder(l.session);
  std::this_thread::sleep_for(300ms);
  ContextChange change;
  change.system_instruction = protocol::Content::from_text("Now answer in French.", "user");
  l.session->update_context(change);
  const Event applied = l.events->wait_event(Event::Type::ContextChanged);
  fail_unless(applied.context.reconnected && applied.context.resumed);
  std::this_thread::sleep_for(300ms);
  feeder.stop();
  const std::string sent = concat(feeder.sent());
  fail_unless(l.server->wait_for([&](const ServerStats& st) { return st.session_audio_bytes >= sent.size(); }, kWait),
              "the session state holds %" G_GUINT64_FORMAT " of %zu bytes", l.server->stats().session_audio_bytes,
              sent.size());
  std::this_thread::sleep_for(200ms);
  const ServerStats st = l.server->stats();
  fail_unless_equals_uint64(st.session_audio_bytes, sent.size());
  assert_str(st.session_audio_sha256, sha256_hex(sent));
  assert_str(st.system_instruction, "Now answer in French.");
  fail_unless(l.events->warnings().empty(), "warning: %s", l.events->warnings().at(0).c_str());
}
GST_END_TEST;

// A live input faster than the connection takes it, against a server that
// stops reading for a while: the connection's queue drops the oldest audio
// (reported), the server reads again and confirms part of the rest, and the
// connection drops. The service counts only the messages that reached it,
// so across the drop the state holds every chunk that was not reported
// dropped, once, in order: none sent twice because the log counted a
// dropped one, none lost.
GST_START_TEST(test_transparent_drop_after_uplink_drops) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) {
    transparent(c);
    c.stall_timeout = 0ms;  // the server's stall is this test's, not a dead link
  });
  auto updates = [&] {
    std::size_t n = 0;
    for (const auto& e : of_type(*l.events, Event::Type::Message))
      n += e.message.session_resumption_update &&
           e.message.session_resumption_update->last_consumed_client_message_index.has_value();
    return n;
  };
  fail_unless(poll_until([&] { return updates() > 0; }));

  // 2 s chunks of quiet audio, distinct (checked below), far faster than
  // real time while the server reads nothing: the kernel's buffers fill,
  // then the queue's budget, and the oldest queued chunks go.
  constexpr std::size_t kBig = 64 * 1024;
  constexpr unsigned kMost = 200;  // quiet_pcm() repeats from seed 201
  std::vector<std::string> sent;
  auto send = [&](unsigned i) {
    sent.push_back(quiet_pcm(kBig, i));
    l.session->send(audio(sent.back()));
  };
  // Under valgrind pushing takes tens of times longer: the stall too.
  const auto stall = under_valgrind() ? 30000ms : 1500ms;
  l.server->stall(stall);
  unsigned after_drop = 0;
  for (unsigned i = 0; i < kMost - 10 && after_drop < 15; ++i) {
    send(i);
    if (l.session->stats().uplink_dropped > 0) ++after_drop;
  }
  fail_unless(after_drop > 0, "nothing was dropped after %zu chunks", sent.size());
  const std::size_t before = updates();
  // Reading again, the server confirms the first of what it reads; the
  // connection drops while the rest is still on its way.
  fail_unless(poll_until([&] { return updates() > before; }, stall + kWait));
  l.server->drop_connection();
  wait_count(*l.events, Event::Type::Resumed, 1);
  for (unsigned i = sent.size(), end = i + 5; i < end; ++i) send(i);

  const SessionStats session = l.session->stats();
  // Settled: the state holds at least what was not dropped (more, were
  // something sent twice), and nothing changes for a while.
  const uint64_t kept = (sent.size() - session.uplink_dropped) * kBig;
  l.server->wait_for([&](const ServerStats& st) { return st.session_audio_bytes >= kept; },
                     under_valgrind() ? 4 * kWait : kWait);
  std::this_thread::sleep_for(200ms);
  std::vector<bool> received(sent.size(), false);
  std::size_t unique = 0;
  for (int i : received_chunk_indexes(*l.server, sent)) {
    fail_unless(i >= 0, "the server got a chunk that was never sent");
    if (!received[i]) ++unique;
    received[i] = true;
  }
  std::string expected;
  for (std::size_t i = 0; i < sent.size(); ++i)
    if (received[i]) expected += sent[i];
  const ServerStats st = l.server->stats();
  std::fprintf(stderr,
               "uplink drops: %zu chunks sent, %" G_GUINT64_FORMAT
               " reported dropped, %zu never reached the server, "
               "%" G_GUINT64_FORMAT " sent again; the state holds %" G_GUINT64_FORMAT " bytes of %zu expected\n",
               sent.size(), session.uplink_dropped, sent.size() - unique, session.messages_replayed,
               st.session_audio_bytes, expected.size());
  std::set<std::string> distinct(sent.begin(), sent.end());
  fail_unless_equals_uint64(distinct.size(), sent.size());
  // What never reached the server is exactly what was reported dropped ...
  fail_unless_equals_uint64(l.session->stats().uplink_dropped, sent.size() - unique);
  const auto warnings = l.events->warnings();
  fail_unless(std::any_of(warnings.begin(), warnings.end(),
                          [](const std::string& w) { return contains(w, "dropping the oldest audio"); }));
  // ... and the rest is in the state once, in order.
  fail_unless_equals_uint64(st.session_audio_bytes, expected.size());
  assert_str(st.session_audio_sha256, sha256_hex(expected));
}
GST_END_TEST;

// A goAway switch whose next connection waits for its access token (the
// source answers 300 ms later, from another thread): the old connection
// streams meanwhile and the switch completes with the new bearer.
GST_START_TEST(test_transparent_go_away_waits_for_the_token) { go_away_while_the_token_comes(3000ms, 300ms); }
GST_END_TEST;

// The token comes after the goAway's time is up: the old connection ends
// while the next one waits, input is held, and the next connection, once
// its token is here, resumes and gets what the state lacks.
GST_START_TEST(test_transparent_go_away_token_later_than_the_end) { go_away_while_the_token_comes(200ms, 700ms); }
GST_END_TEST;

// ---- the replay log alone ----

Outbound numbered(const std::string& text) {
  Outbound m;
  m.json = text;
  return m;
}

// Offered to a connection that takes everything and drops nothing.
void taken(ReplayLog& log, Outbound m) {
  log.offer(std::move(m), [](uint64_t, std::vector<uint64_t>&) { return true; });
}

std::vector<std::string> texts(const std::deque<Outbound>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.json);
  return out;
}

GST_START_TEST(test_replay_log_keeps_what_the_state_lacks) {
  ReplayLog log;
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex);
  for (const char* t : {"a", "b", "c", "d"}) taken(log, numbered(t));  // 1..4
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex + 4);
  log.consumed(kFirstClientMessageIndex + 1);  // a and b are in the state
  fail_unless_equals_int64(log.size(), 2);
  fail_unless_equals_int64(log.bytes(), 2);
  log.consumed(0);  // an older index changes nothing
  fail_unless_equals_int64(log.size(), 2);

  // A resumed connection gets c and d first; numbering starts over, and
  // what is sent there is recorded again.
  const auto again = log.restart(true);
  fail_unless(texts(again) == std::vector<std::string>({"c", "d"}));
  fail_unless_equals_int64(log.size(), 0);
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex);
  for (const auto& m : again) taken(log, m);
  taken(log, numbered("e"));
  log.consumed(kFirstClientMessageIndex);  // c
  fail_unless(texts(log.restart(true)) == std::vector<std::string>({"d", "e"}));

  // A connection that did not resume transparently gets nothing again.
  taken(log, numbered("f"));
  fail_unless(log.restart(false).empty());
  fail_unless_equals_int64(log.size(), 0);
}
GST_END_TEST;

GST_START_TEST(test_replay_log_is_bounded_and_says_so) {
  int overflows = 0;
  ReplayLog log(10, [&] { ++overflows; });
  for (const char* t : {"1234", "5678", "90ab"}) taken(log, numbered(t));  // 12 bytes: the oldest goes
  fail_unless_equals_int(overflows, 1);
  fail_unless_equals_uint64(log.overflowed(), 1);
  fail_unless_equals_int64(log.bytes(), 8);
  taken(log, numbered("cdef"));  // still over: one report for the run
  fail_unless_equals_int(overflows, 1);
  log.consumed(kFirstClientMessageIndex + 3);  // all confirmed: within the bound again
  fail_unless_equals_int64(log.size(), 0);
  for (const char* t : {"1234", "5678", "90ab"}) taken(log, numbered(t));
  fail_unless_equals_int(overflows, 2);
  // The indexes go on past dropped entries.
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex + 7);
}
GST_END_TEST;

// The connection's queue (the transport's own, with a 12-byte budget) drops
// the oldest live media to make room: the service never counts it, so the
// log numbers only what the queue wrote or still holds.
GST_START_TEST(test_replay_log_numbers_what_reaches_the_service) {
  ReplayLog log;
  geminilive::transport::SendQueue queue(14);
  std::vector<std::string> wire;  // what the service got, in order
  auto offer = [&](const char* text) {
    geminilive::transport::QueueDrops drops;
    log.offer(numbered(text), [&](uint64_t tag, std::vector<uint64_t>& dropped) {
      queue.push(text, true, &drops, tag);
      dropped = drops.tags;
      return true;
    });
    return drops.messages;
  };
  auto write = [&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
      for (auto& t : queue.take(1)) wire.push_back(t);
  };
  fail_unless_equals_int(offer("m1..."), 0);
  fail_unless_equals_int(offer("m2..."), 0);
  write(1);  // m1
  fail_unless_equals_int(offer("m3..."), 0);
  fail_unless_equals_int(offer("m4..."), 1);  // m2 makes room
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex + 3);
  write(2);  // m3, m4
  fail_unless(wire == std::vector<std::string>({"m1...", "m3...", "m4..."}));
  // The service holds its first two: m1 and m3. Only m4 goes again, once.
  log.consumed(kFirstClientMessageIndex + 1);
  fail_unless(texts(log.restart(true)) == std::vector<std::string>({"m4..."}));

  // A message the connection refuses is not recorded and takes no index.
  fail_if(log.offer(numbered("x"), [](uint64_t, std::vector<uint64_t>&) { return false; }));
  fail_unless_equals_int64(log.size(), 0);
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex);
}
GST_END_TEST;

// A message the bound let go (counted as sent) that the queue then drops:
// the messages after it move down an index all the same.
GST_START_TEST(test_replay_log_bound_then_queue_drop) {
  ReplayLog log(10);
  std::vector<uint64_t> tags;
  auto offer = [&](const char* text, std::vector<uint64_t> drop) {
    log.offer(numbered(text), [&](uint64_t tag, std::vector<uint64_t>& dropped) {
      tags.push_back(tag);
      dropped = drop;
      return true;
    });
  };
  for (const char* t : {"1234", "5678", "90ab"}) offer(t, {});  // the bound lets "1234" go
  fail_unless_equals_int64(log.size(), 2);
  offer("cd", {tags[0]});  // "1234" never reached the service
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex + 3);
  log.consumed(kFirstClientMessageIndex);  // "5678"
  fail_unless(texts(log.restart(true)) == std::vector<std::string>({"90ab", "cd"}));
  // Tags of an earlier connection change nothing.
  offer("ef", {tags[1]});
  fail_unless_equals_int64(log.next_index(), kFirstClientMessageIndex + 1);
}
GST_END_TEST;

static Suite* resilience_transparent_suite() {
  Suite* s = suite_create("resilience_transparent");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, under_valgrind() ? 600 : 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_replay_log_keeps_what_the_state_lacks);
  tcase_add_test(tc, test_replay_log_is_bounded_and_says_so);
  tcase_add_test(tc, test_replay_log_numbers_what_reaches_the_service);
  tcase_add_test(tc, test_replay_log_bound_then_queue_drop);
  tcase_add_test(tc, test_transparent_drops_deliver_every_byte_once);
  tcase_add_test(tc, test_drops_without_transparent_lose_in_flight_input);
  tcase_add_test(tc, test_transparent_go_away_delivers_every_byte_once);
  tcase_add_test(tc, test_transparent_context_switch_delivers_every_byte_once);
  tcase_add_test(tc, test_transparent_drop_after_uplink_drops);
  tcase_add_test(tc, test_transparent_go_away_waits_for_the_token);
  tcase_add_test(tc, test_transparent_go_away_token_later_than_the_end);
  return s;
}

GST_CHECK_MAIN(resilience_transparent);
