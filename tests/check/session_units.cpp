// SPDX-License-Identifier: LGPL-2.1-or-later
// The session's small units on their own, without a server or a session:
// the reconnect policy (attempts, doubling delays, the reset after a stable
// connection) and the session's timers (the phase deadline: one wait at a
// time, on its context; the four one-shot timers).
#include <glib.h>
#include <gst/check/gstcheck.h>

#include <chrono>
#include <string>

#include "session/reconnect_policy.h"
#include "session/session_config.h"
#include "session/session_timers.h"

using namespace geminilive::session;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Wait = SessionTimers::Wait;

namespace {

SessionConfig reconnect_config(unsigned max_attempts, milliseconds delay, milliseconds max_delay) {
  SessionConfig c;
  c.max_reconnect_attempts = max_attempts;
  c.reconnect_delay = delay;
  c.max_reconnect_delay = max_delay;
  c.stable_after = 1234ms;
  return c;
}

// Runs `context` until `done` or about `limit` has passed.
template <typename Done>
void iterate_until(GMainContext* context, Done done, milliseconds limit = 2000ms) {
  const gint64 end = g_get_monotonic_time() + limit.count() * 1000;
  while (!done() && g_get_monotonic_time() < end) {
    g_main_context_iteration(context, FALSE);
    g_usleep(1000);
  }
}

}  // namespace

GST_START_TEST(test_reconnect_delays_double_up_to_the_max) {
  ReconnectPolicy p(reconnect_config(8, 500ms, 3000ms));
  fail_unless(p.enabled());
  const milliseconds expected[] = {0ms, 500ms, 1000ms, 2000ms, 3000ms, 3000ms, 3000ms, 3000ms};
  unsigned number = 0;
  for (milliseconds delay : expected) {
    auto attempt = p.next();
    fail_unless(attempt.has_value(), "attempt %u refused", number + 1);
    fail_unless_equals_int(attempt->number, ++number);
    fail_unless_equals_int64(attempt->delay.count(), delay.count());
    fail_unless_equals_int(p.attempts(), number);
  }
  // A maximum below the first delay bounds it too.
  ReconnectPolicy low(reconnect_config(3, 500ms, 200ms));
  fail_unless_equals_int64(low.delay_before(1).count(), 0);
  fail_unless_equals_int64(low.delay_before(2).count(), 200);
  fail_unless_equals_int64(low.delay_before(3).count(), 200);
}
GST_END_TEST;

GST_START_TEST(test_reconnect_gives_up_after_the_attempts) {
  ReconnectPolicy p(reconnect_config(3, 100ms, 400ms));
  for (int i = 0; i < 3; ++i) fail_unless(p.next().has_value());
  fail_if(p.next().has_value());
  fail_unless_equals_int(p.attempts(), 3);  // a refused attempt is not counted
  fail_unless(p.gave_up() == " (gave up after 3 reconnection attempts)", "%s", p.gave_up().c_str());

  ReconnectPolicy one(reconnect_config(1, 100ms, 400ms));
  fail_unless(one.next().has_value());
  fail_if(one.next().has_value());
  fail_unless(one.gave_up() == " (gave up after 1 reconnection attempt)", "%s", one.gave_up().c_str());
}
GST_END_TEST;

GST_START_TEST(test_reconnect_stable_connection_starts_over) {
  ReconnectPolicy p(reconnect_config(2, 100ms, 400ms));
  fail_unless_equals_int64(p.stable_after().count(), 1234);
  fail_unless(p.next().has_value());
  fail_unless(p.next().has_value());
  p.stable();
  fail_unless_equals_int(p.attempts(), 0);
  auto attempt = p.next();
  fail_unless(attempt.has_value());
  fail_unless_equals_int(attempt->number, 1);
  fail_unless_equals_int64(attempt->delay.count(), 0);  // at once again
}
GST_END_TEST;

GST_START_TEST(test_reconnect_disabled) {
  SessionConfig off = reconnect_config(6, 100ms, 400ms);
  off.resumption = false;
  fail_if(ReconnectPolicy(off).enabled());
  ReconnectPolicy none(reconnect_config(0, 100ms, 400ms));
  fail_if(none.enabled());
  fail_if(none.next().has_value());
}
GST_END_TEST;

