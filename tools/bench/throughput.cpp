// SPDX-License-Identifier: LGPL-2.1-or-later
// `throughput`: geminilivesink (sync=false max-video-fps=0, fed by appsrc as
// fast as it takes buffers) against the official Node SDK on the same media
// and the same lean local server, each in its own process: CPU (wait4's
// rusage) and peak RSS of each, and the server's CPU meanwhile (/proc).
#include <glib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "bench.h"

namespace geminilive::bench {
namespace {

struct Side {
  Usage usage;
  double server_cpu_s = 0;
  std::string received;  // the server's line for the connection
};

Side run_side(const std::vector<std::string>& argv, const std::vector<std::string>& env, Child& server) {
  Side side;
  const double cpu0 = proc_cpu_s(server.pid);
  const double t0 = monotonic_s();
  Child child = spawn(argv, env);
  const std::string out = child.read_all();
  side.usage = wait_child(child, t0);
  // The server prints a line when the connection ended; a side that failed
  // may never have connected, and the run stops at its failure anyway.
  if (side.usage.ok) side.received = server.read_line();
  side.server_cpu_s = proc_cpu_s(server.pid) - cpu0;
  if (!side.usage.ok) std::fprintf(stderr, "geminilive-bench: %s failed: %s\n", argv[0].c_str(), out.c_str());
  return side;
}

void record(Section& s, const char* who, const Side& side) {
  const std::string p = who;
  s.add(p + ".cpu_s", side.usage.cpu_s());
  s.add(p + ".user_s", side.usage.user_s);
  s.add(p + ".sys_s", side.usage.sys_s);
  s.add(p + ".peak_rss_mb", side.usage.peak_rss_mb);
  s.add(p + ".wall_s", side.usage.wall_s);
  s.add(p + ".server_cpu_s", side.server_cpu_s);
}

}  // namespace

bool run_throughput(const Options& o, Section& s) {
  const std::string sdk_package = std::string(sdk_dir()) + "/node_modules/@google/genai/package.json";
  if (!g_file_test(sdk_package.c_str(), G_FILE_TEST_EXISTS)) {
    std::fprintf(stderr, "geminilive-bench: the official SDK is not installed (%s is missing): run tools/setup\n",
                 sdk_package.c_str());
    return false;
  }
  Child server = spawn({mock_server_path(), "--lean", "--port", "0"});
  const std::string uri = server.read_line();
  if (uri.empty()) {
    std::fprintf(stderr, "geminilive-bench: the local server did not start\n");
    stop_child(server);
    return false;
  }
  char audio_s[32], frames[32];
  std::snprintf(audio_s, sizeof audio_s, "%g", o.audio_s);
  std::snprintf(frames, sizeof frames, "%d", o.frames);
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  self[n > 0 ? n : 0] = '\0';
  const std::string plugin_env = std::string("GST_PLUGIN_PATH_1_0=") + plugin_dir();
  // A registry of its own: the shared one is rescanned whenever another
  // build's plugin path was used last, which no user's machine does.
  const std::string registry_env = "GST_REGISTRY_1_0=" + std::string(plugin_dir()) + "/bench-registry.bin";

  Side best_element, best_sdk;
  bool ok = true;
  for (int run = 0; run < o.runs && ok; ++run) {
    Side e = run_side({self, "element-run", uri, audio_s, frames, o.jpeg}, {plugin_env, registry_env}, server);
    Side k = run_side({"node", sdk_script_path(), uri, audio_s, frames, o.jpeg, sdk_dir()}, {}, server);
    ok = e.usage.ok && k.usage.ok;
    // Both sides must have sent the same media (every chunk and frame).
    const std::string want = "\"audio\":" + std::to_string(static_cast<long long>(o.audio_s * 50)) +
                             ",\"video\":" + std::to_string(o.frames) + ",";
    for (const Side* side : {&e, &k}) {
      if (side->received.find(want) == std::string::npos) {
        std::fprintf(stderr, "geminilive-bench: the server received %s, not %s\n", side->received.c_str(),
                     want.c_str());
        ok = false;
      }
    }
    if (run == 0 || e.usage.cpu_s() < best_element.usage.cpu_s()) best_element = e;
    if (run == 0 || k.usage.cpu_s() < best_sdk.usage.cpu_s()) best_sdk = k;
  }
  stop_child(server);
  if (!ok) return false;
  s.note("media", std::string(audio_s) + " s of 16 kHz audio in 20 ms chunks + " + frames + " JPEG 1280x720 frames");
  record(s, "element", best_element);
  record(s, "sdk", best_sdk);
  s.add("sdk_over_element_cpu", best_sdk.usage.cpu_s() / best_element.usage.cpu_s());
  return true;
}

// ---- the element's side, in its own process ----

// A gst-launch pipeline: GStreamer's own sources, each on its streaming
// thread (audiotestsrc's silence costs next to nothing; multifilesrc reads
// the frame each time), so what is measured is the element. The sources
// start at setupComplete, as the SDK's side does: frames offered before it
// would replace each other while they wait (the element's policy).
int run_element_child(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: geminilive-bench element-run URI AUDIO_SECONDS FRAMES JPEG\n");
    return 2;
  }
  const std::string uri = argv[2];
  const auto chunks = static_cast<uint64_t>(std::atof(argv[3]) * 50);
  const auto frames = static_cast<uint64_t>(std::atoll(argv[4]));
  const std::string launch =
      "audiotestsrc name=a wave=silence samplesperbuffer=320 num-buffers=" + std::to_string(chunks) + " ! " + kMicCaps +
      " ! s.audio "
      "multifilesrc name=v loop=true num-buffers=" +
      std::to_string(frames) + " location=\"" + argv[5] +
      "\" caps=image/jpeg,width=1280,height=720,framerate=1/1 ! s.video "
      "geminilivesink name=s api-key=bench sync=false max-video-fps=0 uri=" +
      uri;
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &error);
  if (!pipeline) {
    std::fprintf(stderr, "element-run: %s\n", error->message);
    g_error_free(error);
    return 1;
  }
  std::vector<std::pair<GstPad*, gulong>> blocked;
  for (const char* name : {"a", "v"}) {
    GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), name);
    GstPad* pad = gst_element_get_static_pad(src, "src");
    blocked.emplace_back(pad,
                         gst_pad_add_probe(
                             pad, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
                             [](GstPad*, GstPadProbeInfo*, gpointer) { return GST_PAD_PROBE_OK; }, nullptr, nullptr));
    gst_object_unref(src);
  }
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  bool ok = false;
  for (;;) {
    GstMessage* m = gst_bus_timed_pop_filtered(
        bus, 600 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT));
    if (!m) break;
    const GstMessageType type = GST_MESSAGE_TYPE(m);
    if (type == GST_MESSAGE_ELEMENT && gst_message_has_name(m, "geminilive/setup-complete")) {
      for (auto& [pad, id] : blocked) {
        gst_pad_remove_probe(pad, id);
        gst_object_unref(pad);
      }
      blocked.clear();
    } else if (type == GST_MESSAGE_ERROR) {
      GError* e = nullptr;
      gst_message_parse_error(m, &e, nullptr);
      std::fprintf(stderr, "element-run: %s\n", e->message);
      g_error_free(e);
      gst_message_unref(m);
      break;
    } else if (type == GST_MESSAGE_EOS) {
      ok = true;
      gst_message_unref(m);
      break;
    }
    gst_message_unref(m);
  }
  for (auto& [pad, id] : blocked) gst_object_unref(pad);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  std::printf("{\"ok\":%s}\n", ok ? "true" : "false");
  return ok ? 0 : 1;
}

}  // namespace geminilive::bench
