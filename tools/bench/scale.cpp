// SPDX-License-Identifier: LGPL-2.1-or-later
// `scale --sessions N`: N real-time sessions in this process, each a live
// 16 kHz microphone (audiotestsrc, 20 ms buffers) and a 1280x720 JPEG a
// second (appsrc, the same frame), against the lean server in its own
// process. Measured: the cores this process and the server use, and the
// audio that did not reach the server.
#include <gst/app/gstappsrc.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench.h"
#include "inprocess.h"

namespace geminilive::bench {
namespace {

struct Session {
  GstElement* pipeline = nullptr;
  GstAppSrc* cam = nullptr;
};

uint64_t field(const std::string& line, const char* name) {
  const std::string key = std::string("\"") + name + "\":";
  const auto at = line.find(key);
  return at == std::string::npos ? 0 : std::stoull(line.substr(at + key.size()));
}

}  // namespace

bool run_scale(const Options& o, Section& s) {
  Child server = spawn({mock_server_path(), "--lean", "--port", "0"});
  const std::string uri = server.read_line();
  if (uri.empty()) {
    stop_child(server);
    return false;
  }
  gchar* jpeg_data = nullptr;
  gsize jpeg_size = 0;
  if (!g_file_get_contents(o.jpeg.c_str(), &jpeg_data, &jpeg_size, nullptr)) return false;
  GstBuffer* jpeg = gst_buffer_new_wrapped(jpeg_data, jpeg_size);

  std::atomic<uint64_t> chunks_made{0};
  std::vector<Session> sessions(static_cast<std::size_t>(o.sessions));
  bool ok = true;
  for (std::size_t i = 0; i < sessions.size() && ok; ++i) {
    const std::string launch = "audiotestsrc name=mic is-live=true wave=silence samplesperbuffer=320 ! " +
                               std::string(kMicCaps) +
                               " ! s.audio "
                               "appsrc name=cam is-live=true do-timestamp=true format=time "
                               "caps=image/jpeg,width=1280,height=720,framerate=1/1 ! s.video "
                               "geminilivesink name=s api-key=bench channel=scale" +
                               std::to_string(i) + " uri=" + uri;
    sessions[i].pipeline = launch_pipeline(launch);
    if (!sessions[i].pipeline) {
      ok = false;
      break;
    }
    sessions[i].cam = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(sessions[i].pipeline), "cam"));
    GstElement* mic = gst_bin_get_by_name(GST_BIN(sessions[i].pipeline), "mic");
    GstPad* pad = gst_element_get_static_pad(mic, "src");
    gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo*, gpointer n) {
          ++*static_cast<std::atomic<uint64_t>*>(n);
          return GST_PAD_PROBE_OK;
        },
        &chunks_made, nullptr);
    gst_object_unref(pad);
    gst_object_unref(mic);
  }
  // All set up before the measured span.
  for (auto& session : sessions)
    if (ok && session.pipeline && play_until_setup(session.pipeline, 30) < 0) ok = false;

  const double cpu0 = proc_cpu_s(getpid()), server0 = proc_cpu_s(server.pid), t0 = monotonic_s();
  const uint64_t made0 = chunks_made;
  const int seconds = std::max(1, static_cast<int>(o.scale_s));
  for (int sec = 0; ok && sec < seconds; ++sec) {
    for (auto& session : sessions) gst_app_src_push_buffer(session.cam, gst_buffer_ref(jpeg));
    const double next = t0 + sec + 1;
    while (monotonic_s() < next) g_usleep(static_cast<gulong>(std::max(1000.0, (next - monotonic_s()) * 1e6)));
  }
  const double wall = monotonic_s() - t0;
  const double cpu = proc_cpu_s(getpid()) - cpu0, server_cpu = proc_cpu_s(server.pid) - server0;
  const uint64_t made_in_span = chunks_made - made0;
  const double rss = self_peak_rss_mb();

  // EOS: what each microphone made goes out before the session ends.
  for (auto& session : sessions)
    if (session.pipeline) gst_element_send_event(session.pipeline, gst_event_new_eos());
  for (auto& session : sessions) {
    if (!session.pipeline) continue;
    GstBus* bus = gst_element_get_bus(session.pipeline);
    GstMessage* m = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    if (!m || GST_MESSAGE_TYPE(m) != GST_MESSAGE_EOS) ok = false;
    if (m) gst_message_unref(m);
    gst_object_unref(bus);
  }
  for (auto& session : sessions) {
    if (!session.pipeline) continue;
    gst_element_set_state(session.pipeline, GST_STATE_NULL);
    if (session.cam) gst_object_unref(session.cam);
    gst_object_unref(session.pipeline);
  }
  const uint64_t made = chunks_made;
  // The server's line for each connection that ended: what it received.
  uint64_t received = 0, connections = 0;
  for (std::size_t i = 0; ok && i < sessions.size(); ++i) {
    const std::string line = server.read_line();
    if (line.empty()) break;
    received += field(line, "audio");
    ++connections;
  }
  stop_child(server);
  gst_buffer_unref(jpeg);
  if (!ok) return false;
  s.add("sessions", o.sessions);
  s.add("seconds", wall);
  s.add("cores_used", cpu / wall);
  s.add("server_cores_used", server_cpu / wall);
  s.add("peak_rss_mb", rss);
  s.add("audio_chunks_per_session_per_s", static_cast<double>(made_in_span) / wall / o.sessions);
  s.add("audio_chunks_made", static_cast<double>(made));
  s.add("audio_chunks_received", static_cast<double>(received));
  s.add("audio_chunks_lost", static_cast<double>(made - std::min(made, received)));
  return connections == sessions.size();
}

}  // namespace geminilive::bench
