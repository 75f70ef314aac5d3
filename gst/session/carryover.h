// SPDX-License-Identifier: LGPL-2.1-or-later
// What a new connection carries over from the last, so that the model keeps
// the conversation: the latest resumable handle (from the service's
// sessionResumptionUpdates, kept in Connections), and in transparent mode
// the replay log that goes with it (what that handle's state lacks, sent
// again first); a connection that does not resume starts with the history
// instead. The log records on any thread (replay_log.h); the rest is the
// session's loop thread's.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include "protocol/server_message.h"
#include "session/connections.h"
#include "session/held_messages.h"
#include "session/replay_log.h"
#include "session/session_config.h"
#include "session/session_setup.h"

namespace geminilive::session {

class Carryover {
 public:
  // `replay_overflowed` runs (on a sending thread, under the log's lock: it
  // must only post) when the replay log first drops input.
  Carryover(const SessionConfig& config, Connections& conns, std::function<void()> replay_overflowed);

  // The replay log (null: transparent resumption is off), which the send
  // path records into.
  ReplayLog* log() const { return replay_.get(); }

  // A sessionResumptionUpdate from the current or the next connection.
  void update(const protocol::SessionResumptionUpdate& update);
  // A connection's setup goes out: what it carries (context version,
  // whether it resumes, and whether transparently).
  void note_setup(Link& link, const SessionSetup::Message& setup) const;

  // What a connection that now carries the session is sent first: the
  // history when it does not resume (null: none) ...
  const Outbound* history(const Link& link) const;
  // ... and, when it resumed transparently, what its state lacks. The replay
  // log starts over on it.
  std::deque<Outbound> replay_onto(const Link& link);
  // Messages sent again so far.
  uint64_t replayed() const { return replayed_.load(); }

  // The warning when the replay log dropped input.
  static std::string overflow_warning();

 private:
  Connections& conns_;
  const std::unique_ptr<ReplayLog> replay_;  // thread-safe
  std::atomic<uint64_t> replayed_{0};
  const Outbound history_;  // empty when there is no history
};

}  // namespace geminilive::session
