// SPDX-License-Identifier: LGPL-2.1-or-later
// Channel as the elements use it: the registry and its owner, the order in
// which taps hear a session's events, removing a tap while a call into it
// runs, and a channel with a session of the in-process Live server. Part of
// the session suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "protocol/server_message.h"
#include "session/channel.h"
#include "session/live_session.h"
#include "session_util.h"

using namespace geminilive::testing;
using namespace geminilive::session;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

// ---- channel ----

// Appends "<name>:<event>" to a shared log.
class LogTap : public SessionObserver {
 public:
  LogTap(std::string name, std::vector<std::string>* log, std::mutex* mutex)
      : name_(std::move(name)), log_(log), mutex_(mutex) {}
  void on_state(SessionState s) override { add(std::string("state ") + session_state_name(s)); }
  void on_message(const protocol::ServerMessage& m) override { add(m.setup_complete ? "setupComplete" : "message"); }
  void on_warning(const std::string& text) override { add("warning " + text); }
  void on_error(const SessionError& e) override { add("error " + e.message); }
  void on_context_changed(const ContextApplied& c) override {
    add(std::string("context ") + (c.reconnected ? "reconnected" : "updated") + (c.resumed ? " resumed" : ""));
  }

 private:
  void add(const std::string& what) {
    std::lock_guard<std::mutex> lock(*mutex_);
    log_->push_back(name_ + ":" + what);
  }
  std::string name_;
  std::vector<std::string>* log_;
  std::mutex* mutex_;
};

GST_START_TEST(test_channel_registry_and_owner) {
  auto a = Channel::acquire("registry-test");
  auto b = Channel::acquire("registry-test");
  auto other = Channel::acquire("registry-other");
  fail_unless(a == b);
  fail_unless(a != other);
  assert_str(a->name(), "registry-test");

  int sink1 = 0, sink2 = 0;
  fail_unless(a->claim_owner(&sink1));
  fail_unless(a->claim_owner(&sink1));  // again by the same owner
  fail_unless(!b->claim_owner(&sink2));
  a->release_owner(&sink2);  // not the owner: nothing
  fail_unless(!a->claim_owner(&sink2));
  a->release_owner(&sink1);
  fail_unless(a->claim_owner(&sink2));

  a->on_state(SessionState::Ready);
  fail_unless(b->last_state() == SessionState::Ready);
  a.reset();
  b.reset();
  // Gone with its last holder: a new one starts fresh.
  auto c = Channel::acquire("registry-test");
  fail_unless(c->last_state() == SessionState::Idle);
  fail_unless(c->claim_owner(&sink1));
}
GST_END_TEST;

GST_START_TEST(test_channel_fan_out_order) {
  auto channel = Channel::acquire("fan-out");
  std::vector<std::string> log;
  std::mutex mutex;
  auto first = std::make_shared<LogTap>("1", &log, &mutex);
  auto second = std::make_shared<LogTap>("2", &log, &mutex);
  channel->add_tap(first);
  channel->on_state(SessionState::Connecting);
  channel->add_tap(second);  // arrives late: sees what follows
  fail_unless(channel->last_state() == SessionState::Connecting);
  channel->on_warning("w");
  SessionError e;
  e.message = "bad";
  channel->on_error(e);
  channel->on_context_changed(ContextApplied{true, true});
  channel->remove_tap(first.get());
  channel->on_state(SessionState::Failed);
  const std::vector<std::string> want = {"1:state connecting",
                                         "1:warning w",
                                         "2:warning w",
                                         "1:error bad",
                                         "2:error bad",
                                         "1:context reconnected resumed",
                                         "2:context reconnected resumed",
                                         "2:state failed"};
  fail_unless_equals_int64(log.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) assert_str(log[i], want[i]);
}
GST_END_TEST;

// Blocks in on_warning until released.
class BlockingTap : public SessionObserver {
 public:
  void on_warning(const std::string&) override {
    std::unique_lock<std::mutex> lock(mutex);
    ++calls;
    inside = true;
    cond.notify_all();
    cond.wait(lock, [this] { return released; });
    inside = false;
  }
  std::mutex mutex;
  std::condition_variable cond;
  bool inside = false;
  bool released = false;
  int calls = 0;
};

GST_START_TEST(test_channel_remove_waits_for_a_running_call) {
  auto channel = Channel::acquire("remove-waits");
  auto tap = std::make_shared<BlockingTap>();
  channel->add_tap(tap);
  std::thread fan([&] { channel->on_warning("slow"); });
  {
    std::unique_lock<std::mutex> lock(tap->mutex);
    tap->cond.wait(lock, [&] { return tap->inside; });
  }
  std::atomic<bool> removed{false};
  std::thread remover([&] {
    channel->remove_tap(tap.get());
    removed = true;
  });
  std::this_thread::sleep_for(100ms);
  fail_unless(!removed, "remove_tap returned while the tap was being called");
  {
    std::lock_guard<std::mutex> lock(tap->mutex);
    tap->released = true;
    tap->cond.notify_all();
  }
  remover.join();
  fan.join();
  fail_unless(removed);
  channel->on_warning("after");
  fail_unless_equals_int(tap->calls, 1);
}
GST_END_TEST;

GST_START_TEST(test_channel_with_a_session) {
  auto server = start_server(opts());
  auto channel = Channel::acquire("with-session");
  auto early = std::make_shared<Events>();
  channel->add_tap(early);
  auto session = start_session(config_for(*server, true), channel);
  early->wait_state(SessionState::Ready);
  auto late = std::make_shared<Events>();
  channel->add_tap(late);
  fail_unless(channel->last_state() == SessionState::Ready);
  session->send(protocol::RealtimeInput::with_text("both of you"));
  session->end_input(false);
  early->wait_state(SessionState::Finished);
  late->wait_state(SessionState::Finished);
  assert_str(early->reply_text(), "You wrote: both of you.");
  assert_str(late->reply_text(), "You wrote: both of you.");
  fail_unless(Events::index_of_state(late->events(), SessionState::Connecting) == SIZE_MAX);
  session.reset();
  fail_unless(channel->last_state() == SessionState::Finished);
}
GST_END_TEST;

static Suite* session_channel_suite() {
  Suite* s = suite_create("session_channel");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_channel_registry_and_owner);
  tcase_add_test(tc, test_channel_fan_out_order);
  tcase_add_test(tc, test_channel_remove_waits_for_a_running_call);
  tcase_add_test(tc, test_channel_with_a_session);
  return s;
}

GST_CHECK_MAIN(session_channel);
