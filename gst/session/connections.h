// SPDX-License-Identifier: LGPL-2.1-or-later
// The connection set of a session: the connections it holds at once (the
// current one: input goes there, or it is being set up to carry it; the
// next one of a switch, a goAway or a context change without contextUpdate,
// until its setupComplete; and those a switch left that still deliver the
// rest of a reply), and what it knows about resuming on a new one (the
// latest resumable handle, whether it still holds the whole session, the
// current connection's goAway). Each connection has a generation, so a
// replaced client's late listener calls are told apart and ignored. The
// session's loop thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/server_message.h"
#include "session/session_config.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

enum class Role { Current, Next, Draining };

struct Link {
  uint64_t generation = 0;
  std::shared_ptr<transport::WebSocketClient> client;
  bool go_away = false;      // the next one of a goAway switch (else of a context change)
  bool setup_sent = false;   // from here input is held for it
  bool resumes = false;      // its setup carries a handle
  bool transparent = false;  // ... with the index of the last message its state holds
  uint64_t version = 0;      // of the context in its setup (SessionSetup)
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

  // ---- resuming ----
  // A sessionResumptionUpdate. A resumable one gives the latest handle (and,
  // in transparent mode, the index of the last client message its state
  // holds); a resumable:false one (the model is answering or waits for a
  // function) says the last handle no longer holds the whole session.
  void remember(const protocol::SessionResumptionUpdate& update) {
    handle_current_ = update.resumable && !update.new_handle.empty();
    if (!handle_current_) return;
    handle_ = update.new_handle;
    handle_index_ = update.last_consumed_client_message_index;
    ++handles_seen_;
  }
  // A connection takes the session over: it resumed from handle() (or
  // started afresh), and nothing of the last one's goAway applies to it.
  void new_current() {
    go_away = false;
    switch_wanted = false;
    handle_current_ = true;
  }
  const std::string& handle() const { return handle_; }
  // The lastConsumedClientMessageIndex that came with handle() (transparent mode).
  std::optional<int64_t> handle_index() const { return handle_index_; }
  // No resumable:false update came after handle().
  bool handle_current() const { return handle_current_; }
  // Resumable handles so far (a call made before one is held by it).
  uint64_t handles_seen() const { return handles_seen_; }

  bool go_away = false;        // the current connection got a goAway: its end is expected
  bool switch_wanted = false;  // a switch waits for the next resumable handle

 private:
  uint64_t generation_ = 0;
  std::vector<Link> draining_;
  std::string handle_;
  std::optional<int64_t> handle_index_;
  bool handle_current_ = true;
  uint64_t handles_seen_ = 0;
};

// The transport options of a session's next connection: its endpoint
// (session/endpoint.h), with a fresh access token from the config's
// provider, which this calls.
transport::WebSocketOptions websocket_options(const SessionConfig& config);

}  // namespace geminilive::session
