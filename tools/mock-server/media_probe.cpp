// SPDX-License-Identifier: LGPL-2.1-or-later
#include "media_probe.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "protocol/pcm_mime.h"

namespace geminilive::mock {
namespace {

unsigned be16(std::string_view b, std::size_t at) {
  return (static_cast<unsigned>(static_cast<uint8_t>(b[at])) << 8) | static_cast<uint8_t>(b[at + 1]);
}

unsigned be32(std::string_view b, std::size_t at) { return (be16(b, at) << 16) | be16(b, at + 2); }

std::optional<ImageInfo> probe_png(std::string_view b) {
  // 8-byte signature, then the IHDR chunk: length(4) "IHDR"(4) width(4) height(4).
  static constexpr char kSig[] = "\x89PNG\r\n\x1a\n";
  if (b.size() < 24 || b.substr(0, 8) != std::string_view(kSig, 8) || b.substr(12, 4) != "IHDR") return std::nullopt;
  ImageInfo info{"PNG", be32(b, 16), be32(b, 20)};
  if (info.width == 0 || info.height == 0) return std::nullopt;
  return info;
}

std::optional<ImageInfo> probe_jpeg(std::string_view b) {
  if (b.size() < 4 || static_cast<uint8_t>(b[0]) != 0xFF || static_cast<uint8_t>(b[1]) != 0xD8) return std::nullopt;
  std::size_t at = 2;
  // Walk the marker segments up to the first SOFn (frame header).
  while (at + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[at]) != 0xFF) return std::nullopt;
    uint8_t marker = static_cast<uint8_t>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    // Markers without a length field.
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // EOI / SOS before SOF
    unsigned len = be16(b, at + 2);
    if (len < 2) return std::nullopt;
    bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      // length(2) precision(1) height(2) width(2)
      if (at + 9 > b.size()) return std::nullopt;
      ImageInfo info{"JPEG", be16(b, at + 7), be16(b, at + 5)};
      if (info.width == 0 || info.height == 0) return std::nullopt;
      return info;
    }
    at += 2 + len;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImageInfo> probe_image(std::string_view bytes) {
  if (auto png = probe_png(bytes)) return png;
  return probe_jpeg(bytes);
}

unsigned pcm_rate_from_mime(std::string_view mime, unsigned fallback) {
  return static_cast<unsigned>(protocol::pcm_rate(mime).value_or(static_cast<int>(fallback)));
}

double pcm_rms(std::string_view s16le) {
  std::size_t n = s16le.size() / 2;
  if (n == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    auto lo = static_cast<uint8_t>(s16le[2 * i]);
    auto hi = static_cast<uint8_t>(s16le[2 * i + 1]);
    double s = static_cast<int16_t>(static_cast<uint16_t>(lo | (hi << 8)));
    sum += s * s;
  }
  return std::sqrt(sum / static_cast<double>(n));
}

}  // namespace geminilive::mock
