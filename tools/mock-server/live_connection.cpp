// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveConnection: lifecycle, incoming frames, setup, scripted faults, sending.
#include "live_connection.h"

#include <algorithm>
#include <utility>

#include "connection_helpers.h"
#include "mock_log.h"
#include "service_errors.h"

#define GST_CAT_DEFAULT geminilive::mock::mock_debug_category()

namespace geminilive::mock {
namespace {

using protocol::ServerMessage;

constexpr std::size_t kMaxCloseReason = 123;  // 125-byte control payload minus the code

std::string cut_reason(const std::string& reason) {
  if (reason.size() <= kMaxCloseReason) return reason;
  std::size_t n = kMaxCloseReason;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
  return reason.substr(0, n);
}

// "M" from "projects/P/locations/L/publishers/google/models/M" or
// "publishers/google/models/M".
std::optional<std::string> vertex_model_id(const std::string& name) {
  std::string rest = name;
  if (starts_with(rest, "projects/")) {
    g_auto(GStrv) parts = g_strsplit(rest.c_str(), "/", 5);
    if (g_strv_length(parts) != 5 || !*parts[1] || g_strcmp0(parts[2], "locations") != 0 || !*parts[3])
      return std::nullopt;
    rest = parts[4];
  }
  constexpr char kPublisher[] = "publishers/google/models/";
  if (!starts_with(rest, kPublisher) || rest.size() == sizeof kPublisher - 1) return std::nullopt;
  return rest.substr(sizeof kPublisher - 1);
}

}  // namespace

LiveConnection::LiveConnection(ConnectionEnv env, UpgradeInfo info, SoupWebsocketConnection* ws, GSocket* socket)
    : env_(std::move(env)),
      info_(std::move(info)),
      ws_(GObjectPtr<SoupWebsocketConnection>(static_cast<SoupWebsocketConnection*>(g_object_ref(ws)))),
      socket_(socket ? GObjectPtr<GSocket>(static_cast<GSocket*>(g_object_ref(socket))) : nullptr) {
  silence_needed_ms_ = static_cast<double>(env_.options->end_of_speech_silence.count());
  // Live messages are big (seconds of base64 audio); libsoup's default
  // limit is 128 KiB.
  g_object_set(ws_.get(), "max-incoming-payload-size", static_cast<guint64>(64) * 1024 * 1024, nullptr);
  g_signal_connect(ws_.get(), "message", G_CALLBACK(&LiveConnection::on_message_cb), this);
  g_signal_connect(ws_.get(), "closed", G_CALLBACK(&LiveConnection::on_closed_cb), this);
  g_signal_connect(ws_.get(), "error", G_CALLBACK(&LiveConnection::on_error_cb), this);

  if (!info_.key_ok) {
    const std::string reason = info_.refusal.empty() ? kBadKey : info_.refusal;
    log(info_.refusal.empty() ? "missing or wrong API key" : "refused: " + reason);
    // After the upgrade completes (we are inside libsoup's upgrade callback).
    close_timer_.start(env_.context, std::chrono::milliseconds(0), [this, reason] { close(1008, reason); });
  }
}

LiveConnection::~LiveConnection() {
  cancel_timers();
  g_signal_handlers_disconnect_by_data(ws_.get(), this);
  if (soup_websocket_connection_get_state(ws_.get()) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(ws_.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "Server shutting down.");
}

void LiveConnection::log(const std::string& line) const {
  GST_INFO("connection %u: %s", info_.number, line.c_str());
  if (env_.options->log) env_.options->log("connection " + std::to_string(info_.number) + ": " + line);
}

// ---- test hooks ----

void LiveConnection::send_raw(const std::string& payload, bool binary) {
  if (soup_websocket_connection_get_state(ws_.get()) != SOUP_WEBSOCKET_STATE_OPEN) return;
  if (binary)
    soup_websocket_connection_send_binary(ws_.get(), payload.data(), payload.size());
  else
    soup_websocket_connection_send_text(ws_.get(), payload.c_str());
}

void LiveConnection::close(int code, const std::string& reason) {
  if (phase_ == Phase::Closing) return;
  phase_ = Phase::Closing;
  cancel_timers();
  log("closing with " + std::to_string(code) + " \"" + reason + "\"");
  if (soup_websocket_connection_get_state(ws_.get()) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(ws_.get(), static_cast<gushort>(code), cut_reason(reason).c_str());
}

void LiveConnection::drop() {
  if (finished_) return;
  phase_ = Phase::Closing;
  cancel_timers();
  log("dropping the connection (no close frame)");
  // Shutting the socket down makes the peer read EOF at once, and our own
  // WebSocket read fails too, which ends it through "closed" as usual.
  if (socket_) g_socket_shutdown(socket_.get(), TRUE, TRUE, nullptr);
}

void LiveConnection::cancel_timers() {
  for (auto& [id, call] : calls_)
    if (call.cancel_timer) call.cancel_timer->cancel();
  reply_timer_.cancel();
  go_away_timer_.cancel();
  drop_timer_.cancel();
  close_timer_.cancel();
}

// ---- libsoup signals ----

void LiveConnection::on_message_cb(SoupWebsocketConnection*, gint, GBytes* message, gpointer data) {
  auto* self = static_cast<LiveConnection*>(data);
  gsize size = 0;
  const char* bytes = static_cast<const char*>(g_bytes_get_data(message, &size));
  // Text and binary frames alike carry UTF-8 JSON.
  self->handle_frame(std::string_view(bytes ? bytes : "", size));
}

void LiveConnection::on_closed_cb(SoupWebsocketConnection* ws, gpointer data) {
  auto* self = static_cast<LiveConnection*>(data);
  if (self->finished_) return;
  self->finished_ = true;
  self->phase_ = Phase::Closing;
  self->cancel_timers();
  gushort code = soup_websocket_connection_get_close_code(ws);
  const char* reason = soup_websocket_connection_get_close_data(ws);
  self->log("closed (" + std::to_string(code) + " \"" + (reason ? reason : "") + "\")");
  self->env_.state->connection_ended(self->info_.number);
  if (self->env_.on_finished) self->env_.on_finished(self);
}

void LiveConnection::on_error_cb(SoupWebsocketConnection*, GError* error, gpointer data) {
  auto* self = static_cast<LiveConnection*>(data);
  self->log(std::string("WebSocket error: ") + (error ? error->message : "?"));
}

// ---- input ----

void LiveConnection::handle_frame(std::string_view payload) {
  env_.state->add_message(std::string(payload));
  if (phase_ == Phase::Closing || !info_.key_ok) return;

  // A token's locked setup fields override the client's.
  std::string constrained;
  if (!info_.token.empty() && phase_ == Phase::AwaitSetup) {
    constrained = env_.tokens->constrain(info_.token, payload);
    payload = constrained;
  }
  auto decoded = protocol::decode_client_message(payload);
  if (!decoded) {
    log("invalid message: " + decoded.error());
    close(1007, kInvalidArgument);
    return;
  }
  protocol::ClientMessage& message = decoded.value();
  GST_DEBUG("connection %u: %s", info_.number, protocol::client_message_kind(message));

  if (auto* setup = std::get_if<protocol::Setup>(&message)) {
    env_.state->update([&](ServerStats& s) { s.last_setup_json = std::string(payload); });
    if (phase_ != Phase::AwaitSetup) {
      log("a second setup");
      close(1007, kInvalidArgument);
      return;
    }
    handle_setup(*setup);
    return;
  }
  if (phase_ == Phase::AwaitSetup) {
    log(std::string("first message is ") + protocol::client_message_kind(message) + ", not setup");
    close(1007, kInvalidArgument);
    return;
  }
  ++client_messages_;
  if (auto* realtime = std::get_if<protocol::RealtimeInput>(&message))
    handle_realtime(*realtime);
  else if (auto* content = std::get_if<protocol::ClientContent>(&message))
    handle_client_content(*content);
  else if (auto* response = std::get_if<protocol::ToolResponse>(&message))
    handle_tool_response(*response);
  else if (auto* update = std::get_if<protocol::ContextUpdate>(&message))
    handle_context_update(*update);
  if (transparent_ && resumable_ && phase_ == Phase::Ready && client_messages_ % kTransparentUpdateEvery == 0)
    send_resumption_update(true);
}

void LiveConnection::handle_setup(const protocol::Setup& client_setup) {
  // Vertex names the model by resource path; the rest of the server knows
  // "models/M".
  protocol::Setup setup = client_setup;
  if (info_.vertex) {
    auto model = vertex_model_id(setup.model);
    if (!model) {
      log("not a Vertex AI model name \"" + setup.model + "\"");
      close(1008, "Publisher Model `" + setup.model + "` was not found or your project does not have access to it.");
      return;
    }
    setup.model = "models/" + *model;
  }
  if (!info_.token.empty()) {
    const bool resumes = setup.session_resumption && !setup.session_resumption->handle.value_or("").empty();
    if (auto refusal = resumes ? env_.tokens->connection_refusal(info_.token, g_get_real_time())
                               : env_.tokens->start_session(info_.token, g_get_real_time())) {
      log("token refused: " + *refusal);
      close(1008, *refusal);
      return;
    }
  }
  if (!starts_with(setup.model, "models/") && !starts_with(setup.model, "tunedModels/")) {
    log("unknown model \"" + setup.model + "\"");
    close(1008, protocol::model_resource_name(setup.model) + " is not found for API version " + info_.api_version +
                    ", or is not supported for bidiGenerateContent. Call ListModels to see the "
                    "list of available models and their supported methods.");
    return;
  }
  if (auto refusal = setup_refusal(setup)) {
    log("refusing the setup of " + setup.model + ": " + *refusal);
    close(1007, *refusal);
    return;
  }

  if (env_.options->setup_close_code) {
    log("refusing the setup");
    close(env_.options->setup_close_code, env_.options->setup_close_reason);
    return;
  }

  resumption_ = setup.session_resumption.has_value();
  transparent_ = resumption_ && setup.session_resumption->transparent.value_or(false);
  std::string handle = resumption_ ? setup.session_resumption->handle.value_or("") : "";
  bool resumed = false;
  if (!handle.empty()) {
    session_ = env_.sessions->resume(handle);
    if (!session_) {
      log("unknown session handle");
      close(1008, kSessionNotFound);
      return;
    }
    resumed = true;
    env_.state->update([](ServerStats& s) { ++s.resumed; });
  } else {
    session_ = env_.sessions->create();
  }
  ++session_->connections;

  setup_ = setup;
  traits_ = model_traits(setup_.model);
  const auto& gen = setup_.generation_config;
  audio_reply_ = true;
  if (gen && !gen->response_modalities.empty()) {
    audio_reply_ = std::any_of(gen->response_modalities.begin(), gen->response_modalities.end(),
                               [](const std::string& m) { return g_ascii_strcasecmp(m.c_str(), "AUDIO") == 0; });
  }
  input_transcription_ = setup_.input_audio_transcription.has_value();
  output_transcription_ = setup_.output_audio_transcription.has_value();
  if (const auto& rt = setup_.realtime_input_config) {
    if (const auto& aad = rt->automatic_activity_detection) {
      manual_activity_ = aad->disabled.value_or(false);
      if (aad->silence_duration_ms.value_or(0) > 0) silence_needed_ms_ = *aad->silence_duration_ms;
    }
    no_interruption_ = rt->activity_handling.value_or("") == "NO_INTERRUPTION";
  }
  history_open_ = setup_.history_config && setup_.history_config->initial_history_in_client_content.value_or(false);
  resolve_tools();
  // A resumed session whose instruction changed answers under the new one.
  const std::string instruction = setup_.system_instruction ? setup_.system_instruction->text() : "";
  set_system_instruction(setup_.system_instruction, resumed && instruction != session_->system_instruction);

  phase_ = Phase::Ready;
  env_.state->update([&](ServerStats& s) {
    setup_number_ = ++s.setups;
    s.model = setup_.model;
  });
  publish_session_audio();
  log("setup " + setup_.model + (audio_reply_ ? " (AUDIO)" : " (TEXT)") + (resumed ? ", resumed" : "") +
      (tool_ ? ", tool " + tool_->name : "") + (manual_activity_ ? ", manual activity" : "") +
      (history_open_ ? ", initial history" : "") + (transparent_ ? ", transparent resumption" : "") +
      (instructions_note_ ? ", new instructions" : ""));

  ServerMessage complete;
  complete.setup_complete = protocol::SetupComplete{};
  send(complete);
  if (resumption_) send_resumption_update(true);
  arm_faults();
}

void LiveConnection::resolve_tools() {
  tool_ = nullptr;
  std::vector<std::string> names;
  for (const auto& tool : setup_.tools) {
    for (const auto& decl : tool.function_declarations) {
      names.push_back(decl.name);
      if (!tool_ && !env_.options->tool_call.empty() && decl.name == env_.options->tool_call) tool_ = &decl;
    }
  }
  builtins_ = BuiltinTools::from(setup_.tools);
  env_.state->update([&](ServerStats& s) { s.function_names = std::move(names); });
}

void LiveConnection::set_system_instruction(const std::optional<protocol::Content>& instruction, bool changed) {
  std::string text = instruction ? instruction->text() : "";
  if (changed) instructions_note_ = text;
  session_->system_instruction = text;
  env_.state->update([&](ServerStats& s) { s.system_instruction = std::move(text); });
}

// A new handle when the session can be resumed; while the model answers or
// waits for a function it can't, and the service says so with an empty
// handle and resumable:false.
// Transparent: the handle names the state as it is now, holding every client
// message of this connection so far.
void LiveConnection::send_resumption_update(bool resumable) {
  resumable_ = resumable;
  ServerMessage message;
  std::optional<int64_t> consumed;
  if (transparent_ && resumable) consumed = client_messages_;
  message.session_resumption_update = protocol::SessionResumptionUpdate{
      resumable ? env_.sessions->issue_handle(session_, transparent_) : std::string(), resumable, consumed};
  send(message);
}

// The latest setup's session is the one whose audio the stats show.
void LiveConnection::publish_session_audio() {
  const uint64_t bytes = session_->audio.bytes();
  std::string sha = session_->audio.sha256();
  env_.state->update([&](ServerStats& s) {
    if (s.setups != setup_number_) return;
    s.session_audio_bytes = bytes;
    s.session_audio_sha256 = std::move(sha);
  });
}

void LiveConnection::arm_faults() {
  const ServerOptions& o = *env_.options;
  if (o.go_away_after.count() > 0) {
    go_away_timer_.start(env_.context, o.go_away_after, [this] {
      ServerMessage message;
      message.go_away = protocol::GoAway{env_.options->go_away_time_left};
      send(message);
      log("goAway sent");
      // Then the connection ends as ABORTED (1008, as measured by ITAB).
      go_away_timer_.start(env_.context, env_.options->go_away_time_left, [this] { close(1008, kAborted); });
    });
  }
  if (o.drop_after.count() > 0 && (o.drop_count == 0 || setup_number_ <= o.drop_count))
    drop_timer_.start(env_.context, o.drop_after, [this] { drop(); });
  if (o.close_after.count() > 0) {
    close_timer_.start(env_.context, o.close_after,
                       [this] { close(env_.options->close_code, env_.options->close_reason); });
  }
}

void LiveConnection::send(const ServerMessage& message) {
  if (phase_ == Phase::Closing || soup_websocket_connection_get_state(ws_.get()) != SOUP_WEBSOCKET_STATE_OPEN) return;
  const std::string json = protocol::encode_server_message(message, protocol::JsonStyle::Pretty);
  if (env_.options->text_frames)
    soup_websocket_connection_send_text(ws_.get(), json.c_str());
  else
    soup_websocket_connection_send_binary(ws_.get(), json.data(), json.size());
}

}  // namespace geminilive::mock
