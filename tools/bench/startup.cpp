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
  if (!start_lean_server(server)) return false;
  const std::string launch = "appsrc is-live=true format=time caps=" + std::string(kMicCaps) +
                             " ! "
                             "geminilivesink api-key=bench channel=startup uri=" +
                             server.uri();
  auto& times = s.samples["playing_to_setup_complete_ms"];
  const int rounds = o.smoke ? 3 : 30;
  for (int r = 0; r < rounds; ++r) {
    GstElement* pipeline = launch_pipeline(launch);
    if (!pipeline) return false;
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
