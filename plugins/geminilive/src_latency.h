// SPDX-License-Identifier: LGPL-2.1-or-later
// An audio geminilivesrc's view of each turn: it posts geminilive/latency
// when the turn's first sample leaves the source (or, when none will, at the
// turn's end), keeps the largest speech-end -> first-sample seen, and warns
// once a turn when the answer's audio ran out before its end (it arrived
// slower than real time, so silence was played in the middle of it): at the
// end of that first gap, with its length.
#pragma once

#include <gst/gst.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

#include "session/reply_queue.h"
#include "session/turn_timing.h"

namespace geminilive::plugin {

class SrcLatency {
 public:
  explicit SrcLatency(GstElement* src) : src_(src) {}

  // A new run (start()): no turn waits, nothing observed.
  void reset();
  GstClockTime max_observed() const;

  // ---- the session's thread ----
  void reply_started(const session::ReplyStart& start);
  // The turn ended and none of its audio will play (none came, or it was
  // interrupted first): its message goes out now, without first-sample.
  void turn_without_sound(uint64_t turn);

  // ---- the streaming thread ----
  // One buffer's worth was asked of the queue (`wanted` bytes; paced audio
  // fills the rest with silence) and `taken` came, with what it did to the
  // turns.
  void audio_taken(const session::ReplyQueue::AudioTurns& turns, std::size_t taken, std::size_t wanted);

 private:
  void warn_silence();

  GstElement* const src_;
  mutable std::mutex mutex_;
  std::map<uint64_t, session::ReplyStart> waiting_;  // replies whose first sample has not left
  GstClockTime max_observed_ = 0;
  // Streaming thread: the gap being played inside a turn, and the last turn
  // warned about.
  uint64_t silent_turn_ = 0;
  uint64_t silence_bytes_ = 0;
  uint64_t warned_turn_ = 0;
};

}  // namespace geminilive::plugin
