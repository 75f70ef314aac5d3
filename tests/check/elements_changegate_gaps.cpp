// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivechangegate's GAP events: a dropped frame becomes a GAP over its
// time (in order with the frames passed), so an aggregator behind the gate
// goes on through a still screen; and they reach geminilivesink's video pad
// without a frame being sent for them.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "elements_util.h"

using namespace geminilive::testing;

namespace {

constexpr int kW = 320;
constexpr int kH = 180;

GstClockTime ms(int n) { return n * GST_MSECOND; }

// A GRAY8 frame of one grey, with a dark block when `marked`.
GstBuffer* frame(bool marked, GstClockTime pts, GstClockTime duration) {
  std::vector<uint8_t> px(kW * kH, 235);
  if (marked)
    for (int y = 0; y < kH / 2; ++y)
      for (int x = 0; x < kW / 2; ++x) px[y * kW + x] = 20;
  GstBuffer* b = gst_buffer_new_memdup(px.data(), px.size());
  GST_BUFFER_PTS(b) = pts;
  GST_BUFFER_DURATION(b) = duration;
  return b;
}

// What left the gate, in order: a buffer, a GAP or EOS, with its time.
struct Item {
  char kind;  // 'B' buffer, 'G' GAP, 'E' EOS
  GstClockTime ts;
  GstClockTime duration;
};

GstPadProbeReturn record(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* items = static_cast<std::vector<Item>*>(data);
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
    items->push_back({'B', GST_BUFFER_PTS(b), GST_BUFFER_DURATION(b)});
  } else if (GstEvent* e = GST_PAD_PROBE_INFO_EVENT(info)) {
    if (GST_EVENT_TYPE(e) == GST_EVENT_GAP) {
      Item it{'G', 0, 0};
      gst_event_parse_gap(e, &it.ts, &it.duration);
      items->push_back(it);
    } else if (GST_EVENT_TYPE(e) == GST_EVENT_EOS) {
      items->push_back({'E', GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE});
    }
  }
  return GST_PAD_PROBE_OK;
}

void assert_items(const std::vector<Item>& got, const std::vector<Item>& want) {
  auto text = [](const std::vector<Item>& items) {
    std::string t;
    for (const auto& i : items)
      t += std::string(1, i.kind) + (GST_CLOCK_TIME_IS_VALID(i.ts) ? std::to_string(GST_TIME_AS_MSECONDS(i.ts)) : "") +
           " ";
    return t;
  };
  const std::string g = text(got), w = text(want);
  fail_unless(got.size() == want.size(), "got %s, want %s", g.c_str(), w.c_str());
  for (std::size_t n = 0; n < got.size(); ++n)
    fail_unless(got[n].kind == want[n].kind && got[n].ts == want[n].ts && got[n].duration == want[n].duration,
                "item %zu: got %s, want %s (durations %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT ")", n, g.c_str(),
                w.c_str(), got[n].duration, want[n].duration);
}

}  // namespace

// A still picture, a change, still again: frames passed keep their PTS and
// duration, every dropped frame is a GAP of its PTS and duration, in stream
// order; EOS follows. Without a duration the GAP lasts one frame of the caps'
// rate; without a PTS there is no GAP.
GST_START_TEST(test_dropped_frames_are_gaps) {
  GstHarness* h = gst_harness_new("geminilivechangegate");
  g_object_set(h->element, "keepalive", 0.0, nullptr);
  g_autofree char* caps = g_strdup_printf("video/x-raw,format=GRAY8,width=%d,height=%d,framerate=4/1", kW, kH);
  gst_harness_set_src_caps_str(h, caps);
  std::vector<Item> items;
  GstPad* src = gst_element_get_static_pad(h->element, "src");
  gst_pad_add_probe(src, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                    record, &items, nullptr);
  // 0.5 s frames: still at 0-1.5 s, changed from 2 s (passes: 1 s since the last).
  for (int t = 0; t < 2000; t += 500) fail_unless_equals_int(gst_harness_push(h, frame(false, ms(t), ms(500))), 0);
  for (int t = 2000; t < 3500; t += 500) fail_unless_equals_int(gst_harness_push(h, frame(true, ms(t), ms(500))), 0);
  // No duration: a frame of 4/1; no PTS: nothing to say where the gap is.
  fail_unless_equals_int(gst_harness_push(h, frame(true, ms(3500), GST_CLOCK_TIME_NONE)), 0);
  fail_unless_equals_int(gst_harness_push(h, frame(true, GST_CLOCK_TIME_NONE, ms(500))), 0);
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  const GstClockTime d = ms(500);
  assert_items(items, {{'B', 0, d},
                       {'G', ms(500), d},
                       {'G', ms(1000), d},
                       {'G', ms(1500), d},
                       {'B', ms(2000), d},
                       {'G', ms(2500), d},
                       {'G', ms(3000), d},
                       {'G', ms(3500), ms(250)},
                       {'E', GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE}});
  // The harness got the frames passed, untouched.
  fail_unless_equals_int(gst_harness_buffers_received(h), 2);
  gst_object_unref(src);
  gst_harness_teardown(h);
}
GST_END_TEST;

