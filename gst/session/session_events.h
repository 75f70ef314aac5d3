// What a session tells the code above it. Everything is delivered on the
// session's event-loop thread; observers must not block and must not call
// back into the session or channel from inside a callback.
#pragma once

#include <string>

#include "protocol/server_message.h"

namespace geminilive::session {

enum class SessionState {
  Idle,        // created, not started
  Connecting,  // WebSocket handshake under way
  SettingUp,   // setup sent, waiting for setupComplete
  Ready,       // streaming both ways
  Finishing,   // input ended; waiting for the model's turn to end
  Finished,    // the answer is complete: sources drain and end
  Closed,      // stopped by its owner
  Failed,      // ended by an error (see SessionError)
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

class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  virtual void on_state(SessionState state) {}
  // Every decoded server message, each field of it (see ServerMessage).
  virtual void on_message(const protocol::ServerMessage& message) {}
  // A problem the session survives (a malformed message it skipped, ...).
  virtual void on_warning(const std::string& text) {}
  // The session failed; no further messages follow.
  virtual void on_error(const SessionError& error) {}
};

}  // namespace geminilive::session
