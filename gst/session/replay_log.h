// SPDX-License-Identifier: LGPL-2.1-or-later
// Transparent resumption's record of what the current connection was sent
// (live-protocol-2026.md §6): each client message after the setup, numbered
// as the service counts them, kept until a sessionResumptionUpdate says the
// state of its handle holds it (lastConsumedClientMessageIndex). When a new
// connection resumes at that handle, what is left is sent there again, in
// order, before any new input: the service gets every message exactly once
// across a drop or a goAway. Bounded by bytes: past the bound the oldest go
// (a reconnection could lose them) and `on_overflow` runs once. Thread-safe:
// the send path records under its own lock on any thread; the session trims
// and restarts it on its loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "session/held_messages.h"

namespace geminilive::session {

// The index of the first client message after a connection's setup (the
// setup itself is 0); every connection counts from here again. The service
// does not document the base; one public proxy counts this way against it
// (live-protocol-2026.md §6). Were it off by one, a reconnection would
// repeat or lose one message: the local server counts the same way.
inline constexpr int64_t kFirstClientMessageIndex = 1;

// How much unconfirmed input the log keeps (JSON bytes): far more than the
// service leaves unconfirmed while it says the session is resumable.
inline constexpr std::size_t kMaxReplayBytes = 16u * 1024 * 1024;

class ReplayLog {
 public:
  // `on_overflow` runs (under the log's lock, on the sender's thread: it must
  // only post) when the bound first drops messages since the log was last
  // within it.
  explicit ReplayLog(std::size_t max_bytes = kMaxReplayBytes, std::function<void()> on_overflow = {});

  // A message the current connection accepted, after its setup: it gets
  // the next index.
  void sent(Outbound message);
  // The state of the service's latest handle holds every message up to
  // `index` of this connection: they will never be sent again.
  void consumed(int64_t index);
  // A new connection carries the session from here: returns what is to be
  // sent there first (what is left, oldest first, when it resumes
  // `transparently` at the handle of the last consumed(); else nothing), and
  // numbering starts over. The messages returned are recorded again as they
  // are sent on the new connection.
  std::deque<Outbound> restart(bool transparently);

  std::size_t size() const;
  std::size_t bytes() const;
  // The index the next message sent gets.
  int64_t next_index() const;
  // Messages the bound dropped so far.
  uint64_t overflowed() const;

 private:
  struct Entry {
    int64_t index;
    Outbound message;
  };
  const std::size_t max_bytes_;
  const std::function<void()> on_overflow_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;
  std::size_t bytes_ = 0;
  int64_t next_ = kFirstClientMessageIndex;
  uint64_t overflowed_ = 0;
  bool over_ = false;  // dropping since the log was last within its bound
};

}  // namespace geminilive::session
