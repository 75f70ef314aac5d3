// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveSession's failures and stopping, against the in-process Live server:
// errors with the right kind and words (wrong or missing key, nothing
// listening, setup timeout, closes and drops, bad model, invalid argument),
// messages it skips or drops, and stopping at any moment, even from inside
// a callback. Part of the session suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "session/live_session.h"
#include "session/session_error.h"
#include "session_util.h"

using namespace geminilive::testing;
using namespace geminilive::session;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;
using Kind = SessionError::Kind;

namespace {

std::string free_port_uri() {
  auto server = start_server(opts());
  const std::string uri = live_uri(*server);
  server.reset();  // nothing listens there any more
  return uri;
}

}  // namespace

// ---- failures ----

GST_START_TEST(test_wrong_key) {
  ServerOptions o = opts();
  o.api_key = "the-right-key";
  auto server = start_server(o);
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.api_key = "a-wrong-key";
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless_equals_int(e.close_code, 1008);
  assert_str(e.reason, kBadKey);
  fail_unless(contains(e.message, "GEMINI_API_KEY"));
  fail_unless(!contains(e.message, "a-wrong-key"));
  events->wait_state(SessionState::Failed);
  fail_unless(session->state() == SessionState::Failed);
  // Nothing but (at most) the setup went out; the error comes before the Failed state.
  fail_unless(server->received_messages().size() <= 1);
  auto all = events->events();
  fail_unless(all.back().type == Event::Type::State && all.back().state == SessionState::Failed);
  fail_unless(all[all.size() - 2].type == Event::Type::Error);
}
GST_END_TEST;

GST_START_TEST(test_missing_key) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.api_key.clear();
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Settings);
  fail_unless(contains(e.message, "GEMINI_API_KEY"));
  events->wait_state(SessionState::Failed);
  fail_unless(Events::index_of_state(events->events(), SessionState::Connecting) == SIZE_MAX);
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int(server->stats().connections, 0);

  auto events2 = std::make_shared<Events>();
  config = config_for(*server);
  config.uri.clear();
  auto session2 = start_session(config, events2);
  fail_unless(events2->wait_error().kind == Kind::Settings);
}
GST_END_TEST;

GST_START_TEST(test_nothing_listening) {
  auto events = std::make_shared<Events>();
  SessionConfig config;
  config.uri = free_port_uri();
  config.api_key = "test-key";
  config.setup.model = kModel;
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Connect);
  fail_unless_equals_int(e.close_code, 0);
  fail_unless(contains(e.message, config.uri), "%s", e.message.c_str());
  fail_unless(!e.reason.empty());
}
GST_END_TEST;

GST_START_TEST(test_setup_timeout) {
  SilentListener silent;  // the upgrade is never answered
  auto events = std::make_shared<Events>();
  SessionConfig config;
  config.uri = silent.live_uri();
  config.api_key = "test-key";
  config.connect_timeout = 500ms;
  const gint64 t0 = g_get_monotonic_time();
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  const gint64 ms = (g_get_monotonic_time() - t0) / 1000;
  fail_unless(e.kind == Kind::Connect);
  fail_unless(ms >= 450 && ms < 3000, "failed after %" G_GINT64_FORMAT " ms", ms);
  fail_unless(contains(e.message, "0.5 s"), "%s", e.message.c_str());
}
GST_END_TEST;

GST_START_TEST(test_server_closes_mid_stream) {
  ServerOptions o = opts();
  o.close_after = 200ms;
  o.close_code = 1011;
  o.close_reason = "Internal error encountered.";
  // Without resumption a 1011 ends the session (with it, the session
  // reconnects: see the resilience tests).
  Live l = ready_session(o, false, [](SessionConfig& c) { c.resumption = false; });
  auto& [server, events, session] = l;
  std::atomic<bool> done{false};
  std::thread sender([&] {
    for (unsigned i = 0; !done; ++i) {
      l.session->send(audio(quiet_pcm(640, i)));
      std::this_thread::sleep_for(5ms);
    }
  });
  SessionError e = events->wait_error();
  done = true;
  sender.join();
  fail_unless(e.kind == Kind::Closed);
  fail_unless_equals_int(e.close_code, 1011);
  assert_str(e.reason, "Internal error encountered.");
  fail_unless(contains(e.message, "Internal error encountered."));
  events->wait_state(SessionState::Failed);
}
GST_END_TEST;

