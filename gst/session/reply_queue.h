// SPDX-License-Identifier: LGPL-2.1-or-later
// What one geminilivesrc has yet to output: the model's PCM or text
// fragments, handed over from the session's thread (producer) to the
// source's streaming thread (consumer). Thread-safe, no GStreamer. Audio is
// bounded (the oldest bytes go first, whole samples at a time); `clear()` is
// the barge-in; `finish()` and `fail_with()` end the stream once it is drained
// (fail at once); `set_flushing()` wakes a waiting consumer for
// GstBaseSrc::unlock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "session/session_events.h"

namespace geminilive::session {

class ReplyQueue {
 public:
  // 60 s of the service's 24 kHz S16LE mono audio.
  static constexpr std::size_t kDefaultMaxAudioBytes = 60 * 24000 * 2;

  enum class Status {
    Data,      // audio or text is queued
    Timeout,   // the deadline passed with nothing queued
    Flushing,  // set_flushing(true): the consumer must return at once
    Finished,  // finish() was called and everything has been taken
    Failed,    // fail_with() was called: error() says why
  };

  explicit ReplyQueue(std::size_t max_audio_bytes = kDefaultMaxAudioBytes);

  ReplyQueue(const ReplyQueue&) = delete;
  ReplyQueue& operator=(const ReplyQueue&) = delete;

  // ---- producer (the session's thread) ----

  // Appends PCM. Returns how many bytes of the oldest audio were dropped to
  // stay within the bound (0 almost always).
  std::size_t push_audio(std::string_view pcm);
  void push_text(std::string text);
  // The audio pushed from here on is the reply `turn`'s (its number, > 0).
  void begin_turn(uint64_t turn);
  // The current turn's audio is complete (generationComplete, turnComplete,
  // interrupted): the queue running dry now is the gap between turns.
  void end_turn();
  // Drops everything queued (an interrupted answer).
  void clear();
  // No more data will come; the consumer ends once it has taken the rest.
  void finish();
  // The session failed; the consumer stops at once, queued data or not.
  void fail_with(SessionError error);

  // ---- consumer (the streaming thread) ----

  // Waits until there is something to do, or until `deadline` (none: wait
  // forever). Never returns Timeout without a deadline.
  Status wait(std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);
  // The status right now, without waiting.
  Status poll();
  // What a take_audio() did to the turns.
  struct AudioTurns {
    uint64_t started = 0;  // the turn whose first byte is in what was taken (0: none)
    uint64_t playing = 0;  // the turn of the last byte taken so far (0: none yet)
    bool open = false;     // more of `playing`'s audio is still to come
  };
  // Takes up to `max_bytes` of audio (a whole number of samples when
  // `max_bytes` is even); empty when none is queued. Never blocks.
  std::string take_audio(std::size_t max_bytes, AudioTurns* turns = nullptr);
  // Takes the oldest text fragment, if any. Never blocks.
  std::optional<std::string> take_text();

  void set_flushing(bool flushing);
  // Back to a new, empty queue (not finished, failed or flushing).
  void reset();

  std::size_t audio_bytes() const;
  std::size_t max_audio_bytes() const { return max_audio_bytes_; }
  uint64_t dropped_audio_bytes() const;
  std::optional<SessionError> error() const;

 private:
  Status status_locked() const;
  void clear_locked();

  const std::size_t max_audio_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable cond_;
  std::deque<std::string> audio_;  // chunks; the first may be partly taken
  std::size_t audio_offset_ = 0;   // bytes already taken from audio_.front()
  std::size_t audio_bytes_ = 0;    // queued, not yet taken
  std::deque<std::string> text_;
  uint64_t dropped_ = 0;
  bool finished_ = false;
  bool flushing_ = false;
  // Turn marks: byte positions counted over the queue's life.
  uint64_t pushed_total_ = 0;                              // bytes ever pushed
  uint64_t taken_total_ = 0;                               // bytes ever taken, dropped or cleared
  std::deque<std::pair<uint64_t, uint64_t>> turn_starts_;  // (position of a turn's first byte, turn)
  uint64_t open_turn_ = 0;                                 // the turn whose audio is coming (0: none)
  bool open_turn_marked_ = false;
  uint64_t playing_turn_ = 0;
  std::optional<SessionError> error_;
};

}  // namespace geminilive::session
