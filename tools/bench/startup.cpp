// SPDX-License-Identifier: LGPL-2.1-or-later
// `startup`: from setting a pipeline with geminilivesink PLAYING to its
// geminilive/setup-complete message, against the lean server in this
// process (loopback: connect, upgrade, setup, setupComplete).
#include <cstdio>

#include "bench.h"
#include "inprocess.h"
#include "lean_server.h"

namespace geminilive::bench {

bool run_startup(const Options& o, Section& s) {
  mock::LeanServer server({});
  std::string error;
  if (!server.start(&error)) {
    std::fprintf(stderr, "geminilive-bench: %s\n", error.c_str());
    return false;
  }
  const std::string launch =
      "appsrc is-live=true format=time caps=audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=16000 ! "
      "geminilivesink api-key=bench channel=startup uri=" +
      server.uri();
  auto& times = s.samples["playing_to_setup_complete_ms"];
  const int rounds = o.smoke ? 3 : 30;
  for (int r = 0; r < rounds; ++r) {
    GError* gerror = nullptr;
    GstElement* pipeline = gst_parse_launch(launch.c_str(), &gerror);
    if (!pipeline) {
      std::fprintf(stderr, "geminilive-bench: %s\n", gerror->message);
      g_error_free(gerror);
      return false;
    }
    double started = 0;
    const double at = play_until_setup(pipeline, 10, &started);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    if (at < 0) return false;
    times.push_back((at - started) * 1000.0);
  }
  s.add("playing_to_setup_complete_p50_ms", percentile(times, 50));
  s.add("playing_to_setup_complete_max_ms", percentile(times, 100));
  return true;
}

}  // namespace geminilive::bench
