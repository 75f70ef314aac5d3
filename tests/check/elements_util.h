// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers for the element suites (elements_*.cpp): the
// plugin's elements pointed at the in-process Live server, PCM to push,
// the local server's answers, bus and harness waits.
#pragma once

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "check_util.h"
#include "turn_input.h"

namespace geminilive::testing {

inline constexpr char kTestKey[] = "test-key";
inline constexpr char kAudioCaps16k[] = "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=16000";

// Server options for element tests: whole replies at once.
inline ServerOptions fast() {
  ServerOptions o;
  o.reply_speed = 0;
  return o;
}

// ---- PCM ----

// S16LE mono sine; loud enough to be speech for the server.
inline std::string tone_pcm(double seconds, unsigned rate = 16000, double freq = 440.0) {
  std::string pcm;
  const auto n = static_cast<std::size_t>(std::lround(seconds * rate));
  pcm.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    const auto s =
        static_cast<uint16_t>(static_cast<int16_t>(std::lround(8000.0 * std::sin(2 * M_PI * freq * i / rate))));
    pcm.push_back(static_cast<char>(s & 0xFF));
    pcm.push_back(static_cast<char>(s >> 8));
  }
  return pcm;
}

inline std::string silence_pcm(double seconds, unsigned rate = 16000) {
  return std::string(static_cast<std::size_t>(std::lround(seconds * rate)) * 2, '\0');
}

// A canonical 44-byte-header WAV file of S16LE mono PCM.
inline std::string wav_file(const std::string& pcm, unsigned rate) {
  auto le = [](uint32_t v, int bytes) {
    std::string s;
    for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    return s;
  };
  const auto size = static_cast<uint32_t>(pcm.size());
  return "RIFF" + le(36 + size, 4) + "WAVEfmt " + le(16, 4) + le(1, 2) + le(1, 2) + le(rate, 4) + le(rate * 2, 4) +
         le(2, 2) + le(16, 2) + "data" + le(size, 4) + pcm;
}

// ---- the local server's answers ----

// What the local Live server answers to `pcm` heard at `rate`, and to `text`.
inline std::string reply_to_audio(const std::string& pcm, unsigned rate = 16000) {
  mock::TurnInput turn;
  turn.add_audio(pcm, rate);
  return mock::reply_text(turn);
}

inline std::string reply_to_text(const std::string& text) {
  mock::TurnInput turn;
  turn.add_text(text);
  return mock::reply_text(turn);
}

// ---- files ----

