// SPDX-License-Identifier: LGPL-2.1-or-later
// What the local Live server can tell about the media a client sends: image
// size and type from JPEG/PNG headers, the sample rate of an audio/pcm MIME
// type, and whether a stretch of S16LE PCM holds speech-level energy. The
// reply text echoes these facts back so a test sees the round trip.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace geminilive::mock {

struct ImageInfo {
  std::string type;  // "JPEG" | "PNG"
  unsigned width = 0;
  unsigned height = 0;
};

// Reads the JPEG SOFn marker or the PNG IHDR chunk; nullopt for anything else
// or a truncated header. Never reads past `bytes`.
std::optional<ImageInfo> probe_image(std::string_view bytes);

// The `rate=` parameter of "audio/pcm;rate=16000"; `fallback` when absent or
// not a positive number (the service assumes 16 kHz input).
unsigned pcm_rate_from_mime(std::string_view mime, unsigned fallback = 16000);

// Root mean square of S16LE mono samples (0 .. 32768); 0 for no samples. A
// trailing odd byte is ignored.
double pcm_rms(std::string_view s16le);

// RMS above which a stretch of audio counts as speech (about -36 dBFS):
// digital silence and quiet room noise stay below, a voice or a test tone
// is far above.
constexpr double kSpeechRms = 500.0;

}  // namespace geminilive::mock
