// SPDX-License-Identifier: LGPL-2.1-or-later
// `interrupt`: the lean server in this process sends a 3 s answer at once;
// geminilivesrc (paced, 20 ms periods) plays it in real time; a second in,
// the server sends `interrupted`. Measured: from that send to the first
// silent buffer leaving geminilivesrc's pad.
#include <atomic>
#include <cstdio>

#include "bench.h"
#include "inprocess.h"
#include "lean_server.h"

namespace geminilive::bench {
namespace {

struct Watch {
  std::atomic<int64_t> interrupted_at{0};  // when `interrupted` was sent
  std::atomic<int64_t> silent_at{0};       // first silent buffer after it
  std::atomic<int64_t> loud_buffers{0};    // answer buffers seen (the answer played)
};

bool silent(GstBuffer* b) {
  if (GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP)) return true;
  GstMapInfo map;
  if (!gst_buffer_map(b, &map, GST_MAP_READ)) return false;
  bool zero = true;
  for (gsize i = 0; zero && i < map.size; ++i) zero = map.data[i] == 0;
  gst_buffer_unmap(b, &map);
  return zero;
}

}  // namespace

bool run_interrupt(const Options& o, Section& s) {
  mock::LeanServer server({});
  if (!start_lean_server(server)) return false;
  const std::string launch = "appsrc is-live=true format=time caps=" + std::string(kMicCaps) +
                             " ! "
                             "geminilivesink api-key=bench channel=interrupt uri=" +
                             server.uri() +
                             " geminilivesrc name=answer channel=interrupt period-time=20000000 ! fakesink sync=false";
  GstElement* pipeline = launch_pipeline(launch);
  if (!pipeline) return false;
  Watch watch;
  GstElement* answer = gst_bin_get_by_name(GST_BIN(pipeline), "answer");
  GstPad* pad = gst_element_get_static_pad(answer, "src");
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* w = static_cast<Watch*>(data);
        const int64_t now = g_get_monotonic_time();
        if (!silent(GST_PAD_PROBE_INFO_BUFFER(info))) {
          ++w->loud_buffers;
        } else if (w->interrupted_at != 0 && w->silent_at == 0) {
          w->silent_at = now;
        }
        return GST_PAD_PROBE_OK;
      },
      &watch, nullptr);
  gst_object_unref(pad);
  gst_object_unref(answer);

  bool ok = play_until_setup(pipeline, 10) > 0;
  const int rounds = o.smoke ? 2 : 20;
  auto& delays = s.samples["interrupted_to_silence_ms"];
  for (int r = 0; ok && r < rounds; ++r) {
    watch.interrupted_at = 0;
    watch.silent_at = 0;
    watch.loud_buffers = 0;
    // 3 s of answer in 200 ms chunks, all at once (the service sends faster than real time).
    for (int c = 0; c < 15; ++c) server.broadcast(model_audio_json(marked_pcm(c, 9600, 3000)));
    g_usleep(1000000);
    if (watch.loud_buffers < 10) {
      std::fprintf(stderr, "geminilive-bench: the answer did not play\n");
      ok = false;
      break;
    }
    watch.interrupted_at = server.broadcast(R"({"serverContent":{"interrupted":true}})");
    g_usleep(300000);
    if (watch.silent_at == 0) {
      std::fprintf(stderr, "geminilive-bench: no silence after interrupted\n");
      ok = false;
      break;
    }
    delays.push_back((watch.silent_at - watch.interrupted_at) / 1000.0);
    server.broadcast(R"({"serverContent":{"turnComplete":true}})");
    g_usleep(200000);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  s.add("period_ms", 20);
  s.add("interrupted_to_silence_p50_ms", percentile(delays, 50));
  s.add("interrupted_to_silence_max_ms", percentile(delays, 100));
  return ok;
}

}  // namespace geminilive::bench
