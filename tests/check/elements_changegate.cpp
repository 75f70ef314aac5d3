// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivechangegate: its luma grid and decision alone, then the element
// in a harness (still pictures, changes, noise, a blinking caret, typing,
// keepalive, timestamps, the stats message, formats, flushes), and in front
// of jpegenc and geminilivesink, counting the frames the local server gets.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <atomic>
#include <random>
#include <string>
#include <vector>

#include "../../plugins/geminilive/change_detector.h"
#include "check_util.h"
#include "elements_util.h"

using namespace geminilive::testing;
namespace plugin = geminilive::plugin;
using plugin::Verdict;

namespace {

constexpr int kW = 1280;  // 64×36 cells of 20×20 pixels
constexpr int kH = 720;

// A GRAY8 picture, white unless drawn on.
struct Picture {
  std::vector<uint8_t> px = std::vector<uint8_t>(kW * kH, 235);
  void fill(int x, int y, int w, int h, uint8_t v) {
    for (int j = y; j < y + h; ++j)
      for (int i = x; i < x + w; ++i) px[j * kW + i] = v;
  }
  void noise(std::mt19937* rng) {
    for (auto& p : px) p = static_cast<uint8_t>((*rng)() & 0xFF);
  }
  plugin::LumaView view() const {
    plugin::LumaView v;
    v.width = kW;
    v.height = kH;
    v.row_stride = kW;
    v.y = px.data();
    return v;
  }
};

GstClockTime ms(int n) { return n * GST_MSECOND; }

GstHarness* gate_harness(double max_fps = 1, double keepalive = 10) {
  GstHarness* h = gst_harness_new("geminilivechangegate");
  g_object_set(h->element, "max-fps", max_fps, "keepalive", keepalive, nullptr);
  g_autofree char* caps = g_strdup_printf("video/x-raw,format=GRAY8,width=%d,height=%d,framerate=2/1", kW, kH);
  gst_harness_set_src_caps_str(h, caps);
  return h;
}

void push(GstHarness* h, const Picture& p, GstClockTime pts) {
  GstBuffer* b = gst_buffer_new_memdup(p.px.data(), p.px.size());
  GST_BUFFER_PTS(b) = pts;
  GST_BUFFER_DURATION(b) = ms(100);
  fail_unless_equals_int(gst_harness_push(h, b), GST_FLOW_OK);
}

// The PTS of every buffer the gate passed so far.
std::vector<GstClockTime> passed(GstHarness* h) {
  std::vector<GstClockTime> out;
  while (GstBuffer* b = gst_harness_try_pull(h)) {
    out.push_back(GST_BUFFER_PTS(b));
    gst_buffer_unref(b);
  }
  return out;
}

void assert_times(const std::vector<GstClockTime>& got, const std::vector<GstClockTime>& want) {
  fail_unless_equals_int(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) fail_unless_equals_uint64(got[i], want[i]);
}

// The counts of a geminilive/change-gate message: in, passed, unchanged, over-rate.
std::vector<guint64> stats_of(GstMessage* m) {
  fail_unless(m != nullptr, "no geminilive/change-gate message");
  const GstStructure* s = gst_message_get_structure(m);
  std::vector<guint64> v(4);
  fail_unless(gst_structure_get(s, "frames-in", G_TYPE_UINT64, &v[0], "frames-passed", G_TYPE_UINT64, &v[1],
                                "frames-unchanged", G_TYPE_UINT64, &v[2], "frames-over-rate", G_TYPE_UINT64, &v[3],
                                nullptr));
  gst_message_unref(m);
  return v;
}

void assert_stats(const std::vector<guint64>& got, guint64 in, guint64 pass, guint64 unchanged, guint64 over) {
  fail_unless(got[0] == in && got[1] == pass && got[2] == unchanged && got[3] == over,
              "stats in=%" G_GUINT64_FORMAT " passed=%" G_GUINT64_FORMAT " unchanged=%" G_GUINT64_FORMAT
              " over-rate=%" G_GUINT64_FORMAT,
              got[0], got[1], got[2], got[3]);
}

}  // namespace

