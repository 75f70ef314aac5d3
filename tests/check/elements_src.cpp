// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesrc as a user sees it: caps and properties, paced playback
// (timing, silence, latency), raw recording (exact bytes, contiguous
// timestamps), text and transcript streams (GAP events), barge-in, several
// taps on one channel and errors. The file-to-file pipelines that end by
// themselves are in elements_src_pipelines.cpp.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "check_util.h"
#include "elements_util.h"
#include "reply_synth.h"
#include "session/reply_queue.h"
#include "turn_input.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
using namespace std::chrono_literals;

namespace {

constexpr GstClockTime kPeriod = 20 * GST_MSECOND;
constexpr gsize kPeriodBytes = 960;  // 20 ms of 24 kHz S16LE mono

// A started source harness (sources do not start by themselves).
GstHarness* src_harness(GstElement* src, bool system_clock) {
  GstHarness* h = gst_harness_new_with_element(src, nullptr, "src");
  gst_object_unref(src);
  if (system_clock) gst_harness_use_systemclock(h);
  gst_harness_play(h);
  return h;
}

std::string buffer_bytes(GstBuffer* b) {
  GstMapInfo map;
  gst_buffer_map(b, &map, GST_MAP_READ);
  std::string s(reinterpret_cast<const char*>(map.data), map.size);
  gst_buffer_unmap(b, &map);
  return s;
}

// When each buffer left a pad, and whether it was silence: the timing of
// paced output, independent of how fast the test pulls it.
struct PushLog {
  struct Entry {
    gint64 at_us;
    bool gap;
  };
  std::mutex mutex;
  std::vector<Entry> entries;
  GstPad* pad = nullptr;
  gulong probe_id = 0;

  static GstPadProbeReturn probe(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* self = static_cast<PushLog*>(data);
    GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
    std::lock_guard<std::mutex> lock(self->mutex);
    self->entries.push_back({g_get_monotonic_time(), GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP) != 0});
    return GST_PAD_PROBE_OK;
  }
  // The probe must not outlive the log: a failed assertion leaves the test
  // frame while the source's streaming thread still pushes.
  ~PushLog() {
    if (pad) {
      gst_pad_remove_probe(pad, probe_id);
      gst_object_unref(pad);
    }
  }
  void watch(GstElement* element) {
    pad = gst_element_get_static_pad(element, "src");
    probe_id = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, &PushLog::probe, this, nullptr);
  }
  std::vector<Entry> snapshot() {
    std::lock_guard<std::mutex> lock(mutex);
    return entries;
  }
};

bool all_zero(const std::string& s) { return s.find_first_not_of('\0') == std::string::npos; }

void assert_contiguous(const std::vector<GstBuffer*>& buffers) {
  for (std::size_t i = 0; i + 1 < buffers.size(); ++i) {
    fail_unless(GST_BUFFER_PTS_IS_VALID(buffers[i]) && GST_BUFFER_DURATION_IS_VALID(buffers[i]));
    fail_unless_equals_uint64(GST_BUFFER_PTS(buffers[i + 1]),
                              GST_BUFFER_PTS(buffers[i]) + GST_BUFFER_DURATION(buffers[i]));
  }
}

}  // namespace

