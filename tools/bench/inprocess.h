// SPDX-License-Identifier: LGPL-2.1-or-later
// What the in-process scenarios (latency, interrupt, startup) share: a lean
// local server in this process, markers that survive the trip, and a
// pipeline whose bus says when the session is set up.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geminilive::mock {
class LeanServer;
}

namespace geminilive::bench {

// Starts the in-process lean server; false, with the reason on stderr.
bool start_lean_server(mock::LeanServer& server);

// A marker in audio: 8 bytes of magic, then a sequence number.
constexpr char kMagic[] = "GLBENCH!";
std::string marked_pcm(uint64_t seq, std::size_t bytes, int16_t fill);
// Every marker in `data`, in order.
std::vector<uint64_t> find_markers(const char* data, std::size_t size);
// The sequence number in the base64 `data` of a realtimeInput audio frame
// whose PCM begins with the 8-byte number (audio_chunk()).
std::optional<uint64_t> audio_frame_seq(std::string_view frame);
// A serverContent frame with `pcm` (24 kHz) as the model's audio.
std::string model_audio_json(const std::string& pcm);

// Sets `pipeline` PLAYING and waits for geminilive/setup-complete; returns
// the monotonic time (s) it was posted, or a negative number on an error.
double play_until_setup(GstElement* pipeline, double timeout_s, double* started_s = nullptr);

}  // namespace geminilive::bench