// A fresh temporary directory, removed with its files at the end of scope.
class TempDir {
 public:
  TempDir() {
    g_autoptr(GError) error = nullptr;
    char* dir = g_dir_make_tmp("geminilive-elements-XXXXXX", &error);
    fail_unless(dir != nullptr, "no temporary directory: %s", error ? error->message : "");
    path_ = dir;
    g_free(dir);
  }
  ~TempDir() {
    for (const auto& f : files_) g_remove(f.c_str());
    g_rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const char* name) {
    g_autofree char* p = g_build_filename(path_.c_str(), name, nullptr);
    files_.emplace_back(p);
    return p;
  }
  std::string write(const char* name, const std::string& contents) {
    std::string p = file(name);
    fail_unless(g_file_set_contents(p.c_str(), contents.data(), static_cast<gssize>(contents.size()), nullptr));
    return p;
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

inline std::string read_file(const std::string& path) {
  g_autofree char* contents = nullptr;
  gsize length = 0;
  fail_unless(g_file_get_contents(path.c_str(), &contents, &length, nullptr), "cannot read %s", path.c_str());
  return std::string(contents, length);
}

// ---- elements ----

// A string property of `e`; "(null)" when unset.
inline std::string string_property(GstElement* e, const char* name) {
  g_autofree char* value = nullptr;
  g_object_get(e, name, &value, nullptr);
  return value ? value : "(null)";
}

// A geminilivesink talking to `server` (with the test key).
inline GstElement* make_sink(const LiveServer& server, const char* channel = "default") {
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  fail_unless(sink != nullptr, "geminilivesink not found: is GST_PLUGIN_PATH_1_0 set?");
  g_object_set(sink, "uri", live_uri(server).c_str(), "api-key", kTestKey, "channel", channel, nullptr);
  return sink;
}

inline GstElement* make_src(const char* stream = "audio", bool paced = true, const char* channel = "default") {
  GstElement* src = gst_element_factory_make("geminilivesrc", nullptr);
  fail_unless(src != nullptr, "geminilivesrc not found: is GST_PLUGIN_PATH_1_0 set?");
  gst_util_set_object_arg(G_OBJECT(src), "stream", stream);
  g_object_set(src, "paced", paced, "channel", channel, nullptr);
  return src;
}

// "uri=… api-key=…": a geminilivesink of a launch line talking to `server`.
inline std::string sink_args(const LiveServer& server) { return "uri=" + live_uri(server) + " api-key=" + kTestKey; }

// A live microphone (silent unless `volume` > 0) into a geminilivesink.
inline std::string live_mic_into_sink(const LiveServer& server, double volume = 0) {
  g_autofree char* mic = g_strdup_printf(
      "audiotestsrc is-live=true volume=%.2f ! audio/x-raw,rate=16000,channels=1 ! geminilivesink name=s ", volume);
  return mic + sink_args(server);
}

// The pipeline of a launch line.
inline GstElement* parse_pipeline(const std::string& description) {
  g_autoptr(GError) error = nullptr;
  GstElement* pipeline = gst_parse_launch(description.c_str(), &error);
  fail_unless(pipeline != nullptr && error == nullptr, "%s: %s", description.c_str(), error ? error->message : "");
  return pipeline;
}

// Gives `element` a bus of its own (a harness does not); returns it. Let it
// go with release_bus().
inline GstBus* attach_bus(GstElement* element) {
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(element, bus);
  return bus;
}

// Drops the messages still on `bus` (they hold their element, which holds
// the bus) and our reference.
inline void release_bus(GstBus* bus) {
  gst_bus_set_flushing(bus, TRUE);
  gst_object_unref(bus);
}

inline GstStaticPadTemplate any_src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

// A harness feeding the request pad `pad` of a geminilivesink (which starts
// it: configure the sink and attach a bus first).
inline GstHarness* sink_harness(GstElement* sink, const char* pad, const char* caps) {
  GstHarness* h = gst_harness_new_full(sink, &any_src_template, pad, nullptr, nullptr);
  gst_object_unref(sink);  // the harness holds it
  if (caps) gst_harness_set_src_caps_str(h, caps);
  return h;
}

// Pushes `pcm` in chunks of `chunk_seconds`, stamped from `start`.
inline void push_pcm(GstHarness* h, const std::string& pcm, unsigned rate = 16000, double chunk_seconds = 0.02,
                     GstClockTime start = 0) {
  const std::size_t chunk = static_cast<std::size_t>(chunk_seconds * rate) * 2;
  for (std::size_t at = 0; at < pcm.size(); at += chunk) {
    const std::size_t n = std::min(chunk, pcm.size() - at);
    GstBuffer* b = gst_buffer_new_memdup(pcm.data() + at, n);
    GST_BUFFER_PTS(b) = start + gst_util_uint64_scale(at / 2, GST_SECOND, rate);
    GST_BUFFER_DURATION(b) = gst_util_uint64_scale(n / 2, GST_SECOND, rate);
    fail_unless_equals_int(gst_harness_push(h, b), GST_FLOW_OK);
  }
}

// ---- waiting ----

using MessagePredicate = std::function<bool(GstMessage*)>;

// The first message on `bus` that satisfies `pred` (others are dropped), or
// null after `timeout`.
inline GstMessage* wait_message(GstBus* bus, const MessagePredicate& pred, std::chrono::milliseconds timeout = kWait) {
  const gint64 end = g_get_monotonic_time() + timeout.count() * 1000;
  for (;;) {
    const gint64 left = end - g_get_monotonic_time();
    if (left <= 0) return nullptr;
    GstMessage* m = gst_bus_timed_pop(bus, static_cast<GstClockTime>(left) * GST_USECOND);
    if (!m) return nullptr;
    if (pred(m)) return m;
    gst_message_unref(m);
  }
}

inline bool is_element_message(GstMessage* m, const char* name) {
  const GstStructure* s = gst_message_get_structure(m);
  return GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT && s && gst_structure_has_name(s, name);
}

inline MessagePredicate element_message(const char* name) {
  return [name](GstMessage* m) { return is_element_message(m, name); };
}

inline MessagePredicate message_of_type(GstMessageType type) {
  return [type](GstMessage* m) { return GST_MESSAGE_TYPE(m) == type; };
}

inline void wait_setup_complete(GstBus* bus) {
  GstMessage* m = wait_message(bus, element_message("geminilive/setup-complete"));
  fail_unless(m != nullptr, "no geminilive/setup-complete");
  gst_message_unref(m);
}

// Collects the output transcript (what the model said) from the bus until a
// message satisfies `until`; returns that message.
inline GstMessage* collect_said(GstBus* bus, std::string* said, const MessagePredicate& until) {
  for (;;) {
    GstMessage* m =
        wait_message(bus, [&](GstMessage* m) { return until(m) || is_element_message(m, "geminilive/transcript"); });
    if (!m || until(m)) return m;
    const GstStructure* s = gst_message_get_structure(m);
    if (g_str_equal(gst_structure_get_string(s, "direction"), "output")) *said += gst_structure_get_string(s, "text");
    gst_message_unref(m);
  }
}

// Asserts an ERROR message and returns its GError (domain, code, text).
inline GError* wait_error(GstBus* bus, std::chrono::milliseconds timeout = kWait) {
  GstMessage* m = wait_message(bus, message_of_type(GST_MESSAGE_ERROR), timeout);
  fail_unless(m != nullptr, "no ERROR message");
  GError* error = nullptr;
  gst_message_parse_error(m, &error, nullptr);
  gst_message_unref(m);
  return error;
}

// Asserts a WARNING message and returns its text.
inline std::string wait_warning(GstBus* bus) {
  GstMessage* m = wait_message(bus, message_of_type(GST_MESSAGE_WARNING));
  fail_unless(m != nullptr, "no WARNING message");
  GError* error = nullptr;
  gst_message_parse_warning(m, &error, nullptr);
  gst_message_unref(m);
  std::string text = error->message;
  g_error_free(error);
  return text;
}

// What a source harness output until EOS.
struct Pulled {
  std::vector<GstBuffer*> buffers;
  bool eos = false;
  int gaps = 0;  // GAP events

  Pulled() = default;
  Pulled(const Pulled&) = delete;
  Pulled& operator=(const Pulled&) = delete;
  ~Pulled() {
    for (GstBuffer* b : buffers) gst_buffer_unref(b);
  }
  std::string bytes() const {
    std::string out;
    for (GstBuffer* b : buffers) {
      GstMapInfo map;
      gst_buffer_map(b, &map, GST_MAP_READ);
      out.append(reinterpret_cast<const char*>(map.data), map.size);
      gst_buffer_unmap(b, &map);
    }
    return out;
  }
};

// Pulls buffers and events from `h` until EOS or `timeout`.
inline void pull_until_eos(GstHarness* h, Pulled& out, std::chrono::milliseconds timeout = kWait) {
  const gint64 end = g_get_monotonic_time() + timeout.count() * 1000;
  while (!out.eos && g_get_monotonic_time() < end) {
    while (GstEvent* e = gst_harness_try_pull_event(h)) {
      if (GST_EVENT_TYPE(e) == GST_EVENT_EOS) out.eos = true;
      if (GST_EVENT_TYPE(e) == GST_EVENT_GAP) ++out.gaps;
      gst_event_unref(e);
    }
    // Buffers before the EOS are queued before it.
    while (GstBuffer* b = gst_harness_try_pull(h)) out.buffers.push_back(b);
    if (!out.eos) g_usleep(5000);
  }
}

}  // namespace geminilive::testing
