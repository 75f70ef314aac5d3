// SPDX-License-Identifier: LGPL-2.1-or-later
// What the local Live server has received, shared between its thread (which
// writes) and tests or the program (which read and wait). A GMutex guards
// it; a GCond wakes wait_for() on every change.
#pragma once

#include <glib.h>

#include <chrono>
#include <functional>
#include <map>
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
  // Realtime audio of connection `connection` (numbered from 1 in order of
  // arrival): counted and hashed in connection order, so a client that
  // moves to a new connection while the old one still delivers is checked
  // against its input order, not against the order two sockets were read.
  void add_audio(unsigned connection, std::string_view bytes);
  // A connection began (before any of its audio): its audio goes after
  // that of every connection that began before it.
  void connection_started(unsigned connection);
  // The connection ended: nothing more of its audio comes.
  void connection_ended(unsigned connection);
  void add_message(std::string text);

  ServerStats snapshot() const;
  std::vector<std::string> messages() const;
  bool wait_for(const std::function<bool(const ServerStats&)>& pred, std::chrono::milliseconds timeout) const;

 private:
  ServerStats snapshot_locked(bool with_hash) const;
  void fold_ended_locked();

  mutable GMutex mutex_;
  mutable GCond cond_;
  ServerStats stats_;
  GChecksum* audio_checksum_;  // connections up to folded_ (all ended)
  unsigned folded_ = 0;
  struct Pending {
    std::string audio;
    bool ended = false;
  };
  std::map<unsigned, Pending> pending_;  // connections after folded_
  std::vector<std::string> messages_;
};

}  // namespace geminilive::mock
