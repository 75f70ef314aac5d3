// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive/latency, geminilivesrc's max-observed-latency and its warning
// when an answer arrives slower than real time: push-to-talk turns in a live
// pipeline against a local server that thinks before it answers.
// Registered in the elements_src suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "elements_util.h"

using namespace geminilive::testing;
using namespace std::chrono_literals;

namespace {

constexpr GstClockTime kThinking = 300 * GST_MSECOND;  // the server's first-reply-delay

struct Latency {
  std::string from;  // the element that posted it
  guint turn = 0;
  std::string source;
  GstClockTime speech_end = GST_CLOCK_TIME_NONE, first_byte = GST_CLOCK_TIME_NONE, first_sample = GST_CLOCK_TIME_NONE,
               to_first_byte = GST_CLOCK_TIME_NONE, to_first_sample = GST_CLOCK_TIME_NONE;
};

Latency parse_latency(GstMessage* m) {
  const GstStructure* s = gst_message_get_structure(m);
  Latency l;
  l.from = GST_OBJECT_NAME(GST_MESSAGE_SRC(m));
  gst_structure_get_uint(s, "turn", &l.turn);
  if (const char* source = gst_structure_get_string(s, "speech-end-source")) l.source = source;
  gst_structure_get_uint64(s, "speech-end", &l.speech_end);
  gst_structure_get_uint64(s, "first-byte", &l.first_byte);
  gst_structure_get_uint64(s, "first-sample", &l.first_sample);
  gst_structure_get_uint64(s, "to-first-byte", &l.to_first_byte);
  gst_structure_get_uint64(s, "to-first-sample", &l.to_first_sample);
  return l;
}

// A live microphone (a tone) into a push-to-talk sink, with (or without)
// a paced geminilivesrc playing the answers.
struct Talk {
  GstElement* pipeline = nullptr;
  GstElement* sink = nullptr;
  GstBus* bus = nullptr;
  std::vector<Latency> latencies;
  std::vector<std::string> warnings;

  Talk(const LiveServer& server, bool with_src) {
    pipeline = parse_pipeline(
        "audiotestsrc is-live=true volume=0.3 ! audio/x-raw,rate=16000,channels=1 ! geminilivesink name=s vad=false " +
        sink_args(server) + (with_src ? " geminilivesrc name=out ! fakesink" : ""));
    sink = gst_bin_get_by_name(GST_BIN(pipeline), "s");
    bus = gst_element_get_bus(pipeline);
    fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    wait_setup_complete(bus);
  }
  ~Talk() {
    gst_element_set_state(pipeline, GST_STATE_NULL);
    release_bus(bus);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
  }

  // Talks for 300 ms between activity-start and activity-end.
  void say() {
    gboolean sent = FALSE;
    g_signal_emit_by_name(sink, "activity-start", &sent);
    fail_unless(sent);
    std::this_thread::sleep_for(300ms);
    g_signal_emit_by_name(sink, "activity-end", &sent);
    fail_unless(sent);
  }
  // One turn: says something, then notes the bus until the answer's
  // turn-complete and its latency are in.
  void turn() {
    complete_ = false;
    const std::size_t before = latencies.size();
    say();
    while (!complete_ || latencies.size() == before) note(kWait);
  }
  // Notes the bus for `time`.
  void note_for(std::chrono::milliseconds time) {
    const auto end = std::chrono::steady_clock::now() + time;
    while (std::chrono::steady_clock::now() < end)
      note(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()), true);
  }

 private:
  void note(std::chrono::milliseconds timeout, bool may_time_out = false) {
    GstMessage* m = wait_message(
        bus, [](GstMessage*) { return true; }, timeout);
    if (!m) {
      fail_unless(may_time_out, "the turn's latency or end did not come");
      return;
    }
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* e = nullptr;
      gst_message_parse_error(m, &e, nullptr);
      fail("error: %s", e->message);
    } else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_WARNING) {
      GError* e = nullptr;
      gst_message_parse_warning(m, &e, nullptr);
      warnings.push_back(e->message);
      g_error_free(e);
    } else if (is_element_message(m, "geminilive/latency")) {
      latencies.push_back(parse_latency(m));
    } else if (is_element_message(m, "geminilive/turn-complete")) {
      complete_ = true;
    }
    gst_message_unref(m);
  }

  bool complete_ = false;
};

bool slow_warning(const std::string& w) { return contains(w, "slower than real time"); }

}  // namespace

