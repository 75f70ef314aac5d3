// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/replay_log.h"

#include <algorithm>
#include <utility>

namespace geminilive::session {

ReplayLog::ReplayLog(std::size_t max_bytes, std::function<void()> on_overflow)
    : max_bytes_(max_bytes), on_overflow_(std::move(on_overflow)) {}

bool ReplayLog::offer(Outbound message, const Give& give) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t tag = next_tag_++;
  std::vector<uint64_t> dropped;
  // The connection takes the JSON: the log keeps this copy.
  if (!give(tag, dropped)) return false;
  for (uint64_t t : dropped) forget_locked(t);
  bytes_ += message.json.size();
  entries_.push_back(Entry{tag, std::move(message)});
  bool overflowed = false;
  while (bytes_ > max_bytes_ && !entries_.empty()) {
    bytes_ -= entries_.front().message.json.size();
    entries_.pop_front();
    ++first_;  // it keeps its index: it may have reached the service
    ++overflowed_;
    overflowed = true;
  }
  if (overflowed && !over_ && on_overflow_) on_overflow_();
  over_ = overflowed || (over_ && bytes_ > max_bytes_ / 2);
  return true;
}

// The connection dropped the message tagged `tag` before writing it.
void ReplayLog::forget_locked(uint64_t tag) {
  if (tag < connection_tag_) return;  // not this connection's, or not recorded (0)
  auto it =
      std::lower_bound(entries_.begin(), entries_.end(), tag, [](const Entry& e, uint64_t t) { return e.tag < t; });
  if (it != entries_.end() && it->tag == tag) {
    bytes_ -= it->message.json.size();
    entries_.erase(it);
  } else if (it == entries_.begin()) {
    // The bound had already let it go, counting it as sent: the messages
    // after it are one index lower than that assumed.
    --first_;
  }
}

void ReplayLog::consumed(int64_t index) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (!entries_.empty() && first_ <= index) {
    bytes_ -= entries_.front().message.json.size();
    entries_.pop_front();
    ++first_;
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
  first_ = kFirstClientMessageIndex;
  connection_tag_ = next_tag_;
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
  return first_ + static_cast<int64_t>(entries_.size());
}

uint64_t ReplayLog::overflowed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return overflowed_;
}

}  // namespace geminilive::session
