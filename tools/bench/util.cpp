// SPDX-License-Identifier: LGPL-2.1-or-later
// Child processes, their CPU and memory, and the media of the runs.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bench.h"

namespace geminilive::bench {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::min<double>(v.size() - 1, std::ceil(p / 100.0 * v.size()) - 1));
  return v[i];
}

double monotonic_s() { return static_cast<double>(g_get_monotonic_time()) / 1e6; }

double proc_cpu_s(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return 0;
  // Fields after the command (which may hold spaces) start past the last ')'.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double self_peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

std::string Child::read_line() {
  std::string line;
  char c;
  while (::read(out_fd, &c, 1) == 1) {
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

std::string Child::read_all() {
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out_fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<std::size_t>(n));
  return all;
}

Child spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int fds[2];
  Child child;
  if (::pipe2(fds, O_CLOEXEC) != 0) return child;
  child.pid = ::fork();
  if (child.pid == 0) {
    ::dup2(fds[1], 1);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "geminilive-bench: cannot run %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fds[1]);
  child.out_fd = fds[0];
  return child;
}

Usage wait_child(Child& child, double started_s) {
  Usage u;
  int status = 0;
  rusage ru{};
  if (::wait4(child.pid, &status, 0, &ru) < 0) return u;
  u.wall_s = monotonic_s() - started_s;
  u.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  u.user_s = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
  u.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
  u.peak_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  if (child.out_fd >= 0) ::close(child.out_fd);
  child.out_fd = -1;
  child.pid = -1;
  return u;
}

void stop_child(Child& child) {
  if (child.pid <= 0) return;
  ::kill(child.pid, SIGTERM);
  int status;
  ::waitpid(child.pid, &status, 0);
  if (child.out_fd >= 0) ::close(child.out_fd);
  child.pid = -1;
  child.out_fd = -1;
}

GstElement* launch_pipeline(const std::string& description) {
  GError* error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  if (!pipeline) {
    std::fprintf(stderr, "geminilive-bench: %s\n", error ? error->message : "could not build the pipeline");
    g_clear_error(&error);
  }
  return pipeline;
}

std::string make_jpeg(const std::string& dir) {
  const std::string path = dir + "/frame-1280x720.jpg";
  // SMPTE bars at quality 85: 82 KB, the size of a typical screen frame.
  const std::string launch =
      "videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=1280,height=720 ! jpegenc quality=85 ! "
      "filesink location=\"" +
      path + "\"";
  GstElement* p = launch_pipeline(launch);
  if (!p) return "";
  const bool ok = run_to_eos(p, 30);
  gst_object_unref(p);
  return ok ? path : "";
}

std::string audio_chunk(uint64_t seq) {
  // A second of a quiet pattern, made once: a chunk is a slice of it.
  static const std::string second = [] {
    std::string pcm(32000, '\0');
    for (unsigned i = 0; i < 16000; ++i) {
      const auto v = static_cast<int16_t>(static_cast<int>(i * 7 % 41) - 20);
      pcm[2 * i] = static_cast<char>(static_cast<uint16_t>(v) & 0xff);
      pcm[2 * i + 1] = static_cast<char>(static_cast<uint16_t>(v) >> 8);
    }
    return pcm;
  }();
  std::string pcm = second.substr((seq % 50) * 640, 640);
  for (unsigned b = 0; b < 8; ++b) pcm[b] = static_cast<char>((seq >> (8 * b)) & 0xff);
  return pcm;
}

bool run_to_eos(GstElement* pipeline, double timeout_s) {
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    std::fprintf(stderr, "geminilive-bench: the pipeline does not start\n");
    gst_element_set_state(pipeline, GST_STATE_NULL);
    return false;
  }
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* m = gst_bus_timed_pop_filtered(bus, static_cast<GstClockTime>(timeout_s * GST_SECOND),
                                             static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  bool ok = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
  if (!m) std::fprintf(stderr, "geminilive-bench: no EOS within %.0f s\n", timeout_s);
  if (m && !ok) {
    GError* e = nullptr;
    gst_message_parse_error(m, &e, nullptr);
    std::fprintf(stderr, "geminilive-bench: %s\n", e->message);
    g_error_free(e);
  }
  if (m) gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return ok;
}

}  // namespace geminilive::bench
