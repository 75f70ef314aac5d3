// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive's local Live server: a libsoup 3 SoupServer that speaks the
// BidiGenerateContent protocol the way the service does (see
// ../shared/research/live-protocol.md §7 and docs/mock-server.md). It runs on
// its own EventLoopThread, so tests use it in-process and
// geminilive-mock-server wraps it in a program.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace geminilive::mock {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port

  // When set, a connection whose key (`key=`, `access_token=`,
  // x-goog-api-key or Authorization) differs is closed with 1008
  // "API key not valid. Please pass a valid API key.".
  std::optional<std::string> api_key;
  // Vertex AI (…/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/
  // BidiGenerateContent): the OAuth bearer tokens accepted; another bearer,
  // or none, is refused with HTTP 401 at the upgrade. Empty: any bearer.
  // Ephemeral tokens (the Constrained method) are minted by
  // POST /v1alpha/auth_tokens, checked against api_key like the Live path.
  std::vector<std::string> access_tokens;

  bool text_frames = false;   // JSON in text frames instead of binary ones
  std::string tls_cert_file;  // PEM; with tls_key_file the server speaks wss://
  std::string tls_key_file;

  // Reply shape.
  std::chrono::milliseconds first_reply_delay{0};  // before the first chunk
  std::chrono::milliseconds reply_chunk{200};      // audio per inlineData chunk
  double reply_speed = 4.0;                        // reply audio produced at N × real time; 0: at once

  // Server-side end-of-speech detection on realtime audio.
  std::chrono::milliseconds end_of_speech_silence{600};

  // Scripted faults, measured from setupComplete of each connection (0: off).
  std::chrono::milliseconds go_away_after{0};
  std::chrono::milliseconds go_away_time_left{50000};  // sent as timeLeft; then close
  std::chrono::milliseconds drop_after{0};             // abrupt: no close frame
  unsigned drop_count = 0;                             // drop_after applies to the first N setups only; 0: all
  std::chrono::milliseconds close_after{0};            // close with code/reason below
  int close_code = 1011;
  std::string close_reason = "Internal error encountered.";
  // Server-wide: every N the most recent connection is dropped (0: off),
  // whatever goAway switches happened meanwhile (for soak runs).
  std::chrono::milliseconds drop_every{0};
  // Close every setup with this code and reason instead of setupComplete
  // (0: off), as the service does with a setup it refuses.
  int setup_close_code = 0;
  std::string setup_close_reason = "Request contains an invalid argument.";

  // When set, every turn first calls this function (if the setup declares
  // it). A BLOCKING call waits for the toolResponse and mentions its output in
  // the reply; a NON_BLOCKING one (the default on gemini-3.8 models) goes on
  // talking, and the response's `scheduling` decides when it is answered.
  std::string tool_call;
  // Sends toolCallCancellation for a call still pending this long after its
  // toolCall (0: off), as the service does when it gives up on a call.
  std::chrono::milliseconds cancel_tool_after{0};

  // Receives one line per event (connection, setup, turn, close); called on
  // the server's thread. Never given keys. Empty: GStreamer debug log only.
  std::function<void(const std::string&)> log;
};

// What the server has received, for tests and the program's summary.
struct ServerStats {
  unsigned connections = 0;
  unsigned setups = 0;
  unsigned resumed = 0;  // setups that carried a known handle
  uint64_t audio_bytes = 0;
  // Of all realtime audio bytes, connection after connection (each in
  // arrival order). Empty in the stats wait_for() predicates see.
  std::string audio_sha256;
  // The realtime audio in the state of the session the latest setup started
  // or resumed, in order: what the model heard in that conversation. With
  // transparent resumption a resumed state holds the audio up to its
  // handle's lastConsumedClientMessageIndex, then what came after the setup:
  // a client that sends again exactly what the state lacks makes this equal
  // its input; one that does not shows a gap, one that sends too much a
  // repeat.
  uint64_t session_audio_bytes = 0;
  std::string session_audio_sha256;
  unsigned video_frames = 0;
  unsigned last_frame_width = 0;
  unsigned last_frame_height = 0;
  std::string last_frame_mime;
  std::vector<std::string> texts;  // realtime and clientContent text, in order
  unsigned turns_started = 0;
  unsigned turns_completed = 0;
  unsigned interruptions = 0;
  unsigned tool_calls = 0;                  // function calls sent in toolCall messages
  unsigned tool_responses = 0;              // function responses accepted (each willContinue part counts)
  unsigned tool_cancellations = 0;          // call ids sent in toolCallCancellation
  unsigned ignored_tool_responses = 0;      // responses for unknown or cancelled ids (logged, dropped)
  unsigned context_updates = 0;             // contextUpdate messages applied
  unsigned history_turns = 0;               // clientContent turns taken as initial history
  unsigned voice_activity_starts = 0;       // voiceActivity ACTIVITY_START sent
  unsigned voice_activity_ends = 0;         // voiceActivity ACTIVITY_END sent
  std::string model;                        // of the last accepted setup
  std::string system_instruction;           // text in effect on the latest connection (setup or contextUpdate)
  std::vector<std::string> function_names;  // declared functions in effect on the latest connection
  std::string last_setup_json;              // as received
  std::string last_request_path;            // the upgrade request's path
  std::string last_credential;     // what proved the last upgrade: "API key", "ephemeral token", "bearer N", ...
  std::vector<int> bearer_tokens;  // per Vertex upgrade: index in ServerOptions::access_tokens, -1 another
  unsigned tokens_minted = 0;      // by POST /v1alpha/auth_tokens
};

class LiveServer {
 public:
  explicit LiveServer(ServerOptions options = {});
  ~LiveServer();

  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  // Binds and starts serving on the server's own thread.
  bool start(std::string* error);
  std::string uri() const;  // "ws://127.0.0.1:PORT" (wss:// with TLS)
  uint16_t port() const;

  ServerStats stats() const;
  // Every client frame received, as text, in order, across connections.
  std::vector<std::string> received_messages() const;
  // Waits until `pred` holds for the stats (true) or the timeout passes.
  bool wait_for(const std::function<bool(const ServerStats&)>& pred, std::chrono::milliseconds timeout) const;

  // Hooks acting on the most recent connection, for tests.
  void send_raw(std::string payload, bool binary);
  void close_connection(int code, std::string reason);
  void drop_connection();
  // The server stops: no frame, no pong, no read, on any connection, for
  // `duration` (its thread is blocked, as a hung process would be; the
  // kernel still acknowledges TCP). Returns at once.
  void stall(std::chrono::milliseconds duration);
  // Every handle issued so far becomes unknown (as when they expire).
  void forget_handles();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace geminilive::mock