GST_START_TEST(test_grid_luma) {
  Picture p;
  p.fill(0, 0, 20, 20, 100);  // cell (0, 0)
  const auto g = plugin::LumaGrid::of(p.view());
  fail_unless_equals_int(g.cols, 64);
  fail_unless_equals_int(g.rows, 36);
  fail_unless_equals_int(g.cells[0], 100 * 256);
  fail_unless_equals_int(g.cells[1], 235 * 256);
  fail_unless_equals_int(g.cells.back(), 235 * 256);
  // Packed RGB: grey pixels have their grey as luma; pure green is 150/256 of it.
  std::vector<uint8_t> bgrx = {80, 80, 80, 0, 0, 200, 0, 0};
  plugin::LumaView v;
  v.width = 2;
  v.height = 1;
  v.row_stride = 8;
  v.pixel_stride = 4;
  v.b = bgrx.data();
  v.g = bgrx.data() + 1;
  v.r = bgrx.data() + 2;
  const auto small = plugin::LumaGrid::of(v);
  fail_unless_equals_int(small.cols, 2);
  fail_unless_equals_int(small.rows, 1);
  fail_unless_equals_int(small.cells[0], 80 * 256);
  fail_unless_equals_int(small.cells[1], 150 * 200);
  // 3 of 2304 cells changed; a drift within the tolerance is no change.
  Picture q = p;
  q.fill(100, 100, 60, 10, 0);
  fail_unless(std::abs(plugin::LumaGrid::of(q.view()).changed_fraction(g, 6) - 3.0 / 2304) < 1e-9);
  Picture r;
  r.fill(0, 0, kW, kH, 240);
  fail_unless_equals_int(plugin::LumaGrid::of(r.view()).changed_fraction(plugin::LumaGrid::of(Picture().view()), 6), 0);
}
GST_END_TEST;

GST_START_TEST(test_gate_decisions) {
  plugin::ChangeGate gate;
  plugin::GateSettings s;  // threshold 0.005, tolerance 3, settle 0.5 s, max-fps 1
  s.keepalive_ns = 10'000'000'000;
  Picture a, b;
  b.fill(0, 0, 400, 200, 20);
  const int64_t sec = 1'000'000'000;
  fail_unless(gate.decide(a.view(), 0, s) == Verdict::kFirst);
  fail_unless(gate.decide(a.view(), sec / 2, s) == Verdict::kUnchanged);
  fail_unless(gate.decide(b.view(), sec / 2, s) == Verdict::kOverRate);
  fail_unless(gate.decide(b.view(), sec - 1'000'000, s) == Verdict::kChanged);  // within the jitter allowed
  fail_unless(gate.decide(b.view(), 5 * sec, s) == Verdict::kUnchanged);
  fail_unless(gate.decide(b.view(), 11 * sec, s) == Verdict::kKeepalive);
  s.keepalive_ns = 0;
  fail_unless(gate.decide(b.view(), 100 * sec, s) == Verdict::kUnchanged);
  // Without timestamps neither max-fps nor keepalive applies.
  fail_unless(gate.decide(a.view(), -1, s) == Verdict::kChanged);
  fail_unless(gate.decide(b.view(), -1, s) == Verdict::kChanged);
  gate.reset();
  fail_unless(gate.decide(b.view(), 0, s) == Verdict::kFirst);

  // One cell, 4 levels darker: not at once, not before it stayed 0.5 s,
  // then it passes (and waits for max-fps like any change).
  gate.reset();
  Picture c = a;
  c.fill(600, 300, 20, 20, 231);
  fail_unless(gate.decide(a.view(), 0, s) == Verdict::kFirst);
  fail_unless(gate.decide(c.view(), sec / 4, s) == Verdict::kUnchanged);
  fail_unless(gate.decide(c.view(), sec / 2, s) == Verdict::kUnchanged);
  fail_unless(gate.decide(c.view(), 3 * sec / 4, s) == Verdict::kOverRate);
  fail_unless(gate.decide(c.view(), sec, s) == Verdict::kSettled);
  fail_unless_equals_int(gate.last_settled_cells(), 1);
  fail_unless(gate.decide(c.view(), 2 * sec, s) == Verdict::kUnchanged);
  // Within the tolerance (3 levels) it is no change; settle 0: it never passes alone.
  Picture d = c;
  d.fill(600, 300, 20, 20, 234);
  fail_unless(gate.decide(d.view(), 3 * sec, s) == Verdict::kUnchanged);
  fail_unless(gate.decide(d.view(), 4 * sec, s) == Verdict::kUnchanged);
  s.settle_ns = 0;
  fail_unless(gate.decide(a.view(), 5 * sec, s) == Verdict::kUnchanged);
  fail_unless(gate.decide(a.view(), 6 * sec, s) == Verdict::kUnchanged);
}
GST_END_TEST;

