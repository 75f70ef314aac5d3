// One BidiGenerateContent WebSocket connection of the local Live server: the
// protocol state machine (setup, turn detection, replies, barge-in, tool
// calls, resumption, scripted faults). Lives on the server thread; every
// method must be called there.
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/gobject_ptr.h"
#include "live_server.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "server_state.h"
#include "session_store.h"
#include "transport/source_timer.h"
#include "turn_input.h"

namespace geminilive::mock {

class LiveConnection;

// What a connection shares with its server; all of it outlives the connection.
struct ConnectionEnv {
  const ServerOptions* options = nullptr;
  ServerState* state = nullptr;
  SessionStore* sessions = nullptr;
  GMainContext* context = nullptr;
  unsigned* next_call_id = nullptr;  // server-wide function-call counter
  // Called once when the socket has closed; the server deletes the
  // connection later, never from inside this call.
  std::function<void(LiveConnection*)> on_finished;
};

// Facts from the upgrade request.
struct UpgradeInfo {
  unsigned number = 0;      // 1, 2, ... per server, for logs
  std::string api_version;  // "v1beta" | "v1alpha", from the path
  bool key_ok = true;
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
  };

  struct Turn {
    TurnInput input;
    std::vector<Step> steps;
    std::size_t next = 0;
    gint64 start_us = 0;  // monotonic
    std::size_t sent_audio_bytes = 0;
    std::size_t sent_text_chars = 0;
    std::vector<std::string> call_ids;  // of the sent toolCall
  };

  static void on_message_cb(SoupWebsocketConnection* ws, gint type, GBytes* message, gpointer self);
  static void on_closed_cb(SoupWebsocketConnection* ws, gpointer self);
  static void on_error_cb(SoupWebsocketConnection* ws, GError* error, gpointer self);

  void log(const std::string& line) const;
  void handle_frame(std::string_view payload);
  void handle_setup(const protocol::Setup& setup);
  void handle_realtime(const protocol::RealtimeInput& input);
  void handle_client_content(const protocol::ClientContent& content);
  void handle_tool_response(const protocol::ToolResponse& response);
  void handle_audio(const protocol::Blob& blob);
  void handle_frame_image(const protocol::Blob& blob);

  bool interruptions_allowed() const;
  // User input ended. Starts a reply now, or after the current one.
  void end_user_turn(bool even_if_empty);
  void start_turn();
  // Barge-in: stop the reply, cancel a pending tool call, end the turn.
  void interrupt();
  void plan_reply(gint64 delay_us);
  void pump();
  void finish_turn();
  void send_resumption_update(bool resumable);
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
  bool manual_activity_ = false;
  bool no_interruption_ = false;
  double silence_needed_ms_ = 600.0;
  const protocol::FunctionDeclaration* tool_ = nullptr;  // in setup_
  std::shared_ptr<SessionRecord> session_;

  // Input of the next turn.
  TurnInput pending_;
  bool turn_open_ = false;  // speech seen (automatic VAD) or activityStart
  bool in_speech_ = false;
  double silence_run_ms_ = 0.0;
  bool deferred_turn_ = false;  // input ended while a reply was running
  bool deferred_even_if_empty_ = false;

  TurnPhase turn_phase_ = TurnPhase::None;
  Turn turn_;

  transport::SourceTimer reply_timer_;
  transport::SourceTimer go_away_timer_;
  transport::SourceTimer drop_timer_;
  transport::SourceTimer close_timer_;
};

}  // namespace geminilive::mock
