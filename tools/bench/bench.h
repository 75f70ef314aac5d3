// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-bench: what its scenarios share. Each scenario fills a Report
// section: named numbers (printed as a table, written as JSON) and named
// samples (latency distributions, summed up as p50/p99/max).
#pragma once

#include <gst/gst.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace geminilive::bench {

// The microphone input every scenario sends: 16 kHz mono S16LE.
inline constexpr char kMicCaps[] = "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=16000";

// gst_parse_launch(), or null with the parser's words on stderr.
GstElement* launch_pipeline(const std::string& description);

struct Section {
  std::string name;
  std::vector<std::pair<std::string, double>> numbers;
  std::vector<std::pair<std::string, std::string>> notes;
  std::map<std::string, std::vector<double>> samples;  // e.g. latency in ms
  void add(const std::string& key, double value) { numbers.emplace_back(key, value); }
  void note(const std::string& key, const std::string& value) { notes.emplace_back(key, value); }
};

struct Options {
  bool smoke = false;    // seconds, not minutes: checks that it works
  double audio_s = 600;  // throughput: seconds of audio
  int frames = 600;      // throughput: JPEG frames
  int sessions = 100;    // scale
  double scale_s = 20;   // scale: seconds to run
  int runs = 1;          // throughput: runs of each side, the best kept
  std::string jpeg;      // the frame (made once per run)
};

// Where the build put things (set by meson).
const char* mock_server_path();
const char* plugin_dir();
const char* sdk_script_path();
const char* sdk_dir();
const char* plot_script_path();
const char* python_path();  // one with matplotlib

double percentile(std::vector<double> v, double p);
double monotonic_s();
// CPU seconds (user + system) a running process has used, from /proc.
double proc_cpu_s(pid_t pid);
// This process's peak RSS in MB.
double self_peak_rss_mb();

// A child process with its stdout on a pipe.
struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  // The first line it prints (a server's URI); "" on EOF.
  std::string read_line();
  std::string read_all();
};
Child spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
struct Usage {
  bool ok = false;  // exited with status 0
  double user_s = 0, sys_s = 0, peak_rss_mb = 0, wall_s = 0;
  double cpu_s() const { return user_s + sys_s; }
};
Usage wait_child(Child& child, double started_s);
void stop_child(Child& child);  // SIGTERM and reap

// The 82 KB 1280x720 JPEG of the throughput run, in `dir`.
std::string make_jpeg(const std::string& dir);
// 20 ms of 16 kHz S16LE: a quiet pattern, with `seq` in its first bytes.
std::string audio_chunk(uint64_t seq);

// Runs the pipeline; false on an error (printed).
bool run_to_eos(GstElement* pipeline, double timeout_s);

bool run_throughput(const Options& o, Section& s);
int run_element_child(int argc, char** argv);  // `geminilive-bench element-run ...`
bool run_latency(const Options& o, Section& s);
bool run_interrupt(const Options& o, Section& s);
bool run_startup(const Options& o, Section& s);
bool run_scale(const Options& o, Section& s);

}  // namespace geminilive::bench
