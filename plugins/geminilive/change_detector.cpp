// SPDX-License-Identifier: LGPL-2.1-or-later
#include "change_detector.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace geminilive::plugin {

namespace {

// BT.601 luma weights in 1/256: 77 R + 150 G + 29 B (they add up to 256,
// so a sum of weighted pixels over a count is already 8.8 fixed point).
constexpr uint32_t kWeightR = 77;
constexpr uint32_t kWeightG = 150;
constexpr uint32_t kWeightB = 29;

}  // namespace

LumaGrid LumaGrid::of(const LumaView& view) {
  LumaGrid grid;
  if (view.width <= 0 || view.height <= 0) return grid;
  grid.cols = std::min(kCols, view.width);
  grid.rows = std::min(kRows, view.height);
  grid.cells.assign(static_cast<std::size_t>(grid.cols) * grid.rows, 0);

  // First pixel column of each cell column, and one past the last.
  std::vector<int> x0(grid.cols + 1);
  for (int c = 0; c <= grid.cols; ++c) x0[c] = static_cast<int>(static_cast<int64_t>(c) * view.width / grid.cols);
  std::vector<uint64_t> sums(grid.cols);
  const bool rgb = view.y == nullptr;

  for (int r = 0; r < grid.rows; ++r) {
    const int y0 = static_cast<int>(static_cast<int64_t>(r) * view.height / grid.rows);
    const int y1 = static_cast<int>(static_cast<int64_t>(r + 1) * view.height / grid.rows);
    std::fill(sums.begin(), sums.end(), 0);
    for (int y = y0; y < y1; ++y) {
      const std::ptrdiff_t row = static_cast<std::ptrdiff_t>(y) * view.row_stride;
      for (int c = 0; c < grid.cols; ++c) {
        uint64_t sum = 0;
        const std::ptrdiff_t start = row + static_cast<std::ptrdiff_t>(x0[c]) * view.pixel_stride;
        const int n = x0[c + 1] - x0[c];
        if (rgb) {
          const uint8_t* pr = view.r + start;
          const uint8_t* pg = view.g + start;
          const uint8_t* pb = view.b + start;
          for (int i = 0; i < n; ++i, pr += view.pixel_stride, pg += view.pixel_stride, pb += view.pixel_stride)
            sum += kWeightR * *pr + kWeightG * *pg + kWeightB * *pb;
        } else {
          const uint8_t* py = view.y + start;
          for (int i = 0; i < n; ++i, py += view.pixel_stride) sum += *py;
          sum <<= 8;
        }
        sums[c] += sum;
      }
    }
    for (int c = 0; c < grid.cols; ++c) {
      const uint64_t count = static_cast<uint64_t>(x0[c + 1] - x0[c]) * (y1 - y0);
      grid.cells[static_cast<std::size_t>(r) * grid.cols + c] = static_cast<uint16_t>((sums[c] + count / 2) / count);
    }
  }
  return grid;
}

double LumaGrid::changed_fraction(const LumaGrid& other, int tolerance) const {
  if (cols != other.cols || rows != other.rows || cells.empty()) return 1.0;
  const int limit = tolerance * 256;
  std::size_t changed = 0;
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (std::abs(static_cast<int>(cells[i]) - static_cast<int>(other.cells[i])) > limit) ++changed;
  return static_cast<double>(changed) / static_cast<double>(cells.size());
}

namespace {

bool near(uint16_t a, uint16_t b, int limit) { return std::abs(static_cast<int>(a) - static_cast<int>(b)) <= limit; }

}  // namespace

void CellHistory::reset(const LumaGrid& grid) {
  cells_.assign(grid.cells.size(), Cell());
  for (std::size_t i = 0; i < cells_.size(); ++i) cells_[i].before = grid.cells[i];
  last_ = grid;
  last_known_ns_ = -1;
}

