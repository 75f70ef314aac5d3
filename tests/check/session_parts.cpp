// SPDX-License-Identifier: LGPL-2.1-or-later
// The parts of the session's state machine on their own, each with a host
// that records what it is asked (no server, no loop, no connection): the
// end of a session (Finisher), the tool-call timeouts (ToolCallWatch),
// reconnecting after drops (Reconnector) and when a goAway switch starts
// (Switchover). What each reports is what the application hears: states,
// warnings, errors, reconnection events, and the messages sent.
#include <gst/check/gstcheck.h>
// Check's fail() macro would rewrite SessionHost::fail; this file uses
// fail_unless() and fail_if() only.
#undef fail

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "session/close_errors.h"
#include "session/connections.h"
#include "session/finisher.h"
#include "session/outbox.h"
#include "session/reconnector.h"
#include "session/session_config.h"
#include "session/session_host.h"
#include "session/session_setup.h"
#include "session/switchover.h"
#include "session/tool_call_watch.h"
#include "session/turn_tracker.h"

using namespace geminilive::session;
using namespace std::chrono_literals;
namespace protocol = geminilive::protocol;
using std::chrono::milliseconds;
using Timer = SessionTimers::Timer;
using Wait = SessionTimers::Wait;

namespace {

// Records every call; timers run only when a test fires them.
class RecordingHost final : public SessionHost, public SessionObserver {
 public:
  SessionState state() const override { return state_; }
  bool torn_down() const override { return false; }
  void set_state(SessionState s) override {
    state_ = s;
    states.push_back(s);
  }
  void notify(const std::function<void(SessionObserver&)>& call) override { call(*this); }
  void warn(const std::string& text) override { warnings.push_back(text); }
  void after(Timer timer, milliseconds delay, std::function<void()> fn) override {
    timers[timer] = {delay, std::move(fn)};
  }
  void cancel(Timer timer) override { timers.erase(timer); }
  void arm(Wait what) override { waiting = what; }
  void disarm() override { waiting = Wait::None; }
  uint64_t open_connection(bool handover) override {
    opened.push_back(handover);
    return opened.size();
  }
  void retire(std::shared_ptr<geminilive::transport::WebSocketClient>) override {}
  void send(Outbound message) override { sent.push_back(message.json); }
  SessionError close_error(const geminilive::transport::CloseInfo& info) const override {
    return error_for_close(info, "wss://live.example/ws");
  }
  void fail(const SessionError& error) override {
    errors.push_back(error);
    set_state(SessionState::Failed);
  }

  void on_warning(const std::string& text) override { warnings.push_back(text); }
  void on_error(const SessionError& error) override { errors.push_back(error); }
  void on_reconnecting(const Reconnection& r) override { reconnecting.push_back(r); }
  void on_resumed(const Resumption& r) override { resumed.push_back(r); }

  // Runs a pending timer as its delay passing would.
  milliseconds fire(Timer timer) {
    auto it = timers.find(timer);
    fail_if(it == timers.end(), "the timer was not started");
    auto [delay, fn] = std::move(it->second);
    timers.erase(it);
    fn();
    return delay;
  }