// Two turns: one message each, from the source that plays the answer, its
// instants in order on the pipeline clock, at least the server's thinking
// time after activityEnd; max-observed-latency is the longest; no warning
// at the server's normal speed (4x real time).
GST_START_TEST(test_latency_per_turn_from_the_playing_source) {
  ServerOptions o;
  o.first_reply_delay = std::chrono::milliseconds(kThinking / GST_MSECOND);
  auto server = start_server(o);
  Talk talk(*server, true);
  talk.turn();
  talk.turn();
  talk.note_for(300ms);  // anything late or doubled shows
  fail_unless_equals_int(talk.latencies.size(), 2);
  GstClockTime longest = 0;
  for (guint i = 0; i < 2; ++i) {
    const Latency& l = talk.latencies[i];
    assert_str(l.from, "out");
    fail_unless_equals_int(l.turn, i + 1);
    assert_str(l.source, "activity-end");
    fail_unless(GST_CLOCK_TIME_IS_VALID(l.speech_end) && GST_CLOCK_TIME_IS_VALID(l.first_sample));
    fail_unless(l.speech_end <= l.first_byte && l.first_byte <= l.first_sample,
                "turn %u: speech-end %" GST_TIME_FORMAT ", first-byte %" GST_TIME_FORMAT
                ", first-sample %" GST_TIME_FORMAT,
                l.turn, GST_TIME_ARGS(l.speech_end), GST_TIME_ARGS(l.first_byte), GST_TIME_ARGS(l.first_sample));
    fail_unless(l.to_first_byte >= kThinking && (l.to_first_byte < 5 * GST_SECOND || under_valgrind()),
                "to-first-byte %" GST_TIME_FORMAT, GST_TIME_ARGS(l.to_first_byte));
    fail_unless(l.to_first_sample >= l.to_first_byte && l.to_first_sample < 10 * GST_SECOND);
    // The durations are the instants' differences (both put on the clock).
    fail_unless(std::max(l.first_byte - l.speech_end, l.to_first_byte) -
                    std::min(l.first_byte - l.speech_end, l.to_first_byte) <
                GST_MSECOND);
    longest = std::max(longest, l.to_first_sample);
  }
  GstElement* out = gst_bin_get_by_name(GST_BIN(talk.pipeline), "out");
  guint64 max_observed = 0;
  g_object_get(out, "max-observed-latency", &max_observed, nullptr);
  gst_object_unref(out);
  fail_unless_equals_uint64(max_observed, longest);
  fail_unless(std::none_of(talk.warnings.begin(), talk.warnings.end(), slow_warning), "a warning at normal speed");
}
GST_END_TEST;

// Without a source playing the answer, the sink posts the message when the
// answer's first byte comes: no first-sample.
GST_START_TEST(test_latency_from_the_sink_without_a_source) {
  ServerOptions o;
  o.first_reply_delay = std::chrono::milliseconds(kThinking / GST_MSECOND);
  auto server = start_server(o);
  Talk talk(*server, false);
  talk.turn();
  talk.note_for(200ms);
  fail_unless_equals_int(talk.latencies.size(), 1);
  const Latency& l = talk.latencies[0];
  assert_str(l.from, "s");
  assert_str(l.source, "activity-end");
  fail_unless(!GST_CLOCK_TIME_IS_VALID(l.first_sample) && !GST_CLOCK_TIME_IS_VALID(l.to_first_sample));
  fail_unless(l.speech_end <= l.first_byte && l.to_first_byte >= kThinking && l.to_first_byte < 5 * GST_SECOND);
}
GST_END_TEST;

// An answer sent at half real time runs dry in the middle: one warning for
// the turn, saying how much silence was played.
GST_START_TEST(test_warning_when_the_answer_is_slower_than_real_time) {
  ServerOptions o;
  o.reply_speed = 0.5;
  auto server = start_server(o);
  Talk talk(*server, true);
  talk.say();
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::none_of(talk.warnings.begin(), talk.warnings.end(), slow_warning) &&
         std::chrono::steady_clock::now() < deadline)
    talk.note_for(100ms);
  talk.note_for(1000ms);  // a second one for the same turn would show
  std::vector<std::string> slow;
  std::copy_if(talk.warnings.begin(), talk.warnings.end(), std::back_inserter(slow), slow_warning);
  fail_unless_equals_int(slow.size(), 1);
  const std::string& w = slow[0];
  fail_unless(g_str_has_prefix(w.c_str(), "The answer arrived slower than real time: ") &&
                  contains(w, " ms of silence inserted in turn 1."),
              "%s", w.c_str());
  const long ms = std::atol(w.c_str() + strlen("The answer arrived slower than real time: "));
  // 200 ms chunks every 400 ms: about 200 ms of silence after the first
  // (more when valgrind slows everything).
  fail_unless(ms >= 100 && (ms <= 400 || under_valgrind()), "%s", w.c_str());
}
GST_END_TEST;

static Suite* elements_latency_suite() {
  Suite* s = suite_create("elements_latency");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_latency_per_turn_from_the_playing_source);
  tcase_add_test(tc, test_latency_from_the_sink_without_a_source);
  tcase_add_test(tc, test_warning_when_the_answer_is_slower_than_real_time);
  return s;
}

GST_CHECK_MAIN(elements_latency);
