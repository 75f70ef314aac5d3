// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-soak: a long audio+video session through the elements against
// the in-process local server, with the service's connection limits made
// frequent: a goAway every --go-away-every seconds (the service: about every
// ten minutes) and an abrupt drop every --drop-every seconds. The microphone
// is an appsrc pushing numbered 20 ms chunks in real time (a second of speech
// every 30 s, so the model answers), the screen a 1 fps JPEG test pattern,
// the answers go to a real-time fakesink. At the end it reads back, in
// connection order, every audio chunk the server received and reports: the
// chunks lost (and at which drops), any sent twice or out of order, frames,
// turns and answers. Exit status 0 when nothing was duplicated or reordered,
// every loss lies at a drop, and the answers kept playing.
//
//   GST_PLUGIN_PATH=build/plugins/geminilive build/tools/soak/geminilive-soak --minutes 15
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "live_server.h"
#include "protocol/client_message.h"

namespace {

using geminilive::mock::LiveServer;
using geminilive::mock::ServerOptions;
namespace protocol = geminilive::protocol;

constexpr unsigned kRate = 16000;
constexpr unsigned kChunkSamples = kRate / 50;  // 20 ms
constexpr std::size_t kChunkBytes = kChunkSamples * 2;

// Chunk `seq`: one byte of its number in each of the first four samples
// (so it adds no more than a whisper of energy: the server's voice detection
// must not take the numbers for speech), then a quiet pattern, or a 440 Hz
// tone during a second of every 30.
std::string chunk(uint32_t seq) {
  std::string pcm(kChunkBytes, '\0');
  const bool speech = (seq % 1500) >= 250 && (seq % 1500) < 300;  // 5.0-6.0 s of each 30 s
  for (unsigned i = 0; i < kChunkSamples; ++i) {
    const double t = static_cast<double>(seq * kChunkSamples + i) / kRate;
    const auto sample = static_cast<int16_t>(speech ? 8000.0 * std::sin(2 * M_PI * 440.0 * t)
                                                    : static_cast<double>((i * 7 + seq) % 41) - 20.0);
    pcm[2 * i] = static_cast<char>(static_cast<uint16_t>(sample) & 0xFF);
    pcm[2 * i + 1] = static_cast<char>(static_cast<uint16_t>(sample) >> 8);
  }
  for (unsigned b = 0; b < 4; ++b) {
    pcm[2 * b] = static_cast<char>((seq >> (8 * b)) & 0xFF);
    pcm[2 * b + 1] = 0;
  }
  return pcm;
}

uint32_t chunk_number(const char* pcm) {
  uint32_t seq = 0;
  for (unsigned b = 0; b < 4; ++b) seq |= static_cast<uint32_t>(static_cast<unsigned char>(pcm[2 * b])) << (8 * b);
  return seq;
}

struct Soak {
  GstElement* pipeline = nullptr;
  GstElement* mic = nullptr;
  GMainLoop* loop = nullptr;
  uint32_t next_seq = 0;
  uint32_t total_chunks = 0;
  gint64 started_us = 0;
  // What the bus said, with the second it came at.
  std::vector<std::string> events;
  std::vector<double> drop_times;  // reconnecting, cause=dropped
  unsigned go_aways = 0, switches = 0, reconnects = 0, resumed = 0, warnings = 0, errors = 0, turns = 0;
  guint64 answer_bytes = 0;  // non-gap reply audio reaching the speaker