  SessionState state_ = SessionState::Ready;
  std::vector<SessionState> states;
  std::vector<std::string> warnings;
  std::vector<SessionError> errors;
  std::vector<Reconnection> reconnecting;
  std::vector<Resumption> resumed;
  std::map<Timer, std::pair<milliseconds, std::function<void()>>> timers;
  Wait waiting = Wait::None;
  std::vector<bool> opened;  // handover of each connection opened
  std::vector<std::string> sent;
};

Outbox outbox_for(const SessionConfig& config) {
  return Outbox(held_limits(config), config.resumption, [] {});
}

protocol::ServerMessage server_message(const char* json) {
  auto decoded = protocol::decode_server_message(json);
  fail_unless(bool(decoded), "bad test message %s", json);
  return decoded.value();
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

GST_START_TEST(test_finisher_waits_for_the_turn_then_finishes) {
  SessionConfig config;
  config.turn_end_timeout = 2000ms;
  RecordingHost host;
  Outbox out = outbox_for(config);
  TurnTracker turns;
  Finisher finisher(host, config, out, turns);
  // The audio stream ended: a reply may still come.
  finisher.input_ended(true);
  fail_unless(host.state_ == SessionState::Finishing);
  fail_unless(host.waiting == Wait::ReplyStart);
  finisher.after_turn_events(
      turns.observe(server_message(R"({"serverContent":{"modelTurn":{"parts":[{"text":"Hi"}]}}})")));
  fail_unless(host.waiting == Wait::TurnEnd);
  finisher.deadline_passed(Wait::TurnEnd);
  fail_unless(host.state_ == SessionState::Finished);
  fail_unless_equals_int(host.warnings.size(), 1);
  fail_unless_equals_string(host.warnings[0].c_str(), "the wait for the end of the model's turn timed out after 2.0 s");
}
GST_END_TEST;

GST_START_TEST(test_finisher_waits_for_ready_without_audio) {
  SessionConfig config;
  RecordingHost host;
  host.state_ = SessionState::SettingUp;
  Outbox out = outbox_for(config);
  TurnTracker turns;
  Finisher finisher(host, config, out, turns);
  finisher.input_ended(false);
  fail_unless(host.states.empty(), "finishing before the held input went out");
  host.state_ = SessionState::Ready;
  // Every input answered and no audio: nothing more is coming.
  finisher.ready();
  fail_unless_equals_int(host.states.size(), 2);
  fail_unless(host.states[0] == SessionState::Finishing);
  fail_unless(host.states[1] == SessionState::Finished);
  fail_unless(host.warnings.empty());
}
GST_END_TEST;

GST_START_TEST(test_tool_call_watch_answers_a_call_past_its_timeout) {
  RecordingHost host;
  ToolCallWatch watch(host, 100ms);
  protocol::ToolCall call;
  call.function_calls.push_back({"c1", "lookup", {}});
  watch.called(call, false, 0);
  fail_unless(host.fire(Timer::Tool) <= 100ms);
  // Fired early (as a test does) it answers nothing; at the deadline it does.
  fail_unless(host.sent.empty());
  std::this_thread::sleep_for(120ms);
  host.fire(Timer::Tool);
  fail_unless_equals_int(host.sent.size(), 1);
  fail_unless(contains(host.sent[0], R"("toolResponse")"), "%s", host.sent[0].c_str());
  fail_unless(contains(host.sent[0], R"("id":"c1")"), "%s", host.sent[0].c_str());
  fail_unless(contains(host.sent[0], "No response from the application within 0.1 s."), "%s", host.sent[0].c_str());
  fail_unless_equals_int(host.warnings.size(), 1);
  fail_unless(contains(host.warnings[0], "The tool call c1 (lookup) had no response within 0.1 s"));
  fail_unless(host.timers.empty(), "a timer for no open call");
  // The model was told it failed: a late response must not follow.
  protocol::FunctionResponse late;
  late.id = "c1";
  late.name = "lookup";
  fail_if(watch.respond(late));
}
GST_END_TEST;

GST_START_TEST(test_tool_call_watch_closes_calls_a_connection_lost) {
  RecordingHost host;
  ToolCallWatch watch(host, 60000ms);
  protocol::ToolCall left;
  left.function_calls.push_back({"c1", "lookup", {}});
  watch.called(left, true, 0);
  protocol::ToolCall kept;
  kept.function_calls.push_back({"c2", "search", {}});
  watch.called(kept, false, 0);
  // A new connection starts afresh: the model there never made c2.
  watch.moved(false, 0);
  fail_unless_equals_int(host.warnings.size(), 2);
  fail_unless(contains(host.warnings[0], "The tool call c1 (lookup) came on a connection the session was leaving"));
  fail_unless(contains(host.warnings[1], "The tool call c2 (search) was lost with its connection"));
  protocol::FunctionResponse response;
  response.id = "c2";
  response.name = "search";
  fail_if(watch.respond(response));
  response.id = "c3";  // never seen: sent
  fail_unless(watch.respond(response));
}
GST_END_TEST;

GST_START_TEST(test_reconnector_retries_then_gives_up) {
  SessionConfig config;
  config.max_reconnect_attempts = 2;
  config.reconnect_delay = 300ms;
  config.connect_timeout = 5000ms;
  RecordingHost host;
  Connections conns;
  Outbox out = outbox_for(config);
  TurnTracker turns;
  turns.observe(server_message(R"({"serverContent":{"modelTurn":{"parts":[{"text":"Hi"}]}}})"));
  Reconnector reconnector(host, config, conns, out, turns);
  geminilive::transport::CloseInfo drop;
  drop.code = 1011;
  drop.reason = "Internal error encountered.";
  reconnector.dropped(drop);
  fail_unless(host.state_ == SessionState::Reconnecting);
  fail_unless_equals_int(host.warnings.size(), 1);
  fail_unless_equals_string(host.warnings[0].c_str(), "the model's reply was cut off when the connection ended");
  fail_unless_equals_int(host.reconnecting.size(), 1);
  fail_unless_equals_int(host.reconnecting[0].attempt, 1);
  fail_unless_equals_int(host.reconnecting[0].close_code, 1011);
  fail_unless_equals_string(host.reconnecting[0].reason.c_str(), "Internal error encountered.");
  // The first attempt goes at once, as a new current connection.
  fail_unless_equals_int64(host.fire(Timer::Reconnect).count(), 0);
  fail_unless_equals_int(host.opened.size(), 1);
  fail_if(host.opened[0]);
  fail_unless(host.waiting == Wait::Setup);
  // No setupComplete: the next attempt waits the delay.
  reconnector.setup_timed_out();
  fail_unless_equals_int(host.reconnecting.size(), 2);
  fail_unless_equals_int(host.reconnecting[1].attempt, 2);
  fail_unless_equals_int64(host.reconnecting[1].delay.count(), 300);
  fail_unless_equals_string(host.reconnecting[1].reason.c_str(), "no setupComplete within 5.0 s");
  host.fire(Timer::Reconnect);
  reconnector.setup_timed_out();
  fail_unless_equals_int(host.errors.size(), 1);
  fail_unless(contains(host.errors[0].message, "(gave up after 2 reconnection attempts)"), "%s",
              host.errors[0].message.c_str());
  fail_unless(host.state_ == SessionState::Failed);
}
GST_END_TEST;

GST_START_TEST(test_reconnector_fails_at_once_on_a_refused_key) {
  SessionConfig config;
  RecordingHost host;
  Connections conns;
  Outbox out = outbox_for(config);
  TurnTracker turns;
  Reconnector reconnector(host, config, conns, out, turns);
  geminilive::transport::CloseInfo refused;
  refused.code = 1008;
  refused.reason = "API key not valid. Please pass a valid API key.";
  reconnector.dropped(refused);
  fail_unless(host.reconnecting.empty(), "a refused key is tried again");
  fail_unless_equals_int(host.errors.size(), 1);
  fail_unless(host.errors[0].kind == SessionError::Kind::Unauthorized);
  fail_unless(host.timers.empty());
}
GST_END_TEST;

GST_START_TEST(test_switchover_after_go_away_waits_for_a_handle) {
  SessionConfig config;
  config.connect_timeout = 4000ms;
  RecordingHost host;
  Connections conns;
  Outbox out = outbox_for(config);
  SessionSetup setup(config.setup, config.resumption);
  TurnTracker turns;
  Carryover carryover(config, conns, [] {});
  Switchover switchover(host, config, conns, out, setup, turns, carryover);
  conns.go_away = true;
  switchover.begin();
  // No handle yet: a new connection now would start a fresh conversation.
  fail_unless(host.opened.empty());
  fail_unless(host.reconnecting.empty());
  fail_unless(conns.switch_wanted);
  protocol::SessionResumptionUpdate update;
  update.resumable = true;
  update.new_handle = "handle-1";
  carryover.update(update);
  switchover.begin();
  fail_unless_equals_int(host.opened.size(), 1);
  fail_unless(host.opened[0], "the next connection replaced the current one");
  fail_unless_equals_int(host.reconnecting.size(), 1);
  fail_unless(host.reconnecting[0].cause == Reconnection::Cause::GoAway);
  fail_unless(host.reconnecting[0].resuming);
  fail_unless_equals_int64(host.timers.at(Timer::Switch).first.count(), 4000);
  fail_if(conns.switch_wanted);
  fail_unless(host.warnings.empty());
}
GST_END_TEST;

static Suite* session_parts_suite() {
  Suite* s = suite_create("session_parts");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_finisher_waits_for_the_turn_then_finishes);
  tcase_add_test(tc, test_finisher_waits_for_ready_without_audio);
  tcase_add_test(tc, test_tool_call_watch_answers_a_call_past_its_timeout);
  tcase_add_test(tc, test_tool_call_watch_closes_calls_a_connection_lost);
  tcase_add_test(tc, test_reconnector_retries_then_gives_up);
  tcase_add_test(tc, test_reconnector_fails_at_once_on_a_refused_key);
  tcase_add_test(tc, test_switchover_after_go_away_waits_for_a_handle);
  return s;
}

GST_CHECK_MAIN(session_parts);
