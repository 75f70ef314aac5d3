// SPDX-License-Identifier: LGPL-2.1-or-later
// A session's send path, shared by the threads that send and the session's
// loop: the current connection's client, the input held while no connection
// streams (before setupComplete, while reconnecting or switching), and the
// counts. Each message goes to exactly one connection, in order: one sent
// while the held input is released goes after it. Thread-safe; the methods
// marked "loop" are the session's state machine's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "session/held_messages.h"
#include "session/live_session.h"
#include "session/replay_log.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

class Outbox {
 public:
  // `hold_refused`: a message a just-closed connection refuses waits for the
  // next one (resumption is on). `context_sent` runs (under the lock: it
  // must only post) when a contextUpdate has gone to the transport.
  Outbox(HeldMessages::Limits limits, bool hold_refused, std::function<void()> context_sent)
      : limits_(limits), hold_refused_(hold_refused), held_(limits), context_sent_(std::move(context_sent)) {}

  struct Taken {
    bool accepted = false;    // false: the session takes no more input
    bool first_drop = false;  // held audio started to be dropped: report it
  };
  // Any thread: straight to the connection while streaming, else held (a
  // latest frame replaces a waiting one).
  Taken take(Outbound message, bool latest_frame);
  // `room`: the session can take input again (the connection's queue fell
  // below half its budget, or held input went out). `warn`: live media is
  // being dropped because the connection falls behind. Both run under the
  // lock or on the loop: they must only post.
  void set_hooks(std::function<void()> room, std::function<void(std::string)> warn);
  // Whether input sent now fits without dropping any (see LiveSession::has_room()).
  bool has_room() const;
  SessionStats stats() const;
  void count_received(uint64_t model_audio_bytes);
  // Whether an input that asks a reply went out since the last answer.
  bool unanswered() const;
  void answered();

  // ---- loop ----
  // Transparent resumption: every message a connection accepts after its
  // setup is recorded in `log` too (before any input; null: none).
  void record_into(ReplayLog* log) { replay_ = log; }
  std::shared_ptr<transport::WebSocketClient> client() const;
  // Returns the client it replaces.
  std::shared_ptr<transport::WebSocketClient> set_client(std::shared_ptr<transport::WebSocketClient> client);
  // The setup, on the current client (never held: it is for that connection).
  void send_setup(Outbound setup);
  // From here input is held: for a new connection, or the next one, whose
  // setup goes out in the same step when given.
  void hold(transport::WebSocketClient* next = nullptr, std::string setup = {});
  // The current client (swapped for `client` when given) takes `first` (the
  // history), then `replayed` (transparent resumption), then the held input,
  // and streams from here.
  std::shared_ptr<transport::WebSocketClient> release(const Outbound* first,
                                                      std::shared_ptr<transport::WebSocketClient> client = nullptr,
                                                      bool reconnection = false, std::deque<Outbound> replayed = {});
  Dropped take_dropped();
  // No more input; returns the client (cleared when `take_client`).
  std::shared_ptr<transport::WebSocketClient> stop(bool take_client = false);

 private:
  void deliver_locked(Outbound& m, bool hold_if_refused = true, bool recorded = true);
  void watch_room_locked();

  std::function<void()> room_;
  std::function<void(std::string)> warn_;
  bool uplink_drop_reported_ = false;  // re-armed when the queue has room again
  const HeldMessages::Limits limits_;
  const bool hold_refused_;
  mutable std::mutex mutex_;
  std::shared_ptr<transport::WebSocketClient> client_;
  bool accepting_ = true;   // send() takes messages
  bool streaming_ = false;  // straight to the transport
  HeldMessages held_;
  bool drop_reported_ = false;
  bool unanswered_ = false;
  SessionStats stats_;
  std::function<void()> context_sent_;
  ReplayLog* replay_ = nullptr;
};

}  // namespace geminilive::session
