// SPDX-License-Identifier: LGPL-2.1-or-later
// What a session tells the code above it. Everything is delivered on the
// session's event-loop thread; observers must not block and must not call
// back into the session or channel from inside a callback.
#pragma once

#include <chrono>
#include <string>

#include "protocol/server_message.h"
#include "session/turn_timing.h"

namespace geminilive::session {

enum class SessionState {
  Idle,          // created, not started
  Connecting,    // WebSocket handshake under way
  SettingUp,     // setup sent, waiting for setupComplete
  Ready,         // streaming both ways
  Reconnecting,  // the connection dropped: input is held while a new one resumes the session
  Finishing,     // input ended; waiting for the model's turn to end
  Finished,      // the answer is complete: sources drain and end
  Closed,        // stopped by its owner
  Failed,        // ended by an error (see SessionError)
};

const char* session_state_name(SessionState state);

// Why a session failed, in words for the user and a kind for the element's
// error domain (see docs/troubleshooting.md, and the anchors' A6 mapping).
struct SessionError {
  enum class Kind {
    Settings,         // our configuration: missing key, bad URI       -> LIBRARY/SETTINGS
    Unauthorized,     // key refused: 1008 "API key not valid", 401/403 -> RESOURCE/NOT_AUTHORIZED
    NotFound,         // model or resumption handle not found (1008)     -> RESOURCE/NOT_FOUND
    InvalidArgument,  // 1007 "Request contains an invalid argument."     -> RESOURCE/SETTINGS
    Connect,          // DNS, TCP, TLS or HTTP upgrade failure            -> RESOURCE/OPEN_READ_WRITE
    Closed,           // the service closed or dropped the connection     -> STREAM/FAILED
  };
  Kind kind = Kind::Closed;
  int close_code = 0;   // the WebSocket close code, 0 when none
  std::string reason;   // the service's own words (close reason or connect error)
  std::string message;  // one sentence for the user, naming what to do where possible
};

// The session is moving to a new connection. After a goAway it opens the
// next connection while the old one still works (attempt 0, no delay, no
// input held); after a drop it waits `delay`, then reconnects, holding input.
struct Reconnection {
  enum class Cause { GoAway, Dropped };
  Cause cause = Cause::Dropped;
  unsigned attempt = 0;  // 1, 2, ... in a row after drops; 0 for a goAway switch
  std::chrono::milliseconds delay{0};
  int close_code = 0;     // of the connection that ended; 0 for a goAway
  std::string reason;     // why, in words ("Internal error encountered.", "the connection stalled...")
  bool resuming = false;  // with a resumption handle: the model keeps the conversation
};

// A new connection carries the session (after setupComplete).
struct Resumption {
  Reconnection::Cause cause = Reconnection::Cause::Dropped;
  unsigned attempts = 0;                // connections tried for it (0 for a goAway switch)
  bool resumed = false;                 // with a handle; false: a fresh conversation
  std::chrono::milliseconds outage{0};  // from the drop to Ready again (0 for a goAway switch)
};

// A context change (LiveSession::update_context()) is in effect: sent as a
// contextUpdate, or carried by a new connection's setup, which is Ready.
struct ContextApplied {
  bool reconnected = false;  // a new connection's setup carries it (no contextUpdate)
  bool resumed = false;      // that connection resumed the conversation; false: it started afresh
};

class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void on_state(SessionState state) {}
  // Every decoded server message, each field of it (see ServerMessage).
  virtual void on_message(const protocol::ServerMessage& message) {}
  // The model's reply started: called just before on_message() of the
  // message that started it, with the turn's instants (turn_timing.h).
  virtual void on_reply_started(const ReplyStart& start) {}
  // A problem the session survives (a malformed message it skipped, ...).
  virtual void on_warning(const std::string& text) {}
  virtual void on_reconnecting(const Reconnection& reconnection) {}
  virtual void on_resumed(const Resumption& resumption) {}
  virtual void on_context_changed(const ContextApplied& applied) {}
  // The session can take input again (its send queue fell below half its
  // budget, or held input went out): an input that waits for room goes on.
  virtual void on_room() {}
  // The session failed; no further messages follow.
  virtual void on_error(const SessionError& error) {}
};

}  // namespace geminilive::session
