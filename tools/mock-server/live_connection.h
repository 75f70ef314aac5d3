// SPDX-License-Identifier: LGPL-2.1-or-later
// One BidiGenerateContent WebSocket connection of the local Live server: the
// protocol state machine (setup, turn detection, replies, barge-in, tool
// calls, resumption, scripted faults). Lives on the server thread; every
// method must be called there. Its members are defined in:
//   live_connection.cpp   lifecycle, frames, setup, faults, sending
//   connection_input.cpp  realtime input (VAD), clientContent, contextUpdate
//   connection_turns.cpp  turns: reply plans, pacing, barge-in, completion
//   connection_tools.cpp  function calls: toolCall, toolResponse, cancellation
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builtin_tools.h"
#include "common/gobject_ptr.h"
#include "live_server.h"
#include "model_table.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "server_state.h"
#include "session_store.h"
#include "token_store.h"
#include "transport/source_timer.h"
#include "turn_input.h"

namespace geminilive::mock {

class LiveConnection;

// What a connection shares with its server; all of it outlives the connection.
struct ConnectionEnv {
  const ServerOptions* options = nullptr;
  ServerState* state = nullptr;
  SessionStore* sessions = nullptr;
  TokenStore* tokens = nullptr;
  GMainContext* context = nullptr;
  unsigned* next_call_id = nullptr;  // server-wide function-call counter
  // Called once when the socket has closed; the server deletes the
  // connection later, never from inside this call.
  std::function<void(LiveConnection*)> on_finished;
};

// Facts from the upgrade request.
struct UpgradeInfo {
  unsigned number = 0;      // 1, 2, ... per server, for logs
  std::string api_version;  // "v1beta" | "v1alpha" | "v1beta1" | "v1", from the path
  bool key_ok = true;
  std::string refusal;  // the 1008 reason when !key_ok ("": a bad API key)
  std::string token;    // the ephemeral token it carries (Constrained); never logged
  bool vertex = false;  // the Vertex AI path: model names are resource paths
};

class LiveConnection {
 public:
  // Takes a reference on `ws` and `socket` (the raw TCP socket, for drops).
  LiveConnection(ConnectionEnv env, UpgradeInfo info, SoupWebsocketConnection* ws, GSocket* socket);
  ~LiveConnection();

  LiveConnection(const LiveConnection&) = delete;
  LiveConnection& operator=(const LiveConnection&) = delete;

  // Test hooks.
  void send_raw(const std::string& payload, bool binary);
  // Close frame with `code` and `reason` (cut to the 123-byte WS limit).
  void close(int code, const std::string& reason);
  // Ends the TCP connection without a close frame.
  void drop();

  bool finished() const { return finished_; }

 private:
  enum class Phase { AwaitSetup, Ready, Closing };
  enum class TurnPhase {
    None,         // waiting for user input
    Generating,   // a reply plan is running
    AwaitingTool  // toolCall sent, waiting for the toolResponse
  };

  // One timed message of a reply plan.
  struct Step {
    enum class Kind { Content, ToolCall, GenerationComplete, TurnComplete };
    Kind kind = Kind::Content;
    gint64 at_us = 0;  // from the plan's start
    protocol::ServerMessage message;
    std::size_t audio_bytes = 0;  // reply audio carried
    std::size_t text_chars = 0;   // reply text carried
    bool blocking = true;         // ToolCall: the turn waits for the response
  };

  struct Turn {
    TurnInput input;
    std::vector<Step> steps;
    std::size_t next = 0;
    gint64 start_us = 0;  // monotonic
    std::size_t sent_audio_bytes = 0;
    std::size_t sent_text_chars = 0;
    std::vector<std::string> call_ids;  // of the toolCall sent in this turn
    bool tool_result = false;           // the model answers a NON_BLOCKING call's response
  };

  // A function call sent and not yet answered (finally) nor cancelled.
  struct PendingCall {
    std::string name;
    bool blocking = true;
    std::unique_ptr<transport::SourceTimer> cancel_timer;  // ServerOptions::cancel_tool_after
  };

  static void on_message_cb(SoupWebsocketConnection* ws, gint type, GBytes* message, gpointer self);
  static void on_closed_cb(SoupWebsocketConnection* ws, gpointer self);
  static void on_error_cb(SoupWebsocketConnection* ws, GError* error, gpointer self);

