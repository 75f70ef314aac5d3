// SPDX-License-Identifier: LGPL-2.1-or-later
// The connections a session holds at once: the current one (input goes
// there, or it is being set up to carry it), the next one of a switch (a
// goAway, or a context change without contextUpdate) until its
// setupComplete, and those a switch left that still deliver the rest of a
// reply. Each has a generation, so a replaced client's late listener calls
// are told apart and ignored. The session's loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "session/session_config.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

enum class Role { Current, Next, Draining };

struct Link {
  uint64_t generation = 0;
  std::shared_ptr<transport::WebSocketClient> client;
  bool go_away = false;     // the next one of a goAway switch (else of a context change)
  bool setup_sent = false;  // from here input is held for it
  bool resumes = false;     // its setup carries a handle
  uint64_t version = 0;     // of the context in its setup (SessionSetup)
};

class Connections {
 public:
  uint64_t new_generation() { return ++generation_; }
  // What the connection of that generation is to the session; nothing for
  // one it no longer uses.
  std::optional<Role> role_of(uint64_t generation) const;

  // The current connection's facts; its client is the session's (shared
  // with sending threads under the session's lock). Generation 0: none.
  Link current;
  Link next;

  void drain(Link link) { draining_.push_back(std::move(link)); }
  // Forgets a draining connection and returns its client (null: unknown).
  std::shared_ptr<transport::WebSocketClient> end_draining(uint64_t generation);
  std::vector<Link> take_draining() { return std::exchange(draining_, {}); }

 private:
  uint64_t generation_ = 0;
  std::vector<Link> draining_;
};

// The transport options of a session's next connection: its endpoint
// (session/endpoint.h), with a fresh access token from the config's
// provider, which this calls.
transport::WebSocketOptions websocket_options(const SessionConfig& config);

}  // namespace geminilive::session
