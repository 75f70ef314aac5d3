// SPDX-License-Identifier: LGPL-2.1-or-later
// What geminilivechangegate decides, without GStreamer: a picture's luma
// averaged over a small grid of cells, and whether a frame passes (the
// first, one that changed enough, a keepalive of a still screen) or is
// dropped (unchanged, or changed but too soon after the last one passed).
// Times are running times in nanoseconds, -1 when unknown.
#pragma once

#include <cstdint>
#include <vector>

namespace geminilive::plugin {

// One picture's luma as the gate reads it: either a plane (or packed
// component) of Y, or the R, G and B bytes of packed RGB. Pixel stride and
// row stride are in bytes.
struct LumaView {
  int width = 0;
  int height = 0;
  int row_stride = 0;
  int pixel_stride = 1;
  const uint8_t* y = nullptr;  // set for YUV and GRAY8
  const uint8_t* r = nullptr;  // else these three, for packed RGB
  const uint8_t* g = nullptr;
  const uint8_t* b = nullptr;
};

// The mean luma of each cell, 8.8 fixed point (0 .. 255 * 256), row by row.
struct LumaGrid {
  static constexpr int kCols = 64;
  static constexpr int kRows = 36;

  int cols = 0;  // min(kCols, width)
  int rows = 0;  // min(kRows, height)
  std::vector<uint16_t> cells;

  // The grid of `view`: every pixel counts (a caret two pixels wide must).
  static LumaGrid of(const LumaView& view);
  // The fraction (0 .. 1) of cells whose means differ by more than
  // `tolerance` luma levels (of 255); 1 when the grids' shapes differ.
  double changed_fraction(const LumaGrid& other, int tolerance) const;
};

struct GateSettings {
  double threshold = 0.005;                 // a frame changed when more than this fraction of cells did
  int tolerance = 6;                        // luma levels (of 255) a cell may drift and still be unchanged
  int64_t keepalive_ns = 10'000'000'000;    // a still screen passes again after this; 0: never
  int64_t min_interval_ns = 1'000'000'000;  // 1 / max-fps; 0: no limit
};

// Frames this close to 1/max-fps after the last one passed still pass (live
// sources' timestamps jitter), as geminilivesink allows.
inline constexpr int64_t kRateJitterNs = 5'000'000;

enum class Verdict { kFirst, kChanged, kKeepalive, kUnchanged, kOverRate };

inline bool passes(Verdict v) { return v == Verdict::kFirst || v == Verdict::kChanged || v == Verdict::kKeepalive; }

// The decision, frame by frame. A frame is compared with the last one that
// passed, so small changes add up until they are enough (typing), while
// one that comes and goes in place (a blinking caret) never is.
class ChangeGate {
 public:
  // `running_ns`: the frame's running time, -1 when unknown (then neither
  // max-fps nor keepalive applies to it).
  Verdict decide(const LumaView& frame, int64_t running_ns, const GateSettings& settings);
  // The same for a grid already computed.
  Verdict decide(LumaGrid grid, int64_t running_ns, const GateSettings& settings);
  // Forgets the last passed frame: the next one passes as the first.
  void reset();

  // The fraction of cells that changed in the last frame decided (0 for the first).
  double last_changed_fraction() const { return last_fraction_; }

 private:
  bool has_reference_ = false;
  LumaGrid reference_;
  int64_t last_pass_ns_ = -1;
  double last_fraction_ = 0;
};

}  // namespace geminilive::plugin