// The gate in front of an aggregator (compositor, which like a muxer waits
// for every pad's next data): beside a moving picture, 10 s of a still screen
// pass one frame, yet the compositor's output reaches 10 s before any EOS,
// because the GAPs advance the still pad's time (without them it stops at
// 0.5 s, the end of the one frame passed). EOS then ends it, no frame needed.
GST_START_TEST(test_aggregator_goes_on_through_a_still_screen) {
  g_autofree char* line = g_strdup_printf(
      "appsrc name=still format=time caps=video/x-raw,format=GRAY8,width=%d,height=%d,framerate=2/1 ! "
      "geminilivechangegate name=g ! videoconvert ! c.sink_0 "
      "appsrc name=moving format=time caps=video/x-raw,format=GRAY8,width=%d,height=%d,framerate=2/1 ! "
      "videoconvert ! c.sink_1 "
      "compositor name=c ! fakesink name=out sync=false signal-handoffs=true",
      kW, kH, kW, kH);
  GstElement* pipeline = parse_pipeline(line);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstElement* still = gst_bin_get_by_name(GST_BIN(pipeline), "still");
  GstElement* moving = gst_bin_get_by_name(GST_BIN(pipeline), "moving");
  GstElement* out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
  std::atomic<guint64> out_end{0};  // end of the last output frame
  g_signal_connect(out, "handoff", G_CALLBACK(+[](GstElement*, GstBuffer* b, GstPad*, gpointer data) {
                     if (GST_BUFFER_PTS_IS_VALID(b) && GST_BUFFER_DURATION_IS_VALID(b))
                       static_cast<std::atomic<guint64>*>(data)->store(GST_BUFFER_PTS(b) + GST_BUFFER_DURATION(b));
                   }),
                   &out_end);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  auto push = [](GstElement* src, GstBuffer* b) {
    GstFlowReturn ret = GST_FLOW_ERROR;
    g_signal_emit_by_name(src, "push-buffer", b, &ret);
    gst_buffer_unref(b);
    fail_unless_equals_int(ret, GST_FLOW_OK);
  };
  for (int i = 0; i < 20; ++i) {
    push(still, frame(false, ms(500 * i), ms(500)));
    push(moving, frame(i % 2, ms(500 * i), ms(500)));
  }
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (out_end.load() < ms(10000) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  fail_unless(out_end.load() >= ms(10000), "the compositor's output stopped at %" GST_TIME_FORMAT " of 10 s",
              GST_TIME_ARGS(out_end.load()));
  // One frame passed: the first.
  GstElement* gate = gst_bin_get_by_name(GST_BIN(pipeline), "g");
  g_signal_emit_by_name(gate, "post-stats");
  gst_object_unref(gate);
  GstMessage* stats = wait_message(bus, element_message("geminilive/change-gate"));
  fail_unless(stats != nullptr, "no geminilive/change-gate message");
  guint64 in = 0, passed = 0;
  gst_structure_get_uint64(gst_message_get_structure(stats), "frames-in", &in);
  gst_structure_get_uint64(gst_message_get_structure(stats), "frames-passed", &passed);
  gst_message_unref(stats);
  fail_unless(in == 20 && passed == 1, "%" G_GUINT64_FORMAT " frames in, %" G_GUINT64_FORMAT " passed", in, passed);

  GstFlowReturn ret;
  g_signal_emit_by_name(still, "end-of-stream", &ret);
  g_signal_emit_by_name(moving, "end-of-stream", &ret);
  // No further frame on the still pad: EOS alone ends the stream.
  GstMessage* eos = wait_message(bus, message_of_type(GST_MESSAGE_EOS));
  fail_unless(eos != nullptr, "no EOS");
  gst_message_unref(eos);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(out);
  gst_object_unref(moving);
  gst_object_unref(still);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

static Suite* changegate_gaps_suite() {
  Suite* s = suite_create("elements_changegate_gaps");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_dropped_frames_are_gaps);
  tcase_add_test(tc, test_aggregator_goes_on_through_a_still_screen);
  return s;
}

GST_CHECK_MAIN(changegate_gaps)