// Three still pictures of 3 s each at 2 fps: one frame each, with its own
// timestamp; 25 s more of the last: keepalive repeats at 10 s and 20 s.
GST_START_TEST(test_still_pictures_pass_once) {
  GstHarness* h = gate_harness();
  GstBus* bus = attach_bus(h->element);
  Picture pics[3];
  pics[1].fill(0, 0, 640, 360, 40);
  pics[2].fill(0, 360, kW, 360, 120);
  int t = 0;
  for (const auto& p : pics)
    for (int i = 0; i < 6; ++i, t += 500) push(h, p, ms(t));
  assert_times(passed(h), {0, ms(3000), ms(6000)});
  for (int i = 0; i < 50; ++i, t += 500) push(h, pics[2], ms(t));
  assert_times(passed(h), {ms(16000), ms(26000)});
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  assert_stats(stats_of(wait_message(bus, element_message("geminilive/change-gate"))), 68, 5, 63, 0);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

// Noise at 10 fps passes at max-fps; a picture that changes every frame at
// 2 fps passes whole when max-fps allows it; max-fps=0 is no limit.
GST_START_TEST(test_changes_pass_up_to_max_fps) {
  std::mt19937 rng(12);
  GstHarness* h = gate_harness(1);
  GstBus* bus = attach_bus(h->element);
  Picture p;
  for (int i = 0; i < 50; ++i) {
    p.noise(&rng);
    push(h, p, ms(100 * i));
  }
  assert_times(passed(h), {0, ms(1000), ms(2000), ms(3000), ms(4000)});
  g_signal_emit_by_name(h->element, "post-stats");
  assert_stats(stats_of(wait_message(bus, element_message("geminilive/change-gate"))), 50, 5, 0, 45);

  // Mutable while playing: 2 fps, then none.
  g_object_set(h->element, "max-fps", 2.0, nullptr);
  for (int i = 0; i < 4; ++i) {
    p.noise(&rng);
    push(h, p, ms(5000 + 500 * i));
  }
  assert_times(passed(h), {ms(5000), ms(5500), ms(6000), ms(6500)});
  g_object_set(h->element, "max-fps", 0.0, nullptr);
  for (int i = 0; i < 10; ++i) {
    p.noise(&rng);
    push(h, p, ms(7000 + 10 * i));
  }
  fail_unless_equals_int(passed(h).size(), 10);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

// A caret blinking for 20 s (even straddling four cells, and with a mouse
// pointer moved on the last frame) never passes; the first typed character
// passes on the second frame that shows it. With settle=0, typing adds up
// against the last frame passed and passes after a few words.
GST_START_TEST(test_caret_does_not_pass_typing_does) {
  GstHarness* h = gate_harness(1, 0);
  Picture screen;
  screen.fill(0, 0, kW, 30, 60);  // a title bar
  Picture caret = screen;
  caret.fill(399, 89, 2, 18, 0);  // at the corner of four cells
  Picture pointer = caret;
  pointer.fill(700, 500, 12, 19, 0);
  for (int i = 0; i < 40; ++i) push(h, i % 2 ? caret : screen, ms(500 * i));
  push(h, pointer, ms(20000));
  assert_times(passed(h), {0});

  // Characters of 9×16 pixels, one every half second, on a line.
  auto frames_to_pass = [&](int y, GstClockTime start) {
    Picture text = screen;
    for (int c = 0; c < 40; ++c) {
      text.fill(40 + 10 * c, y, 9, 16, 30);
      push(h, text, start + ms(500 * c));
      if (!passed(h).empty()) return c + 1;
    }
    return 0;
  };
  int when = frames_to_pass(300, ms(21000));
  fail_unless(when == 2, "typing passed after %d frames", when);
  g_object_set(h->element, "settle", 0.0, nullptr);
  push(h, screen, ms(40000));
  passed(h);
  when = frames_to_pass(400, ms(41000));
  fail_unless(when >= 8 && when <= 30, "settle=0: typing passed after %d characters", when);
  gst_harness_teardown(h);
}
GST_END_TEST;

// A terminal's block caret (10×20 pixels, across two cells) blinking for
// 32 s, 0.5 s on and off (at 2 fps every frame sees it toggle) or 0.6 s
// (GNOME's: some pairs of frames see it on, or off, twice): only the first
// frame and the keepalives pass. Then one character typed where the caret
// was (the caret moves on and goes on blinking) passes within two frames.
GST_START_TEST(test_block_caret_passes_only_keepalives) {
  for (int blink_ms : {500, 600}) {
    GstHarness* h = gate_harness(1, 10);
    Picture screen;
    screen.fill(0, 0, kW, 30, 60);
    auto at = [&](int t, int caret_x, bool typed) {
      Picture p = screen;
      if (typed) p.fill(395, 102, 9, 16, 30);
      if ((t / blink_ms) % 2 == 0) p.fill(caret_x, 100, 10, 20, 20);
      return p;
    };
    int t = 0;
    for (; t < 32000; t += 500) push(h, at(t, 395, false), ms(t));
    assert_times(passed(h), {0, ms(10000), ms(20000), ms(30000)});
    // The character is on the frames from 32 s on: the second one passes.
    for (int n = 0; n < 4; ++n, t += 500) push(h, at(t, 405, true), ms(t));
    const auto got = passed(h);
    fail_unless(got.size() == 1 && got[0] == ms(32500), "blink %d ms: %zu passed, first at %" GST_TIME_FORMAT, blink_ms,
                got.size(), GST_TIME_ARGS(got.empty() ? 0 : got[0]));
    gst_harness_teardown(h);
  }
}
GST_END_TEST;

// Every format of the caps: a still test pattern (colors) passes once, a moving one
// more often; a flush starts over.
GST_START_TEST(test_formats_and_flush) {
  const char* formats[] = {"I420", "YV12", "NV12", "NV21", "Y41B", "Y42B", "Y444", "GRAY8", "YUY2", "UYVY", "YVYU",
                           "RGB",  "BGR",  "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA",  "ARGB", "ABGR"};
  for (const char* format : formats) {
    for (const char* pattern : {"colors", "ball"}) {
      g_autofree char* line = g_strdup_printf(
          "videotestsrc num-buffers=8 pattern=%s ! video/x-raw,format=%s,width=160,height=90,framerate=2/1 ! "
          "geminilivechangegate name=g max-fps=0 ! fakesink sync=false",
          pattern, format);
      GstElement* pipeline = parse_pipeline(line);
      GstBus* bus = gst_element_get_bus(pipeline);
      gst_element_set_state(pipeline, GST_STATE_PLAYING);
      const auto s = stats_of(wait_message(bus, element_message("geminilive/change-gate")));
      fail_unless_equals_int(s[0], 8);
      if (g_str_equal(pattern, "colors"))
        fail_unless(s[1] == 1, "%s %s: %" G_GUINT64_FORMAT " passed", format, pattern, s[1]);
      else
        fail_unless(s[1] >= 6, "%s %s: %" G_GUINT64_FORMAT " passed", format, pattern, s[1]);
      gst_element_set_state(pipeline, GST_STATE_NULL);
      gst_object_unref(bus);
      gst_object_unref(pipeline);
    }
  }
  GstHarness* h = gate_harness();
  Picture p;
  push(h, p, 0);
  push(h, p, ms(2000));
  fail_unless(gst_harness_push_event(h, gst_event_new_flush_start()));
  fail_unless(gst_harness_push_event(h, gst_event_new_flush_stop(TRUE)));
  GstSegment segment;
  gst_segment_init(&segment, GST_FORMAT_TIME);
  fail_unless(gst_harness_push_event(h, gst_event_new_segment(&segment)));
  push(h, p, ms(100));
  assert_times(passed(h), {0, ms(100)});
  gst_harness_teardown(h);
}
GST_END_TEST;

// The first "done when": appsrc → gate → jpegenc → geminilivesink;
// the local server gets one frame per still picture, then each changing
// frame up to max-fps, and nothing for the GAPs of the frames dropped.
GST_START_TEST(test_frames_reaching_the_server) {
  auto server = start_server(fast());
  g_autofree char* line = g_strdup_printf(
      "appsrc name=in format=time caps=video/x-raw,format=GRAY8,width=%d,height=%d,framerate=2/1 ! "
      "geminilivechangegate name=g ! jpegenc ! queue name=q ! geminilivesink name=s sync=false max-video-fps=0 %s",
      kW, kH, sink_args(*server).c_str());
  GstElement* pipeline = parse_pipeline(line);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "in");
  // The GAP events of the dropped frames that reach geminilivesink.
  std::atomic<int> gaps{0};
  GstElement* q = gst_bin_get_by_name(GST_BIN(pipeline), "q");
  GstPad* q_src = gst_element_get_static_pad(q, "src");
  gst_pad_add_probe(
      q_src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      +[](GstPad*, GstPadProbeInfo* info, gpointer data) {
        if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_GAP) ++*static_cast<std::atomic<int>*>(data);
        return GST_PAD_PROBE_OK;
      },
      &gaps, nullptr);
  gst_object_unref(q_src);
  gst_object_unref(q);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstMessage* setup = wait_message(bus, element_message("geminilive/setup-complete"));
  fail_unless(setup != nullptr, "no geminilive/setup-complete");
  gst_message_unref(setup);

  // Two still pictures of 3 s, then 5 s of noise, all at 2 fps.
  std::mt19937 rng(7);
  Picture a, b, n;
  b.fill(200, 100, 600, 400, 30);
  int t = 0;
  auto feed = [&](const Picture& p) {
    GstBuffer* buf = gst_buffer_new_memdup(p.px.data(), p.px.size());
    GST_BUFFER_PTS(buf) = ms(t);
    GST_BUFFER_DURATION(buf) = ms(500);
    t += 500;
    GstFlowReturn ret = GST_FLOW_ERROR;
    g_signal_emit_by_name(src, "push-buffer", buf, &ret);
    gst_buffer_unref(buf);
    fail_unless_equals_int(ret, GST_FLOW_OK);
  };
  for (int i = 0; i < 6; ++i) feed(a);
  for (int i = 0; i < 6; ++i) feed(b);
  for (int i = 0; i < 10; ++i) {
    n.noise(&rng);
    feed(n);
  }
  GstFlowReturn eos_ret = GST_FLOW_ERROR;
  g_signal_emit_by_name(src, "end-of-stream", &eos_ret);
  // a at 0 s, b at 3 s, noise at 6, 7, 8, 9 and 10 s.
  assert_stats(stats_of(wait_message(bus, element_message("geminilive/change-gate"))), 22, 7, 10, 5);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames >= 7; }, kWait),
              "%u of 7 frames reached the server", server->stats().video_frames);
  GstMessage* eos = wait_message(bus, message_of_type(GST_MESSAGE_EOS));
  fail_unless(eos != nullptr, "no EOS");
  gst_message_unref(eos);
  // The sink got a GAP for each of the 15 frames dropped (jpegenc hands them
  // on with its next frame or at EOS), sent nothing for them, and ended.
  fail_unless_equals_int(gaps.load(), 15);
  fail_unless_equals_int(server->stats().video_frames, 7);
  assert_str(server->stats().last_frame_mime, "image/jpeg");
  fail_unless_equals_int(server->stats().last_frame_width, kW);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(src);
  gst_object_unref(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

static Suite* changegate_suite() {
  Suite* s = suite_create("elements_changegate");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_grid_luma);
  tcase_add_test(tc, test_gate_decisions);
  tcase_add_test(tc, test_still_pictures_pass_once);
  tcase_add_test(tc, test_changes_pass_up_to_max_fps);
  tcase_add_test(tc, test_caret_does_not_pass_typing_does);
  tcase_add_test(tc, test_block_caret_passes_only_keepalives);
  tcase_add_test(tc, test_formats_and_flush);
  tcase_add_test(tc, test_frames_reaching_the_server);
  return s;
}

GST_CHECK_MAIN(changegate)
