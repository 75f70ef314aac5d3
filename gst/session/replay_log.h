// SPDX-License-Identifier: LGPL-2.1-or-later
// Transparent resumption's record of what the current connection was sent
// (live-protocol-2026.md §6): each client message after the setup, numbered
// as the service counts them (those that reach it: not the live media the
// connection's queue drops past its budget), kept until a sessionResumptionUpdate says the
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
#include <vector>

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
  // Hands a message, with its tag, to the current connection: true when the
  // connection took it. The connection's queue may drop earlier live media
  // to make room; their tags go into `dropped`.
  using Give = std::function<bool(uint64_t tag, std::vector<uint64_t>& dropped)>;

  // `on_overflow` runs (under the log's lock, on the sender's thread: it must
  // only post) when the bound first drops messages since the log was last
  // within it.
  explicit ReplayLog(std::size_t max_bytes = kMaxReplayBytes, std::function<void()> on_overflow = {});

  // A message after the setup, offered to the current connection by `give`:
  // when taken it gets the next index. A message the connection's queue
  // drops never reaches the service, which does not count it: it leaves the
  // log and the messages after it move down one index. All under the log's
  // lock, so that a consumed index never meets a log that still counts a
  // message the connection has dropped. Returns what `give` returned.
  bool offer(Outbound message, const Give& give);
  // The state of the service's latest handle holds every message up to
  // `index` of this connection: they will never be sent again.
  void consumed(int64_t index);
  // A new connection carries the session from here: returns what is to be
  // sent there first (what is left, oldest first, when it resumes
  // `transparently` at the handle of the last consumed(); else nothing), and
  // numbering starts over. The messages returned are recorded again as they
  // are offered to the new connection.
  std::deque<Outbound> restart(bool transparently);

  std::size_t size() const;
  std::size_t bytes() const;
  // The index the next message taken gets.
  int64_t next_index() const;
  // Messages the bound dropped so far.
  uint64_t overflowed() const;

 private:
  struct Entry {
    uint64_t tag;  // in offer order, never reused
    Outbound message;
  };
  void forget_locked(uint64_t tag);

  const std::size_t max_bytes_;
  const std::function<void()> on_overflow_;
  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // consecutive indexes from first_
  int64_t first_ = kFirstClientMessageIndex;
  std::size_t bytes_ = 0;
  uint64_t next_tag_ = 1;        // 0: a message the log does not know
  uint64_t connection_tag_ = 1;  // the first tag of the current connection
  uint64_t overflowed_ = 0;
  bool over_ = false;  // dropping since the log was last within its bound
};

}  // namespace geminilive::session
