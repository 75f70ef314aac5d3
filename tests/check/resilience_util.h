// SPDX-License-Identifier: LGPL-2.1-or-later
// What the resilience suite's files share: a live feeder of distinct audio
// chunks, the chunks the server received in order, event counting.
#pragma once

#include <gst/check/gstcheck.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "check_util.h"
#include "session_util.h"

namespace geminilive::testing {

inline constexpr std::size_t kChunk = 640;  // 20 ms of 16 kHz S16LE mono
inline constexpr auto kChunkTime = 20ms;

// Feeds distinct 20 ms chunks in real time from its own thread, as a live
// source would, and remembers what it sent.
class Feeder {
 public:
  explicit Feeder(std::shared_ptr<LiveSession> session) : session_(std::move(session)) {
    thread_ = std::thread([this] {
      auto next = std::chrono::steady_clock::now();
      for (unsigned i = 0; !stop_; ++i) {
        std::string pcm = quiet_pcm(kChunk, i);
        {
          std::lock_guard<std::mutex> lock(mutex_);
          sent_.push_back(pcm);
        }
        session_->send(audio(std::move(pcm)));
        next += kChunkTime;
        std::this_thread::sleep_until(next);
      }
    });
  }
  ~Feeder() { stop(); }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<std::string> sent() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }
  std::size_t sent_bytes() { return sent().size() * kChunk; }

 private:
  std::shared_ptr<LiveSession> session_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> sent_;
  std::thread thread_;
};

// The realtime audio chunks the server received, in connection order, as
// indexes into what was sent (-1: a chunk that was never sent).
inline std::vector<int> received_chunk_indexes(const LiveServer& server, const std::vector<std::string>& sent) {
  std::unordered_map<std::string, int> index;
  for (std::size_t i = 0; i < sent.size(); ++i) index.emplace(sent[i], static_cast<int>(i));
  std::vector<int> out;
  for (const auto& text : server.received_messages()) {
    auto m = protocol::decode_client_message(text);
    if (!m) continue;
    const auto* input = std::get_if<protocol::RealtimeInput>(&m.value());
    if (!input || !input->audio) continue;
    auto it = index.find(input->audio->data);
    out.push_back(it == index.end() ? -1 : it->second);
  }
  return out;
}

inline std::vector<Event> of_type(Events& events, Event::Type type) {
  std::vector<Event> out;
  for (const auto& e : events.events())
    if (e.type == type) out.push_back(e);
  return out;
}

inline void wait_count(Events& events, Event::Type type, std::size_t n, std::chrono::milliseconds timeout = kWait) {
  fail_unless(events.wait(
                  [&](const auto& all) {
                    std::size_t count = 0;
                    for (const auto& e : all) count += e.type == type;
                    return count >= n;
                  },
                  timeout),
              "fewer than %zu events of type %d came", n, static_cast<int>(type));
}

// Resumption-friendly defaults for these tests: quick backoff.
inline void quick_backoff(SessionConfig& c) {
  c.reconnect_delay = 100ms;
  c.max_reconnect_delay = 400ms;
}

inline std::string concat(const std::vector<std::string>& chunks) {
  std::string all;
  for (const auto& c : chunks) all += c;
  return all;
}

}  // namespace geminilive::testing
