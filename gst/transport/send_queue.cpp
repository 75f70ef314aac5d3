// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/send_queue.h"

#include <utility>

namespace geminilive::transport {

void SendQueue::push(std::string message, bool droppable, QueueDrops* drops, uint64_t tag) {
  // Over budget: the oldest droppable messages make room (live media; the
  // session counts and reports them).
  for (auto it = queue_.begin(); bytes_ + message.size() > budget_ && it != queue_.end();) {
    if (!it->droppable) {
      ++it;
      continue;
    }
    bytes_ -= it->text.size();
    if (drops) {
      ++drops->messages;
      drops->bytes += it->text.size();
      drops->tags.push_back(it->tag);
    }
    it = queue_.erase(it);
  }
  bytes_ += message.size();
  queue_.push_back({std::move(message), droppable, tag});
  if (bytes_ >= budget_ / 2) room_wanted_ = true;
}

std::deque<std::string> SendQueue::take(std::size_t max_bytes) {
  std::deque<std::string> batch;
  std::size_t taken = 0;
  while (!queue_.empty() && (batch.empty() || taken + queue_.front().text.size() <= max_bytes)) {
    taken += queue_.front().text.size();
    batch.push_back(std::move(queue_.front().text));
    queue_.pop_front();
  }
  bytes_ -= taken;
  return batch;
}

void SendQueue::clear() {
  queue_.clear();
  bytes_ = 0;
}

bool SendQueue::room_returned() {
  if (!room_wanted_ || !has_room()) return false;
  room_wanted_ = false;
  return true;
}

}  // namespace geminilive::transport