  void log(const std::string& line) const;
  void handle_frame(std::string_view payload);
  void handle_setup(const protocol::Setup& setup);
  void handle_realtime(const protocol::RealtimeInput& input);
  void handle_client_content(const protocol::ClientContent& content);
  void handle_context_update(const protocol::ContextUpdate& update);
  void handle_audio(const protocol::Blob& blob);
  void handle_frame_image(const protocol::Blob& blob);
  // voiceActivity ACTIVITY_START / ACTIVITY_END (automatic VAD), in pairs.
  void set_speech(bool speaking);
  // Realtime input began: initial history, if any, is over.
  void realtime_started();
  void end_history();
  // The setup's or a contextUpdate's tools: which function to call, built-ins.
  void resolve_tools();
  // A system instruction took effect; `changed`: the next reply says so.
  void set_system_instruction(const std::optional<protocol::Content>& instruction, bool changed);

  bool interruptions_allowed() const;
  // User input ended. Starts a reply now, or after the current one.
  void end_user_turn(bool even_if_empty);
  void start_turn();
  // A model turn that answers a NON_BLOCKING call's response.
  void start_tool_result_turn(TurnInput input);
  // What the next reply says first (context change, history).
  void add_reply_notes(TurnInput& input);
  // Barge-in: stop the reply, cancel the turn's pending tool calls (unless
  // the model itself interrupts, for an INTERRUPT tool response), end the turn.
  void interrupt(bool cancel_pending_calls = true);
  // `lead`: a step before the reply (a NON_BLOCKING toolCall).
  void plan_reply(gint64 delay_us, std::optional<Step> lead = std::nullopt);
  void add_builtin_tool_output(std::vector<Step>& steps, std::size_t first_content, gint64 at_us);
  void pump();
  void finish_turn(bool interrupted = false);
  // Idle: answer waiting tool results, then deferred user input.
  void continue_after_turn(bool interrupted);

  // Function calls (connection_tools.cpp).
  void handle_tool_response(const protocol::ToolResponse& response);
  void handle_function_response(const protocol::FunctionResponse& response);
  Step tool_call_step(gint64 at_us);
  void call_sent(const std::string& id, const std::string& name, bool blocking);
  // Sends toolCallCancellation for `ids` and forgets those calls.
  void cancel_calls(const std::vector<std::string>& ids);
  void cancel_call_after_timeout(const std::string& id);
  void send_resumption_update(bool resumable);
  void publish_session_audio();
  void arm_faults();
  void send(const protocol::ServerMessage& message);
  void cancel_timers();

  ConnectionEnv env_;
  UpgradeInfo info_;
  GObjectPtr<SoupWebsocketConnection> ws_;
  GObjectPtr<GSocket> socket_;
  Phase phase_ = Phase::AwaitSetup;
  bool finished_ = false;

  // From the setup.
  protocol::Setup setup_;
  bool audio_reply_ = true;
  bool input_transcription_ = false;
  bool output_transcription_ = false;
  bool resumption_ = false;
  // Transparent resumption: updates carry lastConsumedClientMessageIndex,
  // the client messages after the setup (1, 2, ...) this connection's
  // session state holds, and come every kTransparentUpdateEvery messages
  // while resumable (the service's cadence is not documented).
  static constexpr unsigned kTransparentUpdateEvery = 10;
  bool transparent_ = false;
  int64_t client_messages_ = 0;
  bool resumable_ = false;     // the last update said resumable
  unsigned setup_number_ = 0;  // this connection's setup among all the server got
  bool manual_activity_ = false;
  bool no_interruption_ = false;
  double silence_needed_ms_ = 600.0;
  ModelTraits traits_;
  const protocol::FunctionDeclaration* tool_ = nullptr;  // in setup_.tools
  BuiltinTools builtins_;
  std::shared_ptr<SessionRecord> session_;

  // Context and history.
  bool realtime_started_ = false;
  bool history_open_ = false;  // historyConfig.initialHistoryInClientContent, until history ends
  unsigned history_turns_ = 0;
  std::optional<std::string> instructions_note_;  // for the next reply
  unsigned history_note_ = 0;                     // for the next reply

  // Input of the next turn.
  TurnInput pending_;
  bool turn_open_ = false;  // speech seen (automatic VAD) or activityStart
  bool in_speech_ = false;
  bool speech_announced_ = false;  // ACTIVITY_START sent, ACTIVITY_END not yet
  double silence_run_ms_ = 0.0;
  bool deferred_turn_ = false;  // input ended while a reply was running
  bool deferred_even_if_empty_ = false;

  TurnPhase turn_phase_ = TurnPhase::None;
  Turn turn_;

  std::map<std::string, PendingCall> calls_;  // by id
  std::deque<TurnInput> tool_results_;        // WHEN_IDLE responses waiting for the reply to end

  transport::SourceTimer reply_timer_;
  transport::SourceTimer go_away_timer_;
  transport::SourceTimer drop_timer_;
  transport::SourceTimer close_timer_;
};

}  // namespace geminilive::mock
