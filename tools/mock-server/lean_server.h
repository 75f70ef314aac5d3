// SPDX-License-Identifier: LGPL-2.1-or-later
// The local server's lean mode, for benchmarks: a WebSocket endpoint that
// answers the setup with setupComplete, reads realtime input without
// decoding it (only its bytes are counted), and answers audioStreamEnd,
// activityEnd or text with one short fixed reply (100 ms of silence, then
// turnComplete). It costs next to nothing, so it never limits what it
// measures. Its `stop_reading` fault stops reading a connection after the
// setup, as a stalled uplink does: what the client sends then piles up on
// its side. Plain TCP only, one thread per connection.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace geminilive::mock {

struct LeanStats {
  uint64_t connections = 0;
  uint64_t messages = 0;  // client frames after the setup
  uint64_t bytes = 0;     // their payload bytes
  uint64_t replies = 0;   // fixed replies sent
  uint64_t audio = 0;     // realtimeInput audio chunks among the messages
  uint64_t video = 0;     // realtimeInput video frames among them
};

class LeanServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    bool stop_reading = false;  // read nothing after the setup
    // How long after the end of input the reply goes out, as a service's
    // would; 0: in the same instant (the client's bookkeeping must not miss it).
    int64_t reply_delay_us = 20000;
    // Called on the connection's thread when a connection ends, with what
    // it received (connections = 1).
    std::function<void(const LeanStats&)> on_connection_end;
  };
  explicit LeanServer(Options options);
  ~LeanServer();
  LeanServer(const LeanServer&) = delete;
  LeanServer& operator=(const LeanServer&) = delete;

  bool start(std::string* error);
  // ws://HOST:PORT (the path is any).
  std::string uri() const;
  LeanStats stats() const;
  // Called on a connection's thread with each client frame after the setup
  // (whole when up to 4 KiB, else its first 64 bytes) and the monotonic time
  // (µs) it was read, for latency runs. Set before clients connect.
  using FrameHook = std::function<void(const char* payload, std::size_t size, int64_t read_us)>;
  void set_frame_hook(FrameHook hook);
  // Sends `json` as one frame on every open connection now; returns the
  // monotonic time (µs) just before the write, for latency runs.
  int64_t broadcast(const std::string& json);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace geminilive::mock
