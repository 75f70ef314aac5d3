// SPDX-License-Identifier: LGPL-2.1-or-later
// libFuzzer target: the WebSocket frame reader (gst/transport/ws_frame.h) on
// arbitrary server bytes.
//
// Invariants (docs/fuzzing.md):
//  - how the bytes are cut into reads does not matter: fed whole, and fed in
//    pieces whose sizes the input's first byte chooses, the reader reports
//    the same frames and the same error;
//  - a delivered text message is UTF-8, no message is over the limit, no
//    control payload is over 125 bytes, a close code is one a peer may send;
//  - after an error the reader takes nothing more.
#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "transport/ws_frame.h"

using namespace geminilive::transport;
using geminilive::fuzz::violation;

namespace {

constexpr uint64_t kLimit = 4096;

struct Outcome {
  std::vector<std::string> frames;  // kind, flags and payload, as one string each
  int error = 0;
};

Outcome read(std::string_view wire, std::size_t piece) {
  ws::FrameReader reader(kLimit);
  Outcome out;
  auto on_frame = [&](const ws::ServerFrame& f) {
    const bool control = f.kind != ws::ServerFrame::Kind::Message;
    if (control && f.payload.size() > ws::kMaxControlPayload) violation("control payload over 125 bytes", wire, {}, {});
    if (!control && f.payload.size() > kLimit) violation("message over the limit", wire, {}, {});
    if (!control && !f.binary && !g_utf8_validate_len(f.payload.data(), f.payload.size(), nullptr))
      violation("text message not UTF-8", wire, f.payload, {});
    if (f.kind == ws::ServerFrame::Kind::Close && f.close_code != 1005 &&
        (f.close_code < 1000 || f.close_code > 4999 || f.close_code == 1006 || f.close_code == 1015))
      violation("close code a peer may not send", wire, std::to_string(f.close_code), {});
    out.frames.push_back(std::to_string(static_cast<int>(f.kind)) + (f.binary ? "b" : "t") +
                         std::to_string(f.close_code) + ":" + std::string(f.payload));
  };
  for (std::size_t i = 0; i < wire.size(); i += piece) {
    if (!reader.feed(wire.data() + i, std::min(piece, wire.size() - i), on_frame)) {
      out.error = reader.error_code();
      if (reader.feed("\x81\x00", 2, on_frame)) violation("the reader took bytes after its error", wire, {}, {});
      break;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 17;
  const std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = read(wire, wire.size() ? wire.size() : 1);
  const Outcome pieces = read(wire, piece);
  if (whole.error != pieces.error)
    violation("the error depends on how the bytes were cut", wire, std::to_string(whole.error),
              std::to_string(pieces.error));
  if (whole.frames != pieces.frames)
    violation("the frames depend on how the bytes were cut", wire, std::to_string(whole.frames.size()),
              std::to_string(pieces.frames.size()));
  return 0;
}
