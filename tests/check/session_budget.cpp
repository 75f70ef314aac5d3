// SPDX-License-Identifier: LGPL-2.1-or-later
// The byte budget for what waits to be sent, against a server that stops
// reading after the setup (the lean local server's stop_reading): what a
// live input sends past it drops the oldest media, with a warning and a
// stat, and the queue never holds more than the budget; an input that
// waits for room (a file) stops at half the budget and loses nothing.
#include <algorithm>

#include "lean_server.h"
#include "protocol/client_message.h"
#include "session_util.h"
#include "transport/websocket_client.h"

using namespace geminilive::testing;
using geminilive::mock::LeanServer;

namespace {

const std::size_t kBudget = geminilive::transport::WebSocketOptions{}.max_queued_bytes;

struct Stalled {
  std::unique_ptr<LeanServer> server;
  std::shared_ptr<Events> events = std::make_shared<Events>();
  std::shared_ptr<LiveSession> session;
};

Stalled stalled_session() {
  Stalled s;
  LeanServer::Options options;
  options.stop_reading = true;
  s.server = std::make_unique<LeanServer>(options);
  std::string error;
  fail_unless(s.server->start(&error), "%s", error.c_str());
  SessionConfig c;
  c.uri = s.server->uri() + kLivePath;
  c.api_key = "test-key";
  c.setup.model = kModel;
  c.connect_timeout = 5s;
  s.session = start_session(c, s.events);
  s.events->wait_state(SessionState::Ready);
  return s;
}

// 100 KB "frames" (what a large screen frame is) and 20 ms audio chunks.
protocol::Blob frame(int i) { return {"image/jpeg", std::string(100 * 1024, static_cast<char>('A' + i % 26))}; }
protocol::RealtimeInput chunk(int i) {
  return protocol::RealtimeInput::with_audio({"audio/pcm;rate=16000", std::string(640, static_cast<char>(i))});
}

}  // namespace

GST_START_TEST(test_live_input_drops_the_oldest_within_the_budget) {
  Stalled s = stalled_session();
  std::size_t most_queued = 0;
  // 60 MB of frames, far past the budget and what the kernel's socket
  // buffers take.
  for (int i = 0; i < 600; ++i) {
    for (int a = 0; a < 10; ++a) s.session->send(chunk(i * 10 + a));
    s.session->send_video_frame(frame(i));
    most_queued = std::max<std::size_t>(most_queued, s.session->stats().queued_bytes);
  }
  const SessionStats stats = s.session->stats();
  fail_unless(most_queued <= kBudget, "%zu bytes waited, over the budget of %zu", most_queued, kBudget);
  fail_unless(most_queued > kBudget / 2, "the queue never filled (%zu bytes): the server read it", most_queued);
  fail_unless(stats.uplink_dropped > 0, "nothing was dropped");
  fail_unless(!s.session->has_room(), "an input that can wait would go on sending");
  // One warning says so.
  fail_unless(s.events->wait([](const std::vector<Event>& events) {
    return std::any_of(events.begin(), events.end(), [](const Event& e) {
      return e.type == Event::Type::Warning && contains(e.warning, "dropping the oldest audio and video");
    });
  }));
  fail_unless(s.session->state() == SessionState::Ready);
  s.session->stop();
}
GST_END_TEST;

GST_START_TEST(test_waiting_input_stops_at_half_the_budget_and_loses_nothing) {
  Stalled s = stalled_session();
  int sent = 0;
  // What a non-live input does: send while the session has room.
  while (s.session->has_room() && sent < 600) s.session->send_video_frame(frame(sent++));
  fail_unless(sent < 600, "the session always had room: the server read everything");
  const SessionStats stats = s.session->stats();
  fail_unless_equals_int(stats.uplink_dropped, 0);
  // It stopped with at most one frame past half the budget.
  fail_unless(stats.queued_bytes <= kBudget / 2 + 200 * 1024, "%" G_GUINT64_FORMAT " bytes wait", stats.queued_bytes);
  s.session->stop();
}
GST_END_TEST;

static Suite* session_budget_suite() {
  Suite* s = suite_create("session_budget");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_live_input_drops_the_oldest_within_the_budget);
  tcase_add_test(tc, test_waiting_input_stops_at_half_the_budget_and_loses_nothing);
  return s;
}

GST_CHECK_MAIN(session_budget);
