// SPDX-License-Identifier: LGPL-2.1-or-later
// The rendezvous between geminilivesink (which owns the session) and the
// geminilivesrc taps, by a channel name: a process-wide registry, like the
// inter elements' surfaces. Either side may come first; taps stay subscribed
// when the sink's session is replaced (a restart, or a reconnection).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "session/session_events.h"

namespace geminilive::session {

class LiveSession;

class Channel : public SessionObserver, public std::enable_shared_from_this<Channel> {
 public:
  // The channel of that name, created on first use; it lives while anyone
  // holds it.
  static std::shared_ptr<Channel> acquire(const std::string& name);
  ~Channel() override;

  const std::string& name() const { return name_; }

  // Adds a tap; it gets every session event from now on, including those of
  // sessions published later. A tap that `reports_latency` (a geminilivesrc
  // that plays the answer) posts each turn's latency itself.
  void add_tap(std::shared_ptr<SessionObserver> tap, bool reports_latency = false);
  // After it returns, the tap gets no further call.
  void remove_tap(const SessionObserver* tap);

  // The sink claims the channel; false when another sink already has it.
  bool claim_owner(const void* owner);
  void release_owner(const void* owner);

  // SessionObserver: fans each event out to the taps, in order.
  void on_state(SessionState state) override;
  void on_message(const protocol::ServerMessage& message) override;
  void on_reply_started(const ReplyStart& start) override;
  void on_warning(const std::string& text) override;
  void on_reconnecting(const Reconnection& reconnection) override;
  void on_resumed(const Resumption& resumption) override;
  void on_context_changed(const ContextApplied& applied) override;
  void on_room() override;
  void on_error(const SessionError& error) override;

  // The last state published (for a tap that arrives late).
  SessionState last_state() const;
  // Whether a tap that reports each turn's latency is subscribed (lock-free:
  // a tap may ask from inside its callback).
  bool latency_reported() const { return latency_tap_count_ > 0; }

 private:
  explicit Channel(std::string name);

  template <typename Fn>
  void fan_out(Fn&& fn) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& tap : taps_) fn(*tap);
  }

  const std::string name_;
  mutable std::mutex mutex_;  // held while fanning out: remove_tap waits for a running call
  std::vector<std::shared_ptr<SessionObserver>> taps_;
  std::vector<const SessionObserver*> latency_taps_;
  std::atomic<std::size_t> latency_tap_count_{0};
  const void* owner_ = nullptr;
  SessionState last_state_ = SessionState::Idle;
};

}  // namespace geminilive::session