GST_START_TEST(test_deadline_fires_once_for_its_wait) {
  SessionConfig c;
  c.connect_timeout = 20ms;
  c.reply_start_timeout = 0ms;
  c.turn_end_timeout = 30ms;
  GMainContext* context = g_main_context_new();
  SessionTimers d(c, context);
  fail_unless_equals_int64(d.timeout(Wait::Setup).count(), 20);
  fail_unless_equals_int64(d.timeout(Wait::ReplyStart).count(), 0);
  fail_unless_equals_int64(d.timeout(Wait::TurnEnd).count(), 30);

  int fired = 0;
  Wait seen = Wait::None;
  auto passed = [&] {
    ++fired;
    seen = d.end();
  };
  d.arm(Wait::Setup, passed);
  fail_unless(d.waiting_for() == Wait::Setup);
  iterate_until(context, [&] { return fired > 0; });
  fail_unless_equals_int(fired, 1);
  fail_unless(seen == Wait::Setup);
  fail_unless(d.waiting_for() == Wait::None);

  // Arming replaces the wait: only the last one passes.
  d.arm(Wait::TurnEnd, passed);
  d.arm(Wait::ReplyStart, passed);  // 0: at the next iteration
  iterate_until(context, [&] { return fired > 1; });
  iterate_until(
      context, [] { return false; }, 60ms);
  fail_unless_equals_int(fired, 2);
  fail_unless(seen == Wait::ReplyStart);

  // Disarmed: nothing passes, and nothing is waited for.
  d.arm(Wait::TurnEnd, passed);
  d.disarm();
  fail_unless(d.waiting_for() == Wait::None);
  iterate_until(
      context, [] { return false; }, 60ms);
  fail_unless_equals_int(fired, 2);
  g_main_context_unref(context);
}
GST_END_TEST;

GST_START_TEST(test_deadline_setup_without_bound) {
  SessionConfig c;
  c.connect_timeout = 0ms;  // none, as in the transport
  GMainContext* context = g_main_context_new();
  SessionTimers d(c, context);
  bool fired = false;
  d.arm(Wait::Setup, [&] { fired = true; });
  fail_unless(d.waiting_for() == Wait::None);
  iterate_until(
      context, [] { return false; }, 30ms);
  fail_if(fired);
  fail_unless(d.end() == Wait::None);
  g_main_context_unref(context);
}
GST_END_TEST;

// The four one-shot timers: each fires once, a restart replaces its pending
// callback, one is cancelled alone, and cancel_all() stops the rest and the
// phase deadline.
GST_START_TEST(test_timers_fire_replace_and_cancel) {
  SessionConfig c;
  c.turn_end_timeout = 20ms;
  GMainContext* context = g_main_context_new();
  using Timer = SessionTimers::Timer;
  int reconnect = 0, stable = 0, tool = 0, replaced = 0, phase = 0;
  {
    SessionTimers t(c, context);
    t.start(Timer::Reconnect, 5ms, [&] { ++replaced; });
    t.start(Timer::Reconnect, 10ms, [&] { ++reconnect; });  // replaces the first
    t.start(Timer::Stable, 0ms, [&] { ++stable; });
    t.start(Timer::Switch, 10ms, [&] { fail("a cancelled timer fired"); });
    t.cancel(Timer::Switch);
    iterate_until(context, [&] { return reconnect > 0 && stable > 0; });
    fail_unless_equals_int(reconnect, 1);
    fail_unless_equals_int(stable, 1);
    fail_unless_equals_int(replaced, 0);

    t.start(Timer::Tool, 10ms, [&] { ++tool; });
    t.arm(Wait::TurnEnd, [&] { ++phase; });
    t.cancel_all();
    fail_unless(t.waiting_for() == Wait::None);
    iterate_until(
        context, [] { return false; }, 50ms);
    fail_unless_equals_int(tool, 0);
    fail_unless_equals_int(phase, 0);

    // Destroyed with a timer pending: it never fires.
    t.start(Timer::Tool, 5ms, [&] { ++tool; });
  }
  iterate_until(
      context, [] { return false; }, 40ms);
  fail_unless_equals_int(tool, 0);
  g_main_context_unref(context);
}
GST_END_TEST;

static Suite* session_units_suite() {
  Suite* s = suite_create("session_units");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_reconnect_delays_double_up_to_the_max);
  tcase_add_test(tc, test_reconnect_gives_up_after_the_attempts);
  tcase_add_test(tc, test_reconnect_stable_connection_starts_over);
  tcase_add_test(tc, test_reconnect_disabled);
  tcase_add_test(tc, test_deadline_fires_once_for_its_wait);
  tcase_add_test(tc, test_deadline_setup_without_bound);
  tcase_add_test(tc, test_timers_fire_replace_and_cancel);
  return s;
}

GST_CHECK_MAIN(session_units);