// The queue between the session's thread and the source's.
GST_START_TEST(test_reply_queue) {
  using geminilive::session::ReplyQueue;
  using Status = ReplyQueue::Status;
  ReplyQueue q(10);
  fail_unless(q.poll() == Status::Timeout);
  fail_unless(q.wait(std::chrono::steady_clock::now() + 10ms) == Status::Timeout);
  // Bounded: the oldest whole samples go first.
  fail_unless_equals_uint64(q.push_audio("abcdef"), 0);
  fail_unless_equals_uint64(q.push_audio("ghijkl"), 2);
  fail_unless_equals_uint64(q.audio_bytes(), 10);
  assert_str(q.take_audio(4), "cdef");
  assert_str(q.take_audio(100), "ghijkl");
  fail_unless_equals_uint64(q.dropped_audio_bytes(), 2);
  // Barge-in, then the end: EOS only once drained.
  q.push_audio("xy");
  q.push_text("t");
  q.clear();
  fail_unless(q.poll() == Status::Timeout && !q.take_text());
  q.push_text("last");
  q.finish();
  fail_unless(q.wait() == Status::Data);
  assert_str(q.take_text().value_or(""), "last");
  fail_unless(q.wait() == Status::Finished);
  // Flushing wins, and a failure beats queued data.
  q.set_flushing(true);
  fail_unless(q.wait() == Status::Flushing);
  q.reset();
  q.push_audio("zz");
  geminilive::session::SessionError e;
  e.message = "gone";
  q.fail_with(e);
  fail_unless(q.poll() == Status::Failed);
  assert_str(q.error()->message, "gone");
}
GST_END_TEST;

GST_START_TEST(test_src_properties_and_caps) {
  GstElement* src = gst_element_factory_make("geminilivesrc", nullptr);
  fail_unless(src != nullptr);
  g_autofree char* channel = nullptr;
  gint stream = -1;
  gboolean paced = FALSE;
  guint64 period = 0;
  g_object_get(src, "channel", &channel, "stream", &stream, "paced", &paced, "period-time", &period, nullptr);
  assert_str(channel, "default");
  fail_unless_equals_int(stream, 0);
  fail_unless(paced);
  fail_unless_equals_uint64(period, kPeriod);
  gst_util_set_object_arg(G_OBJECT(src), "stream", "output-transcription");
  g_object_set(src, "channel", "other", "paced", FALSE, nullptr);
  g_free(channel);
  channel = nullptr;
  g_object_get(src, "channel", &channel, "stream", &stream, "paced", &paced, nullptr);
  assert_str(channel, "other");
  fail_unless_equals_int(stream, 3);
  fail_unless(!paced);

  GstPad* pad = gst_element_get_static_pad(src, "src");
  GstCaps* caps = gst_pad_query_caps(pad, nullptr);
  GstCaps* text = gst_caps_from_string("text/x-raw,format=utf8");
  fail_unless(gst_caps_is_equal(caps, text), "%" GST_PTR_FORMAT, caps);
  gst_caps_unref(caps);
  gst_caps_unref(text);
  gst_util_set_object_arg(G_OBJECT(src), "stream", "audio");
  caps = gst_pad_query_caps(pad, nullptr);
  GstCaps* audio = gst_caps_from_string("audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=24000");
  fail_unless(gst_caps_is_equal(caps, audio), "%" GST_PTR_FORMAT, caps);
  gst_caps_unref(caps);
  gst_caps_unref(audio);
  gst_object_unref(pad);
  gst_object_unref(src);
}
GST_END_TEST;