  double now_s() const { return static_cast<double>(g_get_monotonic_time() - started_us) / 1e6; }
  void note(const std::string& line) {
    char at[32];
    g_snprintf(at, sizeof at, "%7.1f s  ", now_s());
    events.push_back(at + line);
    std::fprintf(stderr, "%s%s\n", at, line.c_str());
  }
};

// Pushes the chunks due by now (a live microphone's pace).
gboolean push_due(gpointer data) {
  auto* soak = static_cast<Soak*>(data);
  const auto due = static_cast<uint32_t>((g_get_monotonic_time() - soak->started_us) / 20000);
  while (soak->next_seq < due && soak->next_seq < soak->total_chunks) {
    const std::string pcm = chunk(soak->next_seq);
    GstBuffer* b = gst_buffer_new_memdup(pcm.data(), pcm.size());
    GST_BUFFER_PTS(b) = GST_CLOCK_TIME_NONE;  // do-timestamp
    GST_BUFFER_DURATION(b) = 20 * GST_MSECOND;
    gst_app_src_push_buffer(GST_APP_SRC(soak->mic), b);
    ++soak->next_seq;
  }
  if (soak->next_seq >= soak->total_chunks) {
    soak->note("input complete: EOS");
    gst_element_send_event(soak->pipeline, gst_event_new_eos());
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

gboolean on_bus(GstBus*, GstMessage* m, gpointer data) {
  auto* soak = static_cast<Soak*>(data);
  switch (GST_MESSAGE_TYPE(m)) {
    case GST_MESSAGE_ELEMENT: {
      const GstStructure* s = gst_message_get_structure(m);
      const char* name = gst_structure_get_name(s);
      if (g_str_equal(name, "geminilive/go-away")) {
        ++soak->go_aways;
        soak->note("go-away");
      } else if (g_str_equal(name, "geminilive/reconnecting")) {
        const char* cause = gst_structure_get_string(s, "cause");
        if (g_str_equal(cause, "dropped")) {
          ++soak->reconnects;
          soak->drop_times.push_back(soak->now_s());
        } else {
          ++soak->switches;
        }
        g_autofree char* text = gst_structure_to_string(s);
        soak->note(text);
      } else if (g_str_equal(name, "geminilive/resumed")) {
        ++soak->resumed;
        g_autofree char* text = gst_structure_to_string(s);
        soak->note(text);
      } else if (g_str_equal(name, "geminilive/turn-complete")) {
        ++soak->turns;
      }
      break;
    }
    case GST_MESSAGE_WARNING: {
      g_autoptr(GError) e = nullptr;
      gst_message_parse_warning(m, &e, nullptr);
      ++soak->warnings;
      soak->note(std::string("WARNING: ") + e->message);
      break;
    }
    case GST_MESSAGE_ERROR: {
      g_autoptr(GError) e = nullptr;
      gst_message_parse_error(m, &e, nullptr);
      ++soak->errors;
      soak->note(std::string("ERROR: ") + e->message);
      g_main_loop_quit(soak->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      soak->note("EOS");
      g_main_loop_quit(soak->loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

GstPadProbeReturn count_answer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_GAP)) static_cast<Soak*>(data)->answer_bytes += gst_buffer_get_size(b);
  return GST_PAD_PROBE_OK;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  gdouble minutes = 15, go_away_every = 60, drop_every = 240;
  const GOptionEntry entries[] = {
      {"minutes", 0, 0, G_OPTION_ARG_DOUBLE, &minutes, "Length of the input (default 15)", "M"},
      {"go-away-every", 0, 0, G_OPTION_ARG_DOUBLE, &go_away_every, "goAway after each setup, in seconds (default 60)",
       "S"},
      {"drop-every", 0, 0, G_OPTION_ARG_DOUBLE, &drop_every, "Drop the connection every S seconds (default 240)", "S"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- a long session through goAways and drops");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_autoptr(GError) error = nullptr;
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    std::fprintf(stderr, "geminilive-soak: %s\n", error->message);
    return 2;
  }

  ServerOptions o;
  o.reply_speed = 1.0;  // answers take their real time, as the service's do
  o.go_away_after = std::chrono::milliseconds(static_cast<int64_t>(go_away_every * 1000));
  o.go_away_time_left = std::chrono::milliseconds(50000);
  o.drop_every = std::chrono::milliseconds(static_cast<int64_t>(drop_every * 1000));
  LiveServer server(o);
  std::string why;
  if (!server.start(&why)) {
    std::fprintf(stderr, "geminilive-soak: %s\n", why.c_str());
    return 1;
  }

  Soak soak;
  soak.total_chunks = static_cast<uint32_t>(minutes * 60 * 50);
  const std::string launch =
      "appsrc name=mic is-live=true do-timestamp=true format=time "
      "caps=audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=16000 ! queue ! s.audio "
      "videotestsrc is-live=true pattern=ball ! video/x-raw,width=1024,height=576,framerate=1/1 ! jpegenc ! "
      "queue ! geminilivesink name=s api-key=soak stall-timeout=5000 uri=" +
      server.uri() +
      "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent "
      "geminilivesrc ! fakesink name=speaker sync=true";
  soak.pipeline = gst_parse_launch(launch.c_str(), &error);
  if (!soak.pipeline) {
    std::fprintf(stderr, "geminilive-soak: %s (is GST_PLUGIN_PATH set to build/plugins/geminilive?)\n", error->message);
    return 1;
  }
  soak.mic = gst_bin_get_by_name(GST_BIN(soak.pipeline), "mic");
  GstElement* speaker = gst_bin_get_by_name(GST_BIN(soak.pipeline), "speaker");
  GstPad* speaker_pad = gst_element_get_static_pad(speaker, "sink");
  gst_pad_add_probe(speaker_pad, GST_PAD_PROBE_TYPE_BUFFER, count_answer, &soak, nullptr);
  gst_object_unref(speaker_pad);
  gst_object_unref(speaker);

  soak.loop = g_main_loop_new(nullptr, FALSE);
  GstBus* bus = gst_element_get_bus(soak.pipeline);
  gst_bus_add_watch(bus, on_bus, &soak);
  gst_object_unref(bus);
  gst_element_set_state(soak.pipeline, GST_STATE_PLAYING);
  soak.started_us = g_get_monotonic_time();
  g_autofree char* plan = g_strdup_printf("playing: %g min of input, goAway every %g s, drop every %g s", minutes,
                                          go_away_every, drop_every);
  soak.note(plan);
  g_timeout_add(10, push_due, &soak);
  g_main_loop_run(soak.loop);
  gst_element_set_state(soak.pipeline, GST_STATE_NULL);
  const double ran = soak.now_s();

  // The audio the server got, connection after connection.
  std::vector<uint32_t> got;
  for (const auto& text : server.received_messages()) {
    auto m = protocol::decode_client_message(text);
    if (!m) continue;
    const auto* input = std::get_if<protocol::RealtimeInput>(&m.value());
    if (!input || !input->audio) continue;
    const std::string& data = input->audio->data;
    for (std::size_t at = 0; at + kChunkBytes <= data.size(); at += kChunkBytes) {
      got.push_back(chunk_number(data.data() + at));
    }
  }
  unsigned duplicated = 0, reordered = 0, corrupt = 0;
  std::vector<std::pair<uint32_t, uint32_t>> gaps;  // [first lost, count)
  int64_t expected = 0;
  for (uint32_t seq : got) {
    if (seq >= soak.total_chunks) {
      ++corrupt;
      continue;
    }
    if (static_cast<int64_t>(seq) < expected) {
      (static_cast<int64_t>(seq) == expected - 1 ? duplicated : reordered)++;
      continue;
    }
    if (static_cast<int64_t>(seq) > expected) gaps.emplace_back(static_cast<uint32_t>(expected), seq - expected);
    expected = static_cast<int64_t>(seq) + 1;
  }
  if (expected < soak.total_chunks) gaps.emplace_back(static_cast<uint32_t>(expected), soak.total_chunks - expected);
  // Each gap must lie at a drop: within 2 s of one.
  unsigned lost = 0, off_drop = 0;
  for (const auto& [first, count] : gaps) {
    lost += count;
    const double at = first * 0.02;
    bool near = false;
    for (double d : soak.drop_times) near |= std::fabs(d - at) < 2.0;
    if (!near) ++off_drop;
  }
  const auto stats = server.stats();

  std::printf("## Soak: %.1f min of audio+video, goAway every %.0f s, drop every %.0f s\n\n", minutes, go_away_every,
              drop_every);
  std::printf("| measure | value |\n|---|---|\n");
  std::printf("| wall time | %.1f s |\n", ran);
  std::printf("| audio chunks sent (20 ms each) | %u |\n", soak.total_chunks);
  std::printf("| audio chunks received by the server | %zu |\n", got.size());
  std::printf("| lost | %u chunks = %u ms, in %zu gaps |\n", lost, lost * 20, gaps.size());
  for (const auto& [first, count] : gaps)
    std::printf("| gap | at %.2f s of input: %u chunks (%u ms) |\n", first * 0.02, count, count * 20);
  std::printf("| gaps not at a drop | %u |\n", off_drop);
  std::printf("| duplicated / reordered / foreign chunks | %u / %u / %u |\n", duplicated, reordered, corrupt);
  std::printf("| connections / resumed setups | %u / %u |\n", stats.connections, stats.resumed);
  std::printf("| goAway messages / switches / drops reconnected / resumed | %u / %u / %u / %u |\n", soak.go_aways,
              soak.switches, soak.reconnects, soak.resumed);
  std::printf("| frames received by the server | %u (last %ux%u) |\n", stats.video_frames, stats.last_frame_width,
              stats.last_frame_height);
  std::printf("| turns completed (server / elements) | %u / %u |\n", stats.turns_completed, soak.turns);
  std::printf("| answer audio played | %.1f s |\n", static_cast<double>(soak.answer_bytes) / 48000.0);
  std::printf("| warnings / errors | %u / %u |\n", soak.warnings, soak.errors);
  std::printf("\nEvents:\n\n```\n");
  for (const auto& e : soak.events) std::printf("%s\n", e.c_str());
  std::printf("```\n");

  const bool ok = soak.errors == 0 && duplicated == 0 && reordered == 0 && corrupt == 0 && off_drop == 0 &&
                  soak.answer_bytes > 0 && stats.turns_completed > 0;
  gst_object_unref(soak.mic);
  gst_object_unref(soak.pipeline);
  g_main_loop_unref(soak.loop);
  return ok ? 0 : 1;
}
