// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/replay_log.h"

#include <utility>

namespace geminilive::session {

ReplayLog::ReplayLog(std::size_t max_bytes, std::function<void()> on_overflow)
    : max_bytes_(max_bytes), on_overflow_(std::move(on_overflow)) {}

void ReplayLog::sent(Outbound message) {
  std::lock_guard<std::mutex> lock(mutex_);
  bytes_ += message.json.size();
  entries_.push_back(Entry{next_++, std::move(message)});
  bool dropped = false;
  while (bytes_ > max_bytes_ && !entries_.empty()) {
    bytes_ -= entries_.front().message.json.size();
    entries_.pop_front();
    ++overflowed_;
    dropped = true;
  }
  if (dropped && !over_ && on_overflow_) on_overflow_();
  over_ = dropped || (over_ && bytes_ > max_bytes_ / 2);
}

void ReplayLog::consumed(int64_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!entries_.empty() && entries_.front().index <= index) {
    bytes_ -= entries_.front().message.json.size();
    entries_.pop_front();
  }
  if (bytes_ <= max_bytes_ / 2) over_ = false;
}

std::deque<Outbound> ReplayLog::restart(bool transparently) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::deque<Outbound> out;
  if (transparently)
    for (auto& e : entries_) out.push_back(std::move(e.message));
  entries_.clear();
  bytes_ = 0;
  next_ = kFirstClientMessageIndex;
  over_ = false;
  return out;
}

std::size_t ReplayLog::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

std::size_t ReplayLog::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

int64_t ReplayLog::next_index() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return next_;
}

uint64_t ReplayLog::overflowed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return overflowed_;
}

}  // namespace geminilive::session
