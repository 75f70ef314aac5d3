// SPDX-License-Identifier: LGPL-2.1-or-later
// Where the build put the programs and scripts the bench runs (meson defines).
#include "bench.h"

namespace geminilive::bench {

const char* mock_server_path() { return BENCH_MOCK_SERVER; }
const char* plugin_dir() { return BENCH_PLUGIN_DIR; }
const char* sdk_script_path() { return BENCH_SOURCE_DIR "/sdk_throughput.mjs"; }
const char* plot_script_path() { return BENCH_SOURCE_DIR "/plot.py"; }
const char* sdk_dir() { return BENCH_SDK_DIR; }
const char* python_path() { return BENCH_PYTHON; }

}  // namespace geminilive::bench
