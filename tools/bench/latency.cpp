// SPDX-License-Identifier: LGPL-2.1-or-later
// `latency`: on one monotonic clock, with the lean server in this process.
// pad -> wire: a live appsrc pushes numbered 20 ms chunks in real time into
// geminilivesink; the server notes when each number arrives. wire -> pad:
// the server sends numbered 20 ms answer chunks every 100 ms; a probe on
// geminilivesrc's pad (paced=false: as it arrives) notes when each leaves.
#include <gst/app/gstappsrc.h>

#include <cstdio>
#include <map>
#include <mutex>

#include "bench.h"
#include "inprocess.h"
#include "lean_server.h"

namespace geminilive::bench {

bool run_latency(const Options& o, Section& s) {
  struct Marks {
    std::mutex mutex;
    std::map<uint64_t, int64_t> pushed, read, sent, out;
  } marks;
  mock::LeanServer server({});
  server.set_frame_hook([&](const char* payload, std::size_t size, int64_t read_us) {
    if (auto seq = audio_frame_seq(std::string_view(payload, size))) {
      std::lock_guard<std::mutex> lock(marks.mutex);
      marks.read[*seq] = read_us;
    }
  });
  if (!start_lean_server(server)) return false;
  const std::string launch =
      "appsrc name=mic is-live=true format=time do-timestamp=true "
      "caps=" +
      std::string(kMicCaps) +
      " ! geminilivesink name=s api-key=bench "
      "channel=latency uri=" +
      server.uri() + " geminilivesrc name=answer channel=latency paced=false ! fakesink sync=false";
  GstElement* pipeline = launch_pipeline(launch);
  if (!pipeline) return false;
  GstElement* answer = gst_bin_get_by_name(GST_BIN(pipeline), "answer");
  GstPad* pad = gst_element_get_static_pad(answer, "src");
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        const int64_t now = g_get_monotonic_time();
        GstMapInfo map;
        GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
        if (gst_buffer_map(b, &map, GST_MAP_READ)) {
          auto* m = static_cast<Marks*>(data);
          std::lock_guard<std::mutex> lock(m->mutex);
          for (uint64_t seq : find_markers(reinterpret_cast<const char*>(map.data), map.size)) m->out.emplace(seq, now);
          gst_buffer_unmap(b, &map);
        }
        return GST_PAD_PROBE_OK;
      },
      &marks, nullptr);
  gst_object_unref(pad);
  gst_object_unref(answer);

  auto* mic = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(pipeline), "mic"));
  bool ok = play_until_setup(pipeline, 10) > 0;
  const uint64_t chunks = o.smoke ? 100 : 1500;  // 2 s or 30 s
  const int64_t start = g_get_monotonic_time();
  for (uint64_t i = 0; ok && i < chunks; ++i) {
    // Real time: chunk i at start + 20 ms * i.
    const int64_t due = start + static_cast<int64_t>(i) * 20000;
    const int64_t wait = due - g_get_monotonic_time();
    if (wait > 0) g_usleep(static_cast<gulong>(wait));
    const std::string pcm = audio_chunk(i);
    GstBuffer* b = gst_buffer_new_memdup(pcm.data(), pcm.size());
    {
      std::lock_guard<std::mutex> lock(marks.mutex);
      marks.pushed[i] = g_get_monotonic_time();
    }
    if (gst_app_src_push_buffer(mic, b) != GST_FLOW_OK) ok = false;
    if (i % 5 == 2) {  // every 100 ms, between two input chunks
      const int64_t sent = server.broadcast(model_audio_json(marked_pcm(i, 960, 0)));
      std::lock_guard<std::mutex> lock(marks.mutex);
      marks.sent[i] = sent;
    }
  }
  g_usleep(200000);  // the last ones arrive
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(mic);
  gst_object_unref(pipeline);
  if (!ok) return false;

  std::lock_guard<std::mutex> lock(marks.mutex);
  auto& up = s.samples["pad_to_wire_ms"];
  for (const auto& [seq, t] : marks.pushed)
    if (auto it = marks.read.find(seq); it != marks.read.end()) up.push_back((it->second - t) / 1000.0);
  auto& down = s.samples["wire_to_pad_ms"];
  for (const auto& [seq, t] : marks.sent)
    if (auto it = marks.out.find(seq); it != marks.out.end()) down.push_back((it->second - t) / 1000.0);
  s.add("chunks_pushed", static_cast<double>(marks.pushed.size()));
  s.add("chunks_received_by_server", static_cast<double>(up.size()));
  s.add("answer_chunks_sent", static_cast<double>(marks.sent.size()));
  s.add("answer_chunks_out", static_cast<double>(down.size()));
  s.add("pad_to_wire_p50_ms", percentile(up, 50));
  s.add("pad_to_wire_p99_ms", percentile(up, 99));
  s.add("wire_to_pad_p50_ms", percentile(down, 50));
  s.add("wire_to_pad_p99_ms", percentile(down, 99));
  // Everything must have made the trip: a lost chunk is a failure, not a fast one.
  return up.size() == marks.pushed.size() && down.size() == marks.sent.size();
}

}  // namespace geminilive::bench
