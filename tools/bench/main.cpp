// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-bench: how fast and how lean the elements are, against the
// official SDK and on their own (docs/benchmarks.md).
//
//   geminilive-bench [--smoke] [--json FILE] [--plot FILE.png] [SCENARIO...]
//
// Scenarios: throughput, latency, interrupt, startup, scale (default: all).
// Prints a table; writes JSON; draws the figures with tools/bench/plot.py.
#include <glib/gstdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench.h"

namespace geminilive::bench {
namespace {

const char* kScenarios[] = {"throughput", "latency", "interrupt", "startup", "scale"};

bool run_scenario(const std::string& name, const Options& o, Section& s) {
  if (name == "throughput") return run_throughput(o, s);
  if (name == "latency") return run_latency(o, s);
  if (name == "interrupt") return run_interrupt(o, s);
  if (name == "startup") return run_startup(o, s);
  if (name == "scale") return run_scale(o, s);
  std::fprintf(stderr, "geminilive-bench: no scenario \"%s\"\n", name.c_str());
  return false;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string machine() {
  utsname u{};
  uname(&u);
  return cpu_model() + ", " + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) + " cores, " + u.sysname + " " + u.release;
}

void write_json(const std::string& path, const std::vector<Section>& sections, const Options& o) {
  std::ofstream f(path);
  f << "{\"machine\":" << json_string(machine()) << ",\"smoke\":" << (o.smoke ? "true" : "false") << ",\"scenarios\":{";
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const Section& s = sections[i];
    f << (i ? "," : "") << json_string(s.name) << ":{";
    bool first = true;
    for (const auto& [k, v] : s.notes) {
      f << (first ? "" : ",") << json_string(k) << ":" << json_string(v);
      first = false;
    }
    for (const auto& [k, v] : s.numbers) {
      f << (first ? "" : ",") << json_string(k) << ":" << json_number(v);
      first = false;
    }
    if (!s.samples.empty()) {
      f << (first ? "" : ",") << "\"samples\":{";
      bool first_sample = true;
      for (const auto& [k, v] : s.samples) {
        f << (first_sample ? "" : ",") << json_string(k) << ":[";
        for (std::size_t j = 0; j < v.size(); ++j) f << (j ? "," : "") << json_number(v[j]);
        f << "]";
        first_sample = false;
      }
      f << "}";
    }
    f << "}";
  }
  f << "}}\n";
}

void print_table(const std::vector<Section>& sections) {
  std::printf("%-12s %-34s %14s\n", "scenario", "measure", "value");
  for (const auto& s : sections) {
    for (const auto& [k, v] : s.notes) std::printf("%-12s %-34s %s\n", s.name.c_str(), k.c_str(), v.c_str());
    for (const auto& [k, v] : s.numbers) std::printf("%-12s %-34s %14.3f\n", s.name.c_str(), k.c_str(), v);
    for (const auto& [k, v] : s.samples)
      std::printf("%-12s %-34s %8.3f p50 %8.3f p99 %8.3f max (n=%zu)\n", s.name.c_str(), k.c_str(), percentile(v, 50),
                  percentile(v, 99), percentile(v, 100), v.size());
  }
}

}  // namespace
}  // namespace geminilive::bench

int main(int argc, char** argv) {
  using namespace geminilive::bench;
  if (argc > 1 && std::strcmp(argv[1], "element-run") == 0) {
    gst_init(nullptr, nullptr);
    return run_element_child(argc, argv);
  }
  // Before gst_init: the in-process scenarios load the plugin from this build.
  g_setenv("GST_PLUGIN_PATH_1_0", plugin_dir(), TRUE);
  gst_init(&argc, &argv);
  Options o;
  gboolean smoke = FALSE;
  g_autofree gchar* json_path = nullptr;
  g_autofree gchar* plot_path = nullptr;
  gint sessions = 0;
  gdouble audio_s = 0, scale_s = 0;
  gint frames = -1, runs = 1;
  const GOptionEntry entries[] = {
      {"smoke", 0, 0, G_OPTION_ARG_NONE, &smoke, "Seconds per scenario: checks that each works, not how fast", nullptr},
      {"json", 0, 0, G_OPTION_ARG_FILENAME, &json_path, "Write the results here (default bench.json)", "FILE"},
      {"plot", 0, 0, G_OPTION_ARG_FILENAME, &plot_path, "Draw the figures into this PNG (python3-matplotlib)", "FILE"},
      {"audio-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &audio_s, "throughput: seconds of audio (default 600)", "S"},
      {"frames", 0, 0, G_OPTION_ARG_INT, &frames, "throughput: JPEG frames (default 600)", "N"},
      {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "throughput: runs of each side; the least CPU is kept (default 1)", "N"},
      {"sessions", 0, 0, G_OPTION_ARG_INT, &sessions, "scale: sessions in one process (default 100)", "N"},
      {"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &scale_s, "scale: seconds to run them (default 20)", "S"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("[throughput|latency|interrupt|startup|scale...]");
  g_option_context_add_main_entries(context, entries, nullptr);
  GError* error = nullptr;
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    std::fprintf(stderr, "geminilive-bench: %s\n", error->message);
    g_error_free(error);
    return 2;
  }
  o.smoke = smoke;
  if (o.smoke) {
    o.audio_s = 10;
    o.frames = 10;
    o.sessions = 4;
    o.scale_s = 3;
  }
  if (audio_s > 0) o.audio_s = audio_s;
  if (frames >= 0) o.frames = frames;
  if (sessions > 0) o.sessions = sessions;
  if (scale_s > 0) o.scale_s = scale_s;
  o.runs = runs > 0 ? runs : 1;

  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) names.emplace_back(argv[i]);
  if (names.empty()) names.assign(std::begin(kScenarios), std::end(kScenarios));

  g_autofree gchar* dir = g_dir_make_tmp("geminilive-bench-XXXXXX", nullptr);
  o.jpeg = make_jpeg(dir);
  if (o.jpeg.empty()) return 1;

  std::vector<Section> sections;
  bool ok = true;
  for (const auto& name : names) {
    Section s;
    s.name = name;
    std::fprintf(stderr, "geminilive-bench: %s...\n", name.c_str());
    if (!run_scenario(name, o, s)) {
      std::fprintf(stderr, "geminilive-bench: %s failed\n", name.c_str());
      ok = false;
      continue;
    }
    sections.push_back(std::move(s));
  }
  print_table(sections);
  const std::string json = json_path ? json_path : "bench.json";
  write_json(json, sections, o);
  std::printf("results: %s (%s)\n", json.c_str(), machine().c_str());
  if (plot_path) {
    const std::string cmd =
        std::string("'") + python_path() + "' '" + plot_script_path() + "' '" + json + "' '" + plot_path + "'";
    if (std::system(cmd.c_str()) != 0) {
      std::fprintf(stderr, "geminilive-bench: the plot failed (is python3-matplotlib installed?)\n");
      ok = false;
    }
  }
  g_unlink(o.jpeg.c_str());
  g_rmdir(dir);
  return ok ? 0 : 1;
}