GST_START_TEST(test_src_paced_silence_timing_and_latency) {
  // No session on the channel yet: real-time silence.
  GstHarness* h = src_harness(make_src("audio", true, "quiet"), true);
  GstPad* pad = gst_element_get_static_pad(h->element, "src");
  GstQuery* q = gst_query_new_latency();
  fail_unless(gst_pad_query(pad, q));
  gboolean live = FALSE;
  GstClockTime min = 0, max = 0;
  gst_query_parse_latency(q, &live, &min, &max);
  fail_unless(live);
  fail_unless_equals_uint64(min, kPeriod);
  fail_unless(max >= 60 * GST_SECOND);
  gst_query_unref(q);
  gst_object_unref(pad);

  PushLog log;
  log.watch(h->element);
  std::vector<GstBuffer*> buffers;
  // The source may push a period or two before the probe is in place (those
  // are not logged): pull until the probe has seen 51 pushes. A buffer is
  // logged before it reaches the harness, so the count is never behind.
  while (log.snapshot().size() < 51) buffers.push_back(gst_harness_pull(h));
  // Each period goes out 20 ms after the one before: 50 of them in a second.
  const auto pushed = log.snapshot();
  const gint64 took_ms = (pushed[50].at_us - pushed[0].at_us) / 1000;
  // Never early; late only by scheduling (a lot of it under valgrind).
  const gint64 late_ms = under_valgrind() ? 2000 : 150;
  fail_unless(took_ms >= 950 && took_ms < 950 + late_ms, "50 periods took %" G_GINT64_FORMAT " ms", took_ms);
  assert_contiguous(buffers);
  for (GstBuffer* b : buffers) {
    fail_unless_equals_uint64(gst_buffer_get_size(b), kPeriodBytes);
    fail_unless_equals_uint64(GST_BUFFER_DURATION(b), kPeriod);
    fail_unless(GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP));
    fail_unless(all_zero(buffer_bytes(b)));
    gst_buffer_unref(b);
  }
  GstCaps* caps = gst_pad_get_current_caps(h->sinkpad);
  GstStructure* s = gst_caps_get_structure(caps, 0);
  gint rate = 0, channels = 0;
  fail_unless(gst_structure_get_int(s, "rate", &rate) && gst_structure_get_int(s, "channels", &channels));
  fail_unless_equals_int(rate, 24000);
  fail_unless_equals_int(channels, 1);
  assert_str(gst_structure_get_string(s, "format"), "S16LE");
  gst_caps_unref(caps);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_src_paced_answer_then_silence) {
  auto server = start_server(fast());
  GstHarness* src = src_harness(make_src("audio", true), true);
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  GstHarness* in = sink_harness(sink, "audio", kAudioCaps16k);
  // Speech, then enough quiet for the server to end the turn.
  push_pcm(in, tone_pcm(0.6) + silence_pcm(0.8));

  // What the server answered, from the transcript.
  std::string reply;
  GstMessage* done = collect_said(bus, &reply, element_message("geminilive/turn-complete"));
  fail_unless(done != nullptr, "no answer");
  gst_message_unref(done);
  const std::string expected = mock::synthesize_reply_pcm(reply);

  // Silence, the answer in real time, then silence again; one timeline.
  PushLog log;
  log.watch(src->element);
  std::vector<GstBuffer*> buffers;
  std::string answer;
  int gaps_before = 0, gaps_after = 0, underruns = 0;
  while (answer.size() < expected.size() || gaps_after < 10) {
    GstBuffer* b = gst_harness_pull(src);
    fail_unless(b != nullptr);
    buffers.push_back(b);
    fail_unless_equals_uint64(gst_buffer_get_size(b), kPeriodBytes);
    const bool gap = GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP);
    if (gap) {
      fail_unless(all_zero(buffer_bytes(b)));
      (answer.empty() ? gaps_before : gaps_after)++;
    } else {
      if (gaps_after > 0) underruns++;
      gaps_after = 0;
      answer += buffer_bytes(b);
    }
    fail_unless(buffers.size() < 1000, "no silence after the answer");
  }
  fail_unless(gaps_before > 0);
  // The server sends the whole answer at once (fast()), far ahead of real
  // time, so silence inside it means the session's thread fell behind the
  // clock. Under valgrind, which runs one thread at a time, it can; the
  // content must still be whole and in order.
  fail_unless(underruns == 0 || under_valgrind(), "the answer resumed after silence %d times", underruns);
  // The answer, padded to whole periods with silence.
  fail_unless(answer.size() >= expected.size() && answer.size() < expected.size() + kPeriodBytes);
  fail_unless(answer.compare(0, expected.size(), expected) == 0, "the answer's audio differs");
  fail_unless(all_zero(answer.substr(expected.size())));
  // Played in real time: from the first period of the answer to the last.
  gint64 first_us = 0, last_us = 0;
  for (const auto& e : log.snapshot()) {
    if (e.gap) continue;
    if (first_us == 0) first_us = e.at_us;
    last_us = e.at_us;
  }
  const gint64 played_ms = (last_us - first_us) / 1000;
  const gint64 length_ms = static_cast<gint64>(answer.size() / kPeriodBytes - 1) * 20;
  // Under valgrind the source falls behind and then catches up on the clock:
  // periods go out both later and closer together than in real time.
  const gint64 early_ms = under_valgrind() ? 1000 : 50, late_ms = under_valgrind() ? 2000 : 100;
  fail_unless(played_ms > length_ms - early_ms && played_ms < length_ms + late_ms,
              "played %" G_GINT64_FORMAT " ms of %" G_GINT64_FORMAT, played_ms, length_ms);
  assert_contiguous(buffers);
  for (GstBuffer* b : buffers) gst_buffer_unref(b);
  gst_harness_teardown(in);
  gst_harness_teardown(src);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_src_raw_answer_and_several_taps) {
  auto server = start_server(fast());
  // Three taps on one channel: the raw voice and both transcripts.
  GstHarness* raw = src_harness(make_src("audio", false), false);
  GstHarness* heard = src_harness(make_src("input-transcription"), false);
  GstHarness* said = src_harness(make_src("output-transcription"), false);
  GstHarness* in = sink_harness(make_sink(*server), "audio", kAudioCaps16k);
  const std::string question = tone_pcm(1.0);
  push_pcm(in, question);
  fail_unless(gst_harness_push_event(in, gst_event_new_eos()));
  const std::string reply = reply_to_audio(question);

  Pulled audio, input, output;
  pull_until_eos(raw, audio);
  pull_until_eos(heard, input);
  pull_until_eos(said, output);
  fail_unless(audio.eos && input.eos && output.eos, "every tap ends after the answer");
  const std::string expected = mock::synthesize_reply_pcm(reply);
  fail_unless_equals_uint64(audio.bytes().size(), expected.size());
  fail_unless(audio.bytes() == expected, "the recorded answer differs from the server's audio");
  assert_contiguous(audio.buffers);
  for (GstBuffer* b : audio.buffers) fail_if(GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP), "silence in raw mode");
  assert_str(input.bytes(), "(1.0 seconds of speech)");
  assert_str(output.bytes(), reply);
  gst_harness_teardown(in);
  gst_harness_teardown(raw);
  gst_harness_teardown(heard);
  gst_harness_teardown(said);
}
GST_END_TEST;