GST_START_TEST(test_connection_dropped) {
  ServerOptions o = opts();
  o.drop_after = 150ms;
  auto server = start_server(o);
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.max_reconnect_attempts = 0;  // reconnection off: the drop is the end
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Closed);
  fail_unless_equals_int(e.close_code, 1006);
}
GST_END_TEST;

GST_START_TEST(test_bad_model) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.setup.model = "gpt-4o";  // sent as configured: the server wants models/...
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::NotFound);
  fail_unless_equals_int(e.close_code, 1008);
  fail_unless(g_str_has_prefix(e.reason.c_str(), "models/gpt-4o is not found"), "%s", e.reason.c_str());
}
GST_END_TEST;

GST_START_TEST(test_invalid_argument) {
  Live l = ready_session();
  auto& [server, events, session] = l;
  server->close_connection(1007, "Request contains an invalid argument.");
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::InvalidArgument);
  fail_unless_equals_int(e.close_code, 1007);
  assert_str(e.reason, "Request contains an invalid argument.");
}
GST_END_TEST;

GST_START_TEST(test_malformed_message_is_skipped) {
  Live l = ready_session(opts(), true);
  auto& [server, events, session] = l;
  server->send_raw("{not json", false);
  fail_unless(events->wait([](const auto& e) {
    for (const auto& ev : e)
      if (ev.type == Event::Type::Warning) return true;
    return false;
  }));
  const std::string w = events->warnings().at(0);
  fail_unless(g_str_has_prefix(w.c_str(), "skipped a malformed message from the service: "), "%s", w.c_str());

  // The session goes on.
  session->send(protocol::RealtimeInput::with_text("still there?"));
  events->wait_message(is_turn_complete);
  // The handle the server sends after each turn comes last.
  events->wait([](const auto& e) {
    return !e.empty() && e.back().type == Event::Type::Message && e.back().message.session_resumption_update;
  });
  assert_str(events->reply_text(), "You wrote: still there?");
  fail_unless(session->state() == SessionState::Ready);
  std::size_t messages = 0;
  for (const auto& ev : events->events()) messages += ev.type == Event::Type::Message;
  fail_unless_equals_int64(session->stats().messages_received, messages + 1);  // + the malformed one
}
GST_END_TEST;

// Text that is not UTF-8 can't go in a text frame: that message is dropped
// with a warning, and what follows it still goes out on the same connection.
GST_START_TEST(test_text_not_utf8_is_dropped) {
  Live l = ready_session(opts(), true);
  auto& [server, events, session] = l;
  session->send(protocol::RealtimeInput::with_text("caf\xe9"));
  session->send(protocol::RealtimeInput::with_text("still there?"));
  events->wait_message(is_turn_complete);
  assert_str(events->reply_text(), "You wrote: still there?");
  const auto warnings = events->warnings();
  fail_unless_equals_int64(warnings.size(), 1);
  assert_str(warnings[0], "dropped a message whose text is not UTF-8");
  fail_unless_equals_int(server->stats().connections, 1);
  fail_unless(session->state() == SessionState::Ready);
}
GST_END_TEST;

// A setup that can't be sent fails at once with the reason, rather than
// after the setup timeout.
GST_START_TEST(test_setup_not_utf8_fails_at_once) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.setup.system_instruction = protocol::Content::from_text("r\xe9sum\xe9");
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Settings);
  fail_unless(contains(e.message, "not UTF-8"), "%s", e.message.c_str());
  fail_unless_equals_int(server->stats().connections, 0);
}
GST_END_TEST;

