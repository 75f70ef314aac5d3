// SPDX-License-Identifier: LGPL-2.1-or-later
// One Live session: connect, send setup, wait for setupComplete, then stream
// client messages out and server messages in, until the input ends and the
// model's turn is over (or an error). The state machine runs on an
// EventLoopThread; send() may be called from any thread and never blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/client_message.h"
#include "session/session_config.h"
#include "session/session_error.h"
#include "session/session_events.h"
#include "session/session_setup.h"

namespace geminilive::session {

// The thread sessions run on: every connection, timer and observer call of
// its sessions happens there. Opaque; get one with shared_session_loop() or
// new_session_loop().
class SessionLoop;

struct SessionStats {
  uint64_t messages_sent = 0;
  uint64_t audio_bytes_sent = 0;  // raw PCM bytes (before base64)
  uint64_t video_frames_sent = 0;
  uint64_t video_frames_replaced = 0;  // newer frames took their place before sending
  uint64_t messages_received = 0;
  uint64_t audio_bytes_received = 0;  // raw PCM bytes of model audio
  uint64_t reconnections = 0;         // connections that took the session over (goAway switches and reconnects)
  // Transparent resumption: messages sent again to a new connection because
  // the state it resumed lacked them (also counted in messages_sent).
  uint64_t messages_replayed = 0;
  uint64_t queued_bytes = 0;    // encoded input waiting for the connection (at most its budget)
  uint64_t uplink_dropped = 0;  // live audio/video messages dropped because the connection fell behind
};

class LiveSession {
 public:
  // The observer gets every event (a Channel fans them out to elements).
  // Sessions share the process's event-loop threads (shared_session_loop()) unless given one.
  static std::shared_ptr<LiveSession> create(SessionConfig config, std::shared_ptr<SessionObserver> observer,
                                             std::shared_ptr<SessionLoop> loop = nullptr);
  virtual ~LiveSession() = default;

  // Starts connecting in the background; events report progress.
  virtual void start() = 0;

  // Queues a message. Any thread, never blocks, encodes on the caller's
  // thread. Messages are held until setupComplete, then sent in order.
  virtual void send(const protocol::ClientMessage& message) = 0;
  // A video frame: while frames wait (before setupComplete), a newer frame
  // replaces the waiting one: the model should see the screen as it is now.
  virtual void send_video_frame(protocol::Blob frame) = 0;

  // Changes the system instruction and/or tools for the rest of the session,
  // in order with the other input: a contextUpdate where the model takes one
  // (SessionConfig::context_update), else a switch to a new connection whose
  // setup carries the change, resuming the conversation and losing no input
  // (afresh, with a warning, when there is no handle to resume at).
  // Every later (re)connection's setup carries it too. The observer's
  // on_context_changed() says when it is in effect. Any thread.
  virtual void update_context(ContextChange change) = 0;

  // Sends a function response. Returns false, and drops it with a debug
  // line, when its call was cancelled by the service, already answered
  // with an error by the tool timeout, or lost with the connection that made
  // it (tool_calls.h), or when the session is over. A will_continue response
  // keeps the call open; the final one closes it. Any thread, never blocks.
  virtual bool send_tool_response(protocol::FunctionResponse response) = 0;

  // The input is over: sends audioStreamEnd when `audio_stream_end` (the
  // audio pad was linked), then waits for the model's turn to end (bounded by
  // the config's timeouts), then moves to Finished. Without audio, when no
  // reply is under way and no text (or other input asking a reply) was sent
  // after the last turnComplete, it moves to Finished at once.
  virtual void end_input(bool audio_stream_end) = 0;

  // Closes the connection (1000). After it returns no observer call runs.
  // Must not be called from inside an observer callback.
  virtual void stop() = 0;

  // Whether input sent now goes out without dropping any: true while
  // streaming, or while the held input (before setupComplete, while
  // reconnecting) is well below its limit. A non-live input waits while it
  // is false, so a file loses nothing; a live one never waits.
  virtual bool has_room() const = 0;

  virtual SessionState state() const = 0;
  virtual SessionStats stats() const = 0;
};

// Why `config` can't start a session (a settings error in words: no key, an
// endpoint that is not a WebSocket URI, an unusable CA file, a setup that is
// not UTF-8), or nothing. start() fails with it; geminilivesink checks it in
// READY→PAUSED so that the state change fails in words.
std::optional<SessionError> check_config(const SessionConfig& config);

// The process's shared event-loop thread for sessions, created on first use;
// it ends with the last session or holder. A loop serves up to
// kSessionsPerLoop holders: past that, this returns the least used one, or a
// new loop when every one is full.
constexpr long kSessionsPerLoop = 16;
std::shared_ptr<SessionLoop> shared_session_loop();
// A thread of its own, named `name`, for sessions that must not share the
// process's one.
std::shared_ptr<SessionLoop> new_session_loop(const std::string& name);

}  // namespace geminilive::session