int CellHistory::update(const LumaGrid& grid, const LumaGrid& reference, int tolerance, int64_t settle_ns,
                        int64_t now_ns) {
  if (grid.cells.size() != cells_.size() || reference.cells.size() != cells_.size()) {
    reset(grid);
    return 0;
  }
  // A frame without a time keeps the last known one: a caret cell is not forgotten for it.
  if (now_ns >= 0) last_known_ns_ = now_ns;
  const int64_t now = last_known_ns_;
  const int limit = tolerance * 256;
  int settled = 0;
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    Cell& c = cells_[i];
    const uint16_t value = grid.cells[i];
    const uint16_t last = last_.cells[i];
    if (!near(value, last, limit)) {
      // It moved since the last frame: back to what it was before is a
      // change that came and went (a caret's on and off, however long each).
      if (near(value, c.before, limit)) {
        c.flicker_a = value;
        c.flicker_b = last;
        c.flicker_ns = now >= 0 ? now : 0;
      }
      c.before = last;
    }
    const bool caret_cell = c.flicker_ns >= 0 && (now < 0 || now - c.flicker_ns <= kFlickerMemoryNs) &&
                            (near(value, c.flicker_a, limit) || near(value, c.flicker_b, limit));
    if (near(value, reference.cells[i], limit) || caret_cell) {
      c.run_frames = 0;
      c.run_start_ns = -1;
      continue;
    }
    if (c.run_frames++ == 0) c.run_start_ns = now_ns;
    if (settle_ns <= 0 || c.run_frames < 2) continue;
    // Time going back (a new segment without a flush) counts as none elapsed.
    const bool timed = now_ns >= 0 && c.run_start_ns >= 0;
    if (!timed || std::max<int64_t>(0, now_ns - c.run_start_ns) + kRateJitterNs >= settle_ns) ++settled;
  }
  last_ = grid;
  return settled;
}

void CellHistory::passed() {
  for (Cell& c : cells_) {
    c.run_frames = 0;
    c.run_start_ns = -1;
  }
}

Verdict ChangeGate::decide(const LumaView& frame, int64_t running_ns, const GateSettings& settings) {
  return decide(LumaGrid::of(frame), running_ns, settings);
}

Verdict ChangeGate::decide(LumaGrid grid, int64_t running_ns, const GateSettings& settings) {
  Verdict verdict;
  last_settled_ = 0;
  if (!has_reference_ || grid.cols != reference_.cols || grid.rows != reference_.rows) {
    // The first frame, or one of another size: the picture is new.
    last_fraction_ = has_reference_ ? 1.0 : 0.0;
    history_.reset(grid);
    verdict = Verdict::kFirst;
  } else {
    last_fraction_ = grid.changed_fraction(reference_, settings.tolerance);
    last_settled_ = history_.update(grid, reference_, settings.tolerance, settings.settle_ns, running_ns);
    const bool known = running_ns >= 0 && last_pass_ns_ >= 0;
    // Running time going back (a new segment without a flush) counts as none elapsed.
    const int64_t elapsed = known ? std::max<int64_t>(0, running_ns - last_pass_ns_) : 0;
    const bool rate_ok = settings.min_interval_ns <= 0 || !known || elapsed + kRateJitterNs >= settings.min_interval_ns;
    if (last_fraction_ > settings.threshold) {
      verdict = rate_ok ? Verdict::kChanged : Verdict::kOverRate;
    } else if (last_settled_ > 0) {
      verdict = rate_ok ? Verdict::kSettled : Verdict::kOverRate;
    } else {
      const bool due = settings.keepalive_ns > 0 && known && elapsed >= settings.keepalive_ns;
      verdict = due && rate_ok ? Verdict::kKeepalive : Verdict::kUnchanged;
    }
  }
  if (passes(verdict)) {
    reference_ = std::move(grid);
    has_reference_ = true;
    history_.passed();
    if (running_ns >= 0) last_pass_ns_ = running_ns;
  }
  return verdict;
}

void ChangeGate::reset() {
  has_reference_ = false;
  reference_ = LumaGrid();
  history_ = CellHistory();
  last_pass_ns_ = -1;
  last_fraction_ = 0;
  last_settled_ = 0;
}

}  // namespace geminilive::plugin