// ---- stopping ----

GST_START_TEST(test_stop_while_streaming) {
  ServerOptions o = opts();
  o.reply_speed = 1.0;  // a reply that lasts
  Live l = ready_session(o, true);
  auto& [server, events, session] = l;
  std::atomic<bool> done{false};
  std::thread sender([&] {
    for (unsigned i = 0; !done; ++i) {
      l.session->send(audio(quiet_pcm(640, i)));
      if (i % 50 == 0) l.session->send(protocol::RealtimeInput::with_text("talk to me for a while, please"));
      std::this_thread::sleep_for(1ms);
    }
  });
  events->wait_message([](const auto& m) { return m.server_content && m.server_content->model_turn; });
  session->stop();
  events->forbid();
  fail_unless(session->state() == SessionState::Closed);
  std::this_thread::sleep_for(300ms);  // the sender keeps going: ignored
  done = true;
  sender.join();
  session->stop();  // twice: nothing
  session.reset();
  fail_unless_equals_int(events->late_calls(), 0);
  fail_unless(events->last_state() == SessionState::Closed);
}
GST_END_TEST;

GST_START_TEST(test_many_sessions_start_and_stop) {
  auto server = start_server(opts());
  for (int i = 0; i < 50; ++i) {
    auto events = std::make_shared<Events>();
    auto session = start_session(config_for(*server), events);
    switch (i % 4) {
      case 0:
        break;  // stop at once, likely while connecting
      case 1:
        events->wait_state(SessionState::Ready);
        break;
      case 2:
        for (unsigned k = 0; k < 20; ++k) session->send(audio(quiet_pcm(640, k)));
        break;
      case 3:
        session->end_input(true);
        break;
    }
    if (i % 5 == 0) {
      session.reset();  // the last reference stops it too
    } else {
      std::thread other([&] { session->stop(); });  // stop and stop at once
      session->stop();
      other.join();
    }
    events->forbid();
    session.reset();
    fail_unless_equals_int(events->late_calls(), 0);
  }
}
GST_END_TEST;

// Drops the last reference from inside a callback on the session's thread.
class DropsSession : public Events {
 public:
  std::shared_ptr<LiveSession> session;
  void on_message(const protocol::ServerMessage& m) override {
    Events::on_message(m);
    if (m.setup_complete) session.reset();
  }
};

GST_START_TEST(test_last_reference_dropped_in_callback) {
  auto server = start_server(opts());
  for (int i = 0; i < 5; ++i) {
    auto events = std::make_shared<DropsSession>();
    events->session = LiveSession::create(config_for(*server), events);
    events->session->start();
    events->wait_state(SessionState::Closed);
    fail_unless(events->wait([&](const auto&) { return server->stats().setups >= unsigned(i + 1); }));
  }
}
GST_END_TEST;

static Suite* session_failures_suite() {
  Suite* s = suite_create("session_failures");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_wrong_key);
  tcase_add_test(tc, test_missing_key);
  tcase_add_test(tc, test_nothing_listening);
  tcase_add_test(tc, test_setup_timeout);
  tcase_add_test(tc, test_server_closes_mid_stream);
  tcase_add_test(tc, test_connection_dropped);
  tcase_add_test(tc, test_bad_model);
  tcase_add_test(tc, test_invalid_argument);
  tcase_add_test(tc, test_malformed_message_is_skipped);
  tcase_add_test(tc, test_text_not_utf8_is_dropped);
  tcase_add_test(tc, test_setup_not_utf8_fails_at_once);
  tcase_add_test(tc, test_stop_while_streaming);
  tcase_add_test(tc, test_many_sessions_start_and_stop);
  tcase_add_test(tc, test_last_reference_dropped_in_callback);
  return s;
}

GST_CHECK_MAIN(session_failures);
