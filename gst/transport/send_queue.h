// SPDX-License-Identifier: LGPL-2.1-or-later
// What waits to be sent on one WebSocket connection, within a byte budget:
// past it, droppable messages (live media) make room, oldest first; others
// are never dropped. It also says when the queue, having reached half its
// budget, is below it again (room for an input that waits). Not
// thread-safe: WebSocketClient guards it with its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace geminilive::transport {

// What offers dropped to keep within the budget.
struct QueueDrops {
  uint64_t messages = 0;
  uint64_t bytes = 0;
  std::vector<uint64_t> tags;  // of the messages dropped, as pushed (a replay log's numbering)
};

class SendQueue {
 public:
  explicit SendQueue(std::size_t budget) : budget_(budget) {}

  // `tag` comes back in `drops` if the message is dropped later.
  void push(std::string message, bool droppable, QueueDrops* drops, uint64_t tag = 0);
  // The oldest messages, at least one, up to `max_bytes` in all.
  std::deque<std::string> take(std::size_t max_bytes);
  void clear();

  bool empty() const { return queue_.empty(); }
  std::size_t size() const { return queue_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::size_t budget() const { return budget_; }
  bool has_room() const { return bytes_ < budget_ / 2; }
  // True once each time the queue falls below half its budget after it
  // reached it.
  bool room_returned();

 private:
  struct Pending {
    std::string text;
    bool droppable = false;
    uint64_t tag = 0;
  };
  const std::size_t budget_;
  std::deque<Pending> queue_;
  std::size_t bytes_ = 0;
  bool room_wanted_ = false;
};

}  // namespace geminilive::transport