GST_START_TEST(test_src_text_stream_with_gaps) {
  auto server = start_server(fast());
  GstHarness* src = src_harness(make_src("text"), true);
  GstElement* sink = make_sink(*server);
  // A model we know nothing of is asked for TEXT as given (the local server
  // then writes its answer in text parts).
  g_object_set(sink, "model", "gemini-writing-test", nullptr);
  gst_util_set_object_arg(G_OBJECT(sink), "response-modality", "text");
  GstHarness* in = sink_harness(sink, "text", "text/x-raw,format=utf8");
  // Idle: GAP events keep downstream going.
  g_usleep(1200 * 1000);
  gst_harness_push(in, gst_buffer_new_memdup("hello", 5));
  fail_unless(gst_harness_push_event(in, gst_event_new_eos()));

  // Once the answer is in: well before the session's 10 s wait for a reply.
  Pulled text;
  pull_until_eos(src, text, 5s);
  fail_unless(text.eos);
  fail_unless(text.gaps >= 2, "%d GAP events in 1.2 s", text.gaps);
  const std::string reply = reply_to_text("hello");
  assert_str(text.bytes(), reply);
  fail_unless_equals_uint64(text.buffers.size(), mock::reply_text_fragments(reply).size());
  GstClockTime last = 0;
  for (GstBuffer* b : text.buffers) {
    fail_unless(GST_BUFFER_PTS_IS_VALID(b));
    fail_unless(GST_BUFFER_PTS(b) >= last);
    last = GST_BUFFER_PTS(b);
  }
  gst_harness_teardown(in);
  gst_harness_teardown(src);
}
GST_END_TEST;

