// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/reply_queue.h"

#include <algorithm>
#include <utility>

namespace geminilive::session {

ReplyQueue::ReplyQueue(std::size_t max_audio_bytes) : max_audio_bytes_(std::max<std::size_t>(max_audio_bytes, 2)) {}

std::size_t ReplyQueue::push_audio(std::string_view pcm) {
  if (pcm.empty()) return 0;
  std::size_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (open_turn_ && !open_turn_marked_) {
      turn_starts_.emplace_back(pushed_total_, open_turn_);
      open_turn_marked_ = true;
    }
    audio_.emplace_back(pcm);
    audio_bytes_ += pcm.size();
    pushed_total_ += pcm.size();
    if (audio_bytes_ > max_audio_bytes_) {
      // Oldest first, a whole number of samples.
      std::size_t excess = audio_bytes_ - max_audio_bytes_;
      excess += excess % 2;
      while (excess > 0 && !audio_.empty()) {
        const std::size_t in_front = audio_.front().size() - audio_offset_;
        const std::size_t n = std::min(excess, in_front);
        audio_offset_ += n;
        audio_bytes_ -= n;
        excess -= n;
        dropped += n;
        if (audio_offset_ == audio_.front().size()) {
          audio_.pop_front();
          audio_offset_ = 0;
        }
      }
      dropped_ += dropped;
      taken_total_ += dropped;
    }
  }
  cond_.notify_all();
  return dropped;
}

void ReplyQueue::push_text(std::string text) {
  if (text.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    text_.push_back(std::move(text));
  }
  cond_.notify_all();
}

void ReplyQueue::begin_turn(uint64_t turn) {
  std::lock_guard<std::mutex> lock(mutex_);
  open_turn_ = turn;
  open_turn_marked_ = false;
}

void ReplyQueue::end_turn() {
  std::lock_guard<std::mutex> lock(mutex_);
  open_turn_ = 0;
}

void ReplyQueue::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  clear_locked();
}

void ReplyQueue::clear_locked() {
  taken_total_ = pushed_total_;
  turn_starts_.clear();
  audio_.clear();
  audio_offset_ = 0;
  audio_bytes_ = 0;
  text_.clear();
}

void ReplyQueue::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  cond_.notify_all();
}

void ReplyQueue::fail_with(SessionError error) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = std::move(error);
  }
  cond_.notify_all();
}

ReplyQueue::Status ReplyQueue::status_locked() const {
  if (flushing_) return Status::Flushing;
  if (error_) return Status::Failed;
  if (audio_bytes_ > 0 || !text_.empty()) return Status::Data;
  if (finished_) return Status::Finished;
  return Status::Timeout;
}

ReplyQueue::Status ReplyQueue::wait(std::optional<std::chrono::steady_clock::time_point> deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto ready = [this] { return status_locked() != Status::Timeout; };
  if (deadline)
    cond_.wait_until(lock, *deadline, ready);
  else
    cond_.wait(lock, ready);
  return status_locked();
}

ReplyQueue::Status ReplyQueue::poll() {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_locked();
}

std::string ReplyQueue::take_audio(std::size_t max_bytes, AudioTurns* turns) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out.reserve(std::min(max_bytes, audio_bytes_));
  while (out.size() < max_bytes && !audio_.empty()) {
    const std::string& front = audio_.front();
    const std::size_t n = std::min(max_bytes - out.size(), front.size() - audio_offset_);
    out.append(front, audio_offset_, n);
    audio_offset_ += n;
    audio_bytes_ -= n;
    if (audio_offset_ == front.size()) {
      audio_.pop_front();
      audio_offset_ = 0;
    }
  }
  taken_total_ += out.size();
  AudioTurns t;
  // A start at or before the last byte taken (or dropped) has left.
  while (!turn_starts_.empty() && turn_starts_.front().first < taken_total_) {
    t.started = turn_starts_.front().second;
    playing_turn_ = t.started;
    turn_starts_.pop_front();
  }
  t.playing = playing_turn_;
  t.open = playing_turn_ != 0 && playing_turn_ == open_turn_;
  if (turns) *turns = t;
  return out;
}

std::optional<std::string> ReplyQueue::take_text() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (text_.empty()) return std::nullopt;
  std::string text = std::move(text_.front());
  text_.pop_front();
  return text;
}

void ReplyQueue::set_flushing(bool flushing) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    flushing_ = flushing;
  }
  cond_.notify_all();
}

void ReplyQueue::reset() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    clear_locked();
    open_turn_ = playing_turn_ = 0;
    open_turn_marked_ = false;
    dropped_ = 0;
    finished_ = false;
    flushing_ = false;
    error_.reset();
  }
  cond_.notify_all();
}

std::size_t ReplyQueue::audio_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return audio_bytes_;
}

uint64_t ReplyQueue::dropped_audio_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

std::optional<SessionError> ReplyQueue::error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

}  // namespace geminilive::session
