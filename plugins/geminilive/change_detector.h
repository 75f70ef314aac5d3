// SPDX-License-Identifier: LGPL-2.1-or-later
// What geminilivechangegate decides, without GStreamer: a picture's luma
// averaged over a small grid of cells, and whether a frame passes (the
// first, one that changed a lot, one whose small change stayed, a keepalive
// of a still screen) or is dropped (unchanged, a change that comes and goes
// in place, or a change too soon after the last one passed).
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
  double threshold = 0.005;                 // a frame changed a lot when more than this fraction of cells did
  int tolerance = 3;                        // luma levels (of 255) a cell may drift and still be unchanged
  int64_t settle_ns = 500'000'000;          // a smaller change passes once it stayed this long; 0: never
  int64_t keepalive_ns = 60'000'000'000;    // a still screen passes again after this; 0: never
  int64_t min_interval_ns = 1'000'000'000;  // 1 / max-fps; 0: no limit
};

// A cell seen coming back to the value it had before (a caret blinking) is
// a caret cell for this long after it last did: its two values are not a
// change. Longer than any caret's on or off time (GNOME 0.6 s, Windows
// 0.53 s, terminals up to about 1 s) plus a capture interval.
inline constexpr int64_t kFlickerMemoryNs = 3'000'000'000;

// Frames this close to 1/max-fps after the last one passed still pass (live
// sources' timestamps jitter), as geminilivesink allows.
inline constexpr int64_t kRateJitterNs = 5'000'000;

enum class Verdict { kFirst, kChanged, kSettled, kKeepalive, kUnchanged, kOverRate };

inline bool passes(Verdict v) {
  return v == Verdict::kFirst || v == Verdict::kChanged || v == Verdict::kSettled || v == Verdict::kKeepalive;
}

// What the gate remembers of each cell between frames, to tell a change
// that stays (a typed character) from one that comes and goes in place (a
// blinking caret, thin or block, at any blink rate).
class CellHistory {
 public:
  // Starts over from `grid` (the first frame, or new caps).
  void reset(const LumaGrid& grid);
  // Takes the next decided frame's grid; returns how many cells differ from
  // `reference` (more than `tolerance`), not as a caret cell's known values,
  // and have done so on every frame for at least `settle_ns` (and on two
  // frames at least). `now_ns` -1: unknown (then two frames are enough).
  int update(const LumaGrid& grid, const LumaGrid& reference, int tolerance, int64_t settle_ns, int64_t now_ns);
  // A frame passed: `grid` is the new reference, so no cell differs from it.
  void passed();

 private:
  struct Cell {
    uint16_t before = 0;     // the value before the current one
    uint16_t flicker_a = 0;  // the two values a caret cell toggles between
    uint16_t flicker_b = 0;
    int64_t flicker_ns = -1;    // when it last came back; -1: never
    int64_t run_start_ns = -1;  // first frame of the current run differing from the reference
    int run_frames = 0;         // frames in that run; 0: the cell is as in the reference
  };
  std::vector<Cell> cells_;
  LumaGrid last_;  // the last decided frame's grid
  int64_t last_known_ns_ = -1;
};

// The decision, frame by frame. A frame is compared with the last one that
// passed. It passes at once when more than `threshold` of the cells
// changed (a scroll, a window, a video); a smaller change (down to one
// cell: a typed character) passes once it has stayed for `settle`; a cell
// that comes and goes in place (a blinking caret) never passes.
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
  // Of those, the cells whose change stayed for `settle` (0 for the first).
  int last_settled_cells() const { return last_settled_; }

 private:
  bool has_reference_ = false;
  LumaGrid reference_;
  CellHistory history_;
  int64_t last_pass_ns_ = -1;
  double last_fraction_ = 0;
  int last_settled_ = 0;
};

}  // namespace geminilive::plugin