GST_START_TEST(test_src_interrupt_drops_the_rest_of_the_answer) {
  ServerOptions o;
  o.reply_speed = 1.0;  // the answer streams in real time: there is time to cut in
  auto server = start_server(o);
  GstHarness* src = src_harness(make_src("audio", true), true);
  PushLog log;
  log.watch(src->element);

  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  static std::atomic<gint64> interrupted_at_us{0};
  gst_bus_set_sync_handler(
      bus,
      [](GstBus*, GstMessage* m, gpointer) {
        if (is_element_message(m, "geminilive/interrupted")) interrupted_at_us = g_get_monotonic_time();
        return GST_BUS_PASS;
      },
      nullptr, nullptr);
  GstHarness* in = sink_harness(sink, "audio", kAudioCaps16k);
  push_pcm(in, tone_pcm(0.4) + silence_pcm(0.7));

  // The answer plays for a while ...
  GstBuffer* b = nullptr;
  int answer_buffers = 0;
  while (answer_buffers < 15) {
    b = gst_harness_pull(src);
    fail_unless(b != nullptr);
    if (!GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP)) ++answer_buffers;
    gst_buffer_unref(b);
  }
  // ... until the user speaks again.
  push_pcm(in, tone_pcm(0.2), 16000, 0.02, GST_SECOND * 2);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.interruptions == 1; }, kWait));
  for (int i = 0; i < 30; ++i) gst_buffer_unref(gst_harness_pull(src));
  const gint64 t = interrupted_at_us.load();
  fail_unless(t != 0, "no geminilive/interrupted message");

  // Nothing of the answer goes out more than a period after the interruption.
  const gint64 limit = t + (kPeriod / GST_USECOND) + (under_valgrind() ? 200 : 10) * 1000;
  int after = 0;
  for (const auto& e : log.snapshot()) {
    if (e.at_us <= limit) continue;
    fail_unless(e.gap, "answer audio %" G_GINT64_FORMAT " ms after the interruption", (e.at_us - t) / 1000);
    ++after;
  }
  // 30 periods were pulled after the interruption; the window above is wider
  // under valgrind, so fewer of them fall after it.
  fail_unless(after >= (under_valgrind() ? 10 : 20), "%d periods after the interruption", after);
  gst_harness_teardown(in);
  gst_harness_teardown(src);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_src_posts_its_own_error) {
  ServerOptions o = fast();
  o.close_after = 300ms;
  // A 1011 the session cannot recover from by reconnecting.
  o.close_code = 1011;
  o.close_reason = "You exceeded your current quota, please check your plan and billing details.";
  auto server = start_server(o);
  GstElement* element = make_src("audio", true);
  GstBus* bus = attach_bus(element);
  GstHarness* src = src_harness(element, true);
  GstHarness* in = sink_harness(make_sink(*server), "audio", kAudioCaps16k);
  GstMessage* m = wait_message(bus, message_of_type(GST_MESSAGE_ERROR));
  fail_unless(m != nullptr, "the source posted no error");
  fail_unless(GST_MESSAGE_SRC(m) == GST_OBJECT(src->element));
  GError* error = nullptr;
  gst_message_parse_error(m, &error, nullptr);
  fail_unless(g_error_matches(error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED), "%s", error->message);
  fail_unless(strstr(error->message, "You exceeded your current quota") != nullptr, "%s", error->message);
  g_error_free(error);
  gst_message_unref(m);
  gst_harness_teardown(in);
  gst_harness_teardown(src);
  release_bus(bus);
}
GST_END_TEST;

static Suite* elements_src_suite() {
  Suite* s = suite_create("elements_src");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_reply_queue);
  tcase_add_test(tc, test_src_properties_and_caps);
  tcase_add_test(tc, test_src_paced_silence_timing_and_latency);
  tcase_add_test(tc, test_src_paced_answer_then_silence);
  tcase_add_test(tc, test_src_raw_answer_and_several_taps);
  tcase_add_test(tc, test_src_text_stream_with_gaps);
  tcase_add_test(tc, test_src_interrupt_drops_the_rest_of_the_answer);
  tcase_add_test(tc, test_src_posts_its_own_error);
  return s;
}

GST_CHECK_MAIN(elements_src);
