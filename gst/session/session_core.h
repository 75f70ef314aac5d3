// SPDX-License-Identifier: LGPL-2.1-or-later
// The session proper behind LiveSession (live_session.h is its public face):
// the state machine that connects and handles its connections' events
// (session_connection.cpp), sends the setup, streams, switches to a new
// connection (switchover.cpp) and ends (session_core.cpp). What it holds is
// in units of their own: the connection set and its resumption handle
// (connections.h), the reconnect policy (reconnect_policy.h), every timer
// (session_timers.h), the send path (outbox.h), the stored setup
// (session_setup.h), the tool calls (tool_calls.h), the turn (turn_tracker.h).
// LiveSession's handle owns it for
// the user; posted tasks, timers and listener calls hold it only weakly, so
// whatever thread drops the handle tears the session down, and a callback
// under way keeps the core (not the connection) alive until it returns.
// Internal to gst/session.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "session/connections.h"
#include "session/live_session.h"
#include "session/outbox.h"
#include "session/reconnect_policy.h"
#include "session/replay_log.h"
#include "session/session_loop.h"
#include "session/session_setup.h"
#include "session/session_timers.h"
#include "session/tool_calls.h"
#include "session/turn_tracker.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

// Finished, Closed or Failed: nothing more is sent or reported.
inline bool is_terminal(SessionState s) {
  return s == SessionState::Finished || s == SessionState::Closed || s == SessionState::Failed;
}

class SessionCore : public std::enable_shared_from_this<SessionCore> {
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
  SessionState state() const { return state_.load(); }
  bool has_room() const { return out_.has_room(); }
  SessionStats stats() const {
    SessionStats s = out_.stats();
    s.messages_replayed = replayed_.load();
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

  // ---- loop thread: connection (session_connection.cpp) ----
  void begin();
  uint64_t open_connection(bool handover);
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
  void opened(Role role);
  void received(Role role, uint64_t generation, std::string_view payload);
  void closed(Role role, uint64_t generation, const transport::CloseInfo& info);
  void resumption_update(const protocol::SessionResumptionUpdate& update);
  void note_setup(Link& link, const SessionSetup::Message& setup);
  std::deque<Outbound> replay_onto(const Link& link);

  // ---- loop thread: function calls (session_connection.cpp) ----
  void tool_call_received(const protocol::ToolCall& call, Role role);
  void abandon_calls(bool resumes);
  void arm_tool_timer();
  void tool_deadline();

  // ---- loop thread: moving to a new connection (switchover.cpp) ----
  void begin_switch();
  bool context_stale() const;
  void report_context(bool reconnected);
  void complete_switch();
  void end_draining(uint64_t generation, bool close);
  const Outbound* history() const;
  void stay_on_current(const std::string& what, const std::string& why);
  void promote_next();
  void enter_reconnecting();
  void reconnect_after(const transport::CloseInfo& info);
  void cut_reply();

  // ---- loop thread: the session's phases (session_core.cpp) ----
  void become_ready();
  void input_ended(bool audio_stream_end);
  void enter_finishing();
  void after_turn_events(const TurnEvents& turn);
  void finish();
  void fail(const SessionError& error);
  void teardown();

  // ---- loop thread: helpers (session_core.cpp) ----
  void set_state(SessionState s);
  void emit_warning(const std::string& text);
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
  void report_dropped();
  void replay_overflowed();
  void close_connection();
  void retire(std::shared_ptr<transport::WebSocketClient> client);
  // A callback that holds the core for its run (nothing once it is gone).
  template <typename Fn>
  std::function<void()> held(Fn fn) {
    return [weak = weak_from_this(), fn] {
      if (auto self = weak.lock()) fn();
    };
  }
  // A timer whose callback holds the core for its run; teardown cancels it.
  template <typename Fn>
  void after(Timer timer, std::chrono::milliseconds delay, Fn fn) {
    timers_.start(timer, delay, held(std::move(fn)));
  }
  void arm(Wait what);
  void disarm();
  void deadline_passed();

  const SessionConfig config_;
  const std::shared_ptr<SessionLoop> owner_;  // keeps the process's shared loop shared
  const std::shared_ptr<transport::EventLoopThread> loop_;
  SessionSetup setup_;                                   // thread-safe: the setup with context changes
  ToolCalls calls_;                                      // thread-safe
  std::atomic<SessionState> state_{SessionState::Idle};  // written on the loop
  std::atomic<bool> end_input_called_{false};

  Outbox out_;  // thread-safe: the client, held input, stats
  // Transparent resumption (null: off): what the current connection was
  // sent and its state may lack. Thread-safe.
  const std::unique_ptr<ReplayLog> replay_;
  std::atomic<uint64_t> replayed_{0};
  const Outbound history_;  // sent first on a connection that does not resume

  // Loop thread only.
  std::shared_ptr<SessionObserver> observer_;
  Connections conns_;              // current, next, draining; the resumption handle; goAway
  uint64_t reported_version_ = 0;  // the last reported by on_context_changed (without contextUpdate)
  uint64_t context_given_up_ = 0;  // a version whose switch failed
  ReconnectPolicy reconnect_;      // reconnections in a row after drops, their delays, the outage
  SessionTimers timers_;           // the phase deadline and the other four timers
  int in_callback_ = 0;            // listener or observer calls under way
  bool torn_down_ = false;
  bool input_ended_ = false;
  bool audio_stream_ended_ = false;  // end_input() sent audioStreamEnd
  TurnTracker turns_;
};

}  // namespace geminilive::session
