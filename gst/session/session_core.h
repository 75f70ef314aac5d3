// SPDX-License-Identifier: LGPL-2.1-or-later
// The session proper behind LiveSession (live_session.h is its public face):
// it takes input on any thread, connects, sends each connection its setup
// and routes what its connections say (session_connection.cpp) to the parts
// with one job each, which it holds and serves as their SessionHost
// (session_host.h): how the session ends (finisher.h), reconnecting after a
// drop (reconnector.h), moving to a new connection while the current one
// works (switchover.h), what a new connection carries over (carryover.h),
// the tool-call timeouts (tool_call_watch.h). What they share is in units of
// their own: the connection set and its resumption handle (connections.h),
// every timer (session_timers.h), the send path (outbox.h), the stored setup
// (session_setup.h), the turn (turn_tracker.h).
// LiveSession's handle owns it for the user; posted tasks, timers and
// listener calls hold it only weakly, so whatever thread drops the handle
// tears the session down, and a callback under way keeps the core (not the
// connection) alive until it returns. Internal to gst/session.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "session/carryover.h"
#include "session/connections.h"
#include "session/finisher.h"
#include "session/live_session.h"
#include "session/outbox.h"
#include "session/reconnector.h"
#include "session/session_host.h"
#include "session/session_loop.h"
#include "session/session_setup.h"
#include "session/session_timers.h"
#include "session/switchover.h"
#include "session/tool_call_watch.h"
#include "session/turn_tracker.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

class SessionCore final : public std::enable_shared_from_this<SessionCore>, private SessionHost {
 public:
  SessionCore(SessionConfig config, std::shared_ptr<SessionObserver> observer, std::shared_ptr<SessionLoop> loop);

  // ---- any thread ----

  void start() {
    post([](SessionCore& s) { s.begin(); });
  }
  bool enqueue(Outbound message, bool latest_frame);
  void update_context(const ContextChange& change);
  bool respond(protocol::FunctionResponse response);
  void end_input(bool audio_stream_end);
  // The caller holds the handle, so `this` outlives the wait.
  void stop() {
    loop_->run_sync([this] { teardown(); });
  }
  SessionState state() const override { return state_.load(); }
  bool has_room() const { return out_.has_room(); }
  SessionStats stats() const {
    SessionStats s = out_.stats();
    s.messages_replayed = carryover_.replayed();
    return s;
  }

 private:
  using Wait = SessionTimers::Wait;
  using Timer = SessionTimers::Timer;

  template <typename Fn>
  void post(Fn fn) {
    loop_->post([weak = weak_from_this(), fn] {
      if (auto self = weak.lock()) fn(*self);
    });
  }

  // ---- loop thread: connections (session_connection.cpp) ----
  void begin();
  transport::WebSocketListener listener_for(uint64_t generation);
  // Runs a listener call of a connection the session still uses (a
  // replaced client's late calls are ignored).
  template <typename Fn>
  void dispatch(uint64_t generation, Fn&& fn) {
    const std::optional<Role> role = conns_.role_of(generation);
    if (torn_down_ || !role) return;
    ++in_callback_;
    fn(*role);
    --in_callback_;
  }
  void access_token_came(uint64_t generation, const std::shared_ptr<transport::WebSocketClient>& client,
                         const std::string& token, const std::string& error);
  void opened(Role role);
  void received(Role role, uint64_t generation, std::string_view payload);
  void closed(Role role, uint64_t generation, const transport::CloseInfo& info);
  void moved(const Link& link);

  // ---- loop thread: the rest (session_core.cpp) ----
  void become_ready();
  void deadline_passed();
  void teardown();
  void report_dropped();
  // Observer code is user code: it must not unwind into GLib, and it may
  // drop the session's handle, so the observer is held for the call.
  template <typename Fn>
  void emit(Fn&& fn) {
    if (torn_down_ || !observer_) return;
    std::shared_ptr<SessionObserver> observer = observer_;
    ++in_callback_;
    try {
      fn(*observer);
    } catch (const std::exception& e) {
      observer_threw(e.what());
    } catch (...) {
      observer_threw(nullptr);
    }
    --in_callback_;
  }
  static void observer_threw(const char* what);
  // A callback that holds the core for its run (nothing once it is gone).
  template <typename Fn>
  std::function<void()> held(Fn fn) {
    return [weak = weak_from_this(), fn] {
      if (auto self = weak.lock()) fn();
    };
  }

  // ---- SessionHost (loop thread) ----
  bool torn_down() const override { return torn_down_; }
  void set_state(SessionState s) override;
  void notify(const std::function<void(SessionObserver&)>& call) override { emit(call); }
  void warn(const std::string& text) override;
  void after(Timer timer, std::chrono::milliseconds delay, std::function<void()> fn) override {
    timers_.start(timer, delay, held(std::move(fn)));
  }
  void cancel(Timer timer) override { timers_.cancel(timer); }
  void arm(Wait what) override;
  void disarm() override { timers_.disarm(); }
  uint64_t open_connection(bool handover) override;
  void retire(std::shared_ptr<transport::WebSocketClient> client) override;
  void send(Outbound message) override { enqueue(std::move(message), false); }
  SessionError close_error(const transport::CloseInfo& info) const override;
  void fail(const SessionError& error) override { finisher_.fail(error); }

  const SessionConfig config_;
  const std::shared_ptr<SessionLoop> owner_;  // keeps the process's shared loop shared
  const std::shared_ptr<transport::EventLoopThread> loop_;
  SessionSetup setup_;                                   // thread-safe: the setup with context changes
  std::atomic<SessionState> state_{SessionState::Idle};  // written on the loop
  std::atomic<bool> end_input_called_{false};
  Outbox out_;  // thread-safe: the client, held input, stats

  // The parts (loop thread, but for what says otherwise).
  Connections conns_;     // current, next, draining; the resumption handle; goAway
  Carryover carryover_;   // the handle's updates, the replay log (thread-safe), the history
  ToolCallWatch tools_;   // respond(): any thread
  SessionTimers timers_;  // the phase deadline and the other four timers
  TurnTracker turns_;
  Finisher finisher_;
  Reconnector reconnector_;
  Switchover switchover_;

  // Loop thread only.
  std::shared_ptr<SessionObserver> observer_;
  int in_callback_ = 0;  // listener or observer calls under way
  bool torn_down_ = false;
};

}  // namespace geminilive::session
