// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/outbox.h"

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

namespace geminilive::session {

using transport::WebSocketClient;

Outbox::Taken Outbox::take(Outbound message, bool latest_frame) {
  Taken taken;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!accepting_) return taken;
  taken.accepted = true;
  unanswered_ |= message.asks_reply;
  if (streaming_) {
    deliver_locked(message);
    return taken;
  }
  if (latest_frame) {
    if (held_.push_latest_frame(std::move(message))) ++stats_.video_frames_replaced;
  } else {
    held_.push(std::move(message));
  }
  // One report when dropping starts, one with the rest at setupComplete.
  taken.first_drop = held_.dropped().any() && !drop_reported_;
  if (taken.first_drop) drop_reported_ = true;
  return taken;
}

void Outbox::set_hooks(std::function<void()> room, std::function<void(std::string)> warn) {
  std::lock_guard<std::mutex> lock(mutex_);
  room_ = std::move(room);
  warn_ = std::move(warn);
  watch_room_locked();
}

// The current client says when its queue has room again.
void Outbox::watch_room_locked() {
  if (!client_) return;
  client_->set_room_callback([this] {
    std::lock_guard<std::mutex> lock(mutex_);
    uplink_drop_reported_ = false;
    if (room_) room_();
  });
}

bool Outbox::has_room() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!accepting_) return true;
  // Streaming: below half the connection's budget, so a waiting input never
  // reaches the point where live media is dropped.
  if (streaming_) return !client_ || client_->has_room();
  // A second's margin: what the caller is about to send must fit too.
  return held_.audio() + std::chrono::seconds(1) < limits_.audio && held_.bytes() < limits_.bytes / 2;
}

SessionStats Outbox::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  SessionStats s = stats_;
  s.queued_bytes = client_ ? client_->queued_bytes() : 0;
  return s;
}

void Outbox::count_received(uint64_t model_audio_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.messages_received;
  stats_.audio_bytes_received += model_audio_bytes;
}

bool Outbox::unanswered() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return unanswered_;
}

void Outbox::answered() {
  std::lock_guard<std::mutex> lock(mutex_);
  unanswered_ = false;
}

std::shared_ptr<WebSocketClient> Outbox::client() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return client_;
}

std::shared_ptr<WebSocketClient> Outbox::set_client(std::shared_ptr<WebSocketClient> client) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto old = std::exchange(client_, std::move(client));
  watch_room_locked();
  return old;
}

void Outbox::send_setup(Outbound setup) {
  std::lock_guard<std::mutex> lock(mutex_);
  deliver_locked(setup, false, false);  // the only message allowed before setupComplete
}

void Outbox::hold(WebSocketClient* next, std::string setup) {
  std::lock_guard<std::mutex> lock(mutex_);
  streaming_ = false;
  if (next) next->send_text(std::move(setup));
}

std::shared_ptr<WebSocketClient> Outbox::release(const Outbound* first, std::shared_ptr<WebSocketClient> client,
                                                 bool reconnection, std::deque<Outbound> replayed) {
  std::shared_ptr<WebSocketClient> old;
  std::lock_guard<std::mutex> lock(mutex_);
  if (client) {
    old = std::exchange(client_, std::move(client));
    watch_room_locked();
  }
  if (reconnection) ++stats_.reconnections;
  if (first) {
    Outbound copy = *first;
    deliver_locked(copy);
  }
  // One queue, so that what a just-closed connection refuses is held again
  // in its order.
  for (auto& m : held_.take()) replayed.push_back(std::move(m));
  for (auto& m : replayed) deliver_locked(m);
  streaming_ = true;
  if (room_) room_();  // an input waiting for the held input to go out goes on
  return old;
}

Dropped Outbox::take_dropped() {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_.take_dropped();
}

std::shared_ptr<WebSocketClient> Outbox::stop(bool take_client) {
  std::lock_guard<std::mutex> lock(mutex_);
  accepting_ = false;
  streaming_ = false;
  held_.take();
  if (take_client) return std::move(client_);
  return client_;
}

// A connection that has just ended refuses a message: then it waits with
// the held input for the next connection, unless the session is over.
void Outbox::deliver_locked(Outbound& m, bool hold_if_refused, bool recorded) {
  const Outbound::Kind kind = m.kind;
  const std::size_t media = m.media_bytes;
  const bool context_update = m.context_update;
  // Media is base64 (ASCII); live media may go, oldest first, when the
  // connection falls behind (the budget).
  const bool is_media = kind != Outbound::Kind::Other;
  transport::QueueDrops drops;
  auto give = [&](uint64_t tag) { return client_ && client_->offer_text(m.json, {is_media, is_media, tag}, &drops); };
  bool taken;
  if (replay_ && recorded) {
    // Transparent resumption: the log numbers what the connection takes,
    // less what its queue drops (it keeps a copy: the transport takes the
    // JSON).
    taken = replay_->offer(m, [&](uint64_t tag, std::vector<uint64_t>& dropped) {
      const bool ok = give(tag);
      dropped = std::move(drops.tags);
      return ok;
    });
  } else {
    taken = give(0);
  }
  if (!taken) {
    if (hold_if_refused && accepting_ && hold_refused_) {
      streaming_ = false;
      held_.push(std::move(m));
    }
    return;
  }
  if (drops.messages) {
    stats_.uplink_dropped += drops.messages;
    stats_.messages_sent -= std::min<uint64_t>(stats_.messages_sent, drops.messages);
    if (!uplink_drop_reported_ && warn_) {
      uplink_drop_reported_ = true;
      warn_(
          "the connection takes input slower than it comes: dropping the oldest audio and video waiting to be sent "
          "(at most " +
          std::to_string(client_->max_queued_bytes() / (1024 * 1024)) + " MB wait)");
    }
  }
  ++stats_.messages_sent;
  if (kind == Outbound::Kind::Audio) stats_.audio_bytes_sent += media;
  if (kind == Outbound::Kind::Video) ++stats_.video_frames_sent;
  if (context_update && context_sent_) context_sent_();
}

}  // namespace geminilive::session
