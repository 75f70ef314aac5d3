// What the local Live server has received, shared between its thread (which
// writes) and tests or the program (which read and wait). A GMutex guards
// it; a GCond wakes wait_for() on every change.
#pragma once

#include <glib.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "live_server.h"

namespace geminilive::mock {

class ServerState {
 public:
  ServerState();
  ~ServerState();

  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  // Changes the stats under the lock and wakes waiters.
  void update(const std::function<void(ServerStats&)>& fn);
  // Realtime audio: counted and fed to the running SHA-256.
  void add_audio(std::string_view bytes);
  void add_message(std::string text);

  ServerStats snapshot() const;
  std::vector<std::string> messages() const;
  bool wait_for(const std::function<bool(const ServerStats&)>& pred, std::chrono::milliseconds timeout) const;

 private:
  ServerStats snapshot_locked() const;

  mutable GMutex mutex_;
  mutable GCond cond_;
  ServerStats stats_;
  GChecksum* audio_checksum_;
  std::vector<std::string> messages_;
};

}  // namespace geminilive::mock
