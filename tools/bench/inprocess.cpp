// SPDX-License-Identifier: LGPL-2.1-or-later
#include "inprocess.h"

#include <cstdio>
#include <cstring>

#include "bench.h"
#include "lean_server.h"

namespace geminilive::bench {

std::string marked_pcm(uint64_t seq, std::size_t bytes, int16_t fill) {
  std::string pcm(bytes, '\0');
  for (std::size_t i = 0; i + 1 < bytes; i += 2) {
    pcm[i] = static_cast<char>(static_cast<uint16_t>(fill) & 0xff);
    pcm[i + 1] = static_cast<char>(static_cast<uint16_t>(fill) >> 8);
  }
  std::memcpy(&pcm[0], kMagic, 8);
  for (unsigned b = 0; b < 8; ++b) pcm[8 + b] = static_cast<char>((seq >> (8 * b)) & 0xff);
  return pcm;
}

std::vector<uint64_t> find_markers(const char* data, std::size_t size) {
  std::vector<uint64_t> found;
  const char* end = data + size;
  while (const auto* at = static_cast<const char*>(memmem(data, static_cast<std::size_t>(end - data), kMagic, 8))) {
    if (at + 16 > end) break;
    uint64_t seq = 0;
    for (unsigned b = 0; b < 8; ++b) seq |= uint64_t{static_cast<unsigned char>(at[8 + b])} << (8 * b);
    found.push_back(seq);
    data = at + 16;
  }
  return found;
}

std::optional<uint64_t> audio_frame_seq(std::string_view frame) {
  if (frame.rfind(R"({"realtimeInput":{"audio":)", 0) != 0) return std::nullopt;
  const auto at = frame.find(R"("data":")");
  if (at == std::string_view::npos || frame.size() < at + 8 + 12) return std::nullopt;
  const std::string b64(frame.substr(at + 8, 12));
  gsize n = 0;
  g_autofree guchar* raw = g_base64_decode(b64.c_str(), &n);
  if (n < 8) return std::nullopt;
  uint64_t seq = 0;
  for (unsigned b = 0; b < 8; ++b) seq |= uint64_t{raw[b]} << (8 * b);
  return seq;
}

std::string model_audio_json(const std::string& pcm) {
  g_autofree char* data = g_base64_encode(reinterpret_cast<const guchar*>(pcm.data()), pcm.size());
  return std::string(
             R"({"serverContent":{"modelTurn":{"parts":[{"inlineData":{"mimeType":"audio/pcm;rate=24000","data":")") +
         data + R"("}}]}}})";
}

bool start_lean_server(mock::LeanServer& server) {
  std::string error;
  if (server.start(&error)) return true;
  std::fprintf(stderr, "geminilive-bench: %s\n", error.c_str());
  return false;
}

double play_until_setup(GstElement* pipeline, double timeout_s, double* started_s) {
  GstBus* bus = gst_element_get_bus(pipeline);
  if (started_s) *started_s = monotonic_s();
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    gst_object_unref(bus);
    return -1;
  }
  double at = -1;
  const double deadline = monotonic_s() + timeout_s;
  while (monotonic_s() < deadline) {
    GstMessage* m = gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND,
                                               static_cast<GstMessageType>(GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR));
    if (!m) continue;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
      GError* e = nullptr;
      gst_message_parse_error(m, &e, nullptr);
      std::fprintf(stderr, "geminilive-bench: %s\n", e->message);
      g_error_free(e);
      gst_message_unref(m);
      break;
    }
    const bool setup = gst_message_has_name(m, "geminilive/setup-complete");
    gst_message_unref(m);
    if (setup) {
      at = monotonic_s();
      break;
    }
  }
  gst_object_unref(bus);
  return at;
}

}  // namespace geminilive::bench
