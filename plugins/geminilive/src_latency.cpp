// SPDX-License-Identifier: LGPL-2.1-or-later
#include "src_latency.h"

#include <optional>
#include <string>

#include "errors.h"
#include "latency_message.h"

GST_DEBUG_CATEGORY_EXTERN(gst_gemini_live_src_debug);
#define GST_CAT_DEFAULT gst_gemini_live_src_debug

namespace geminilive::plugin {
namespace {

constexpr uint64_t kBytesPerMs = 24000 * 2 / 1000;  // the answer's 24 kHz S16LE mono

}  // namespace

void SrcLatency::reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  waiting_.clear();
  max_observed_ = 0;
  silent_turn_ = 0;
  silence_bytes_ = 0;
  warned_turn_ = 0;
}

GstClockTime SrcLatency::max_observed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return max_observed_;
}

void SrcLatency::reply_started(const session::ReplyStart& start) {
  std::lock_guard<std::mutex> lock(mutex_);
  waiting_[start.turn] = start;
}

void SrcLatency::turn_without_sound(uint64_t turn) {
  std::optional<session::ReplyStart> reply;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = waiting_.find(turn);
    if (it == waiting_.end()) return;  // its first sample left already
    reply = it->second;
    waiting_.erase(it);
  }
  post_latency(src_, *reply);
}

void SrcLatency::audio_taken(const session::ReplyQueue::AudioTurns& turns, std::size_t taken, std::size_t wanted) {
  // A gap ends when the answer's audio comes again (or its turn ends).
  if (silent_turn_ && (turns.playing != silent_turn_ || !turns.open || taken > 0)) warn_silence();
  if (turns.started) {
    const int64_t now = g_get_monotonic_time();
    std::optional<session::ReplyStart> reply;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      // Replies before it whose audio was dropped unplayed are gone too.
      for (auto it = waiting_.begin(); it != waiting_.end() && it->first <= turns.started;) {
        if (it->first == turns.started) reply = it->second;
        it = waiting_.erase(it);
      }
    }
    if (reply) {
      const GstClockTime to_first_sample = post_latency(src_, *reply, now);
      std::lock_guard<std::mutex> lock(mutex_);
      if (GST_CLOCK_TIME_IS_VALID(to_first_sample) && to_first_sample > max_observed_) max_observed_ = to_first_sample;
    }
  }
  // The answer ran out while more of it is to come: silence in its middle.
  if (turns.open && taken < wanted && turns.playing != warned_turn_) {
    silent_turn_ = turns.playing;
    silence_bytes_ += wanted - taken;
  }
}

void SrcLatency::warn_silence() {
  const uint64_t ms = silence_bytes_ / kBytesPerMs;
  const uint64_t turn = silent_turn_;
  silent_turn_ = 0;
  silence_bytes_ = 0;
  if (ms == 0) return;
  warned_turn_ = turn;
  GST_INFO_OBJECT(src_, "turn %" G_GUINT64_FORMAT ": %" G_GUINT64_FORMAT " ms of silence inside the answer", turn, ms);
  post_warning(src_,
               "The answer arrived slower than real time: " + std::to_string(ms) + " ms of silence inserted in turn " +
                   std::to_string(turn) + ".",
               "the reply's audio ran out before the end of the turn; the network or the service is too slow");
}

}  // namespace geminilive::plugin
