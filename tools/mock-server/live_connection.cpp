#include "live_connection.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "mock_log.h"
#include "reply_synth.h"

#define GST_CAT_DEFAULT geminilive::mock::mock_debug_category()

namespace geminilive::mock {
namespace {

using protocol::ServerContent;
using protocol::ServerMessage;

// Close reasons as the service words them (live-protocol.md §5.2).
constexpr const char* kInvalidArgument = "Request contains an invalid argument.";
constexpr const char* kBadKey = "API key not valid. Please pass a valid API key.";
constexpr const char* kSessionNotFound = "BidiGenerateContent session not found";
constexpr const char* kAborted = "The operation was aborted.";

constexpr std::size_t kMaxCloseReason = 123;  // 125-byte control payload minus the code

std::string cut_reason(const std::string& reason) {
  if (reason.size() <= kMaxCloseReason) return reason;
  std::size_t n = kMaxCloseReason;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
  return reason.substr(0, n);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return g_ascii_tolower(x) == g_ascii_tolower(y);
         });
}

gint64 ms_to_us(std::chrono::milliseconds ms) { return static_cast<gint64>(ms.count()) * 1000; }

ServerMessage content_message(ServerContent content) {
  ServerMessage m;
  m.server_content = std::move(content);
  return m;
}

}  // namespace

LiveConnection::LiveConnection(ConnectionEnv env, UpgradeInfo info, SoupWebsocketConnection* ws,
                               GSocket* socket)
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
    log("missing or wrong API key");
    // After the upgrade completes (we are inside libsoup's upgrade callback).
    close_timer_.start(env_.context, std::chrono::milliseconds(0), [this] { close(1008, kBadKey); });
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
  if (auto* realtime = std::get_if<protocol::RealtimeInput>(&message))
    handle_realtime(*realtime);
  else if (auto* content = std::get_if<protocol::ClientContent>(&message))
    handle_client_content(*content);
  else if (auto* response = std::get_if<protocol::ToolResponse>(&message))
    handle_tool_response(*response);
}

void LiveConnection::handle_setup(const protocol::Setup& setup) {
  if (!starts_with(setup.model, "models/") && !starts_with(setup.model, "tunedModels/")) {
    log("unknown model \"" + setup.model + "\"");
    close(1008, protocol::model_resource_name(setup.model) + " is not found for API version " +
                    info_.api_version +
                    ", or is not supported for bidiGenerateContent. Call ListModels to see the "
                    "list of available models and their supported methods.");
    return;
  }

  if (env_.options->setup_close_code) {
    log("refusing the setup");
    close(env_.options->setup_close_code, env_.options->setup_close_reason);
    return;
  }

  resumption_ = setup.session_resumption.has_value();
  std::string handle = resumption_ ? setup.session_resumption->handle.value_or("") : "";
  if (!handle.empty()) {
    session_ = env_.sessions->find(handle);
    if (!session_) {
      log("unknown session handle");
      close(1008, kSessionNotFound);
      return;
    }
    env_.state->update([](ServerStats& s) { ++s.resumed; });
  } else {
    session_ = env_.sessions->create();
  }
  ++session_->connections;

  setup_ = setup;
  const auto& gen = setup_.generation_config;
  audio_reply_ = true;
  if (gen && !gen->response_modalities.empty()) {
    audio_reply_ = std::any_of(gen->response_modalities.begin(), gen->response_modalities.end(),
                               [](const std::string& m) { return ascii_iequals(m, "AUDIO"); });
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
  tool_ = nullptr;
  if (!env_.options->tool_call.empty()) {
    for (const auto& tool : setup_.tools)
      for (const auto& decl : tool.function_declarations)
        if (!tool_ && decl.name == env_.options->tool_call) tool_ = &decl;
  }

  phase_ = Phase::Ready;
  env_.state->update([](ServerStats& s) { ++s.setups; });
  log("setup " + setup_.model + (audio_reply_ ? " (AUDIO)" : " (TEXT)") +
      (session_->connections > 1 ? ", resumed" : "") + (tool_ ? ", tool " + tool_->name : ""));

  ServerMessage complete;
  complete.setup_complete = protocol::SetupComplete{};
  send(complete);
  if (resumption_) send_resumption_update(true);
  arm_faults();
}

bool LiveConnection::interruptions_allowed() const { return !no_interruption_; }

void LiveConnection::handle_audio(const protocol::Blob& blob) {
  env_.state->add_audio(info_.number, blob.data);
  const unsigned rate = pcm_rate_from_mime(blob.mime_type);
  if (manual_activity_) {
    if (turn_open_) pending_.add_audio(blob.data, rate);
    return;
  }

  // Server-side VAD in 20 ms windows: speech opens (or barges into) a turn,
  // then end_of_speech_silence of quiet ends it.
  const std::size_t window = std::max<std::size_t>(2, rate / 50 * 2);
  bool speech = false;
  bool end_of_speech = false;
  for (std::size_t at = 0; at < blob.data.size() && !end_of_speech; at += window) {
    std::string_view w = std::string_view(blob.data).substr(at, window);
    if (pcm_rms(w) > kSpeechRms) {
      speech = true;
      in_speech_ = true;
      silence_run_ms_ = 0.0;
    } else if (in_speech_) {
      silence_run_ms_ += static_cast<double>(w.size() / 2) * 1000.0 / rate;
      if (silence_run_ms_ >= silence_needed_ms_) {
        end_of_speech = true;
        in_speech_ = false;
        silence_run_ms_ = 0.0;
      }
    }
  }
  if (speech && turn_phase_ != TurnPhase::None && interruptions_allowed()) {
    log("speech during the reply: barge-in");
    interrupt();
  }
  if (speech) turn_open_ = true;
  if (turn_open_) pending_.add_audio(blob.data, rate);
  if (end_of_speech) {
    log("end of speech");
    end_user_turn(false);
  }
}

void LiveConnection::handle_frame_image(const protocol::Blob& blob) {
  pending_.add_frame(blob.data, blob.mime_type);
  const auto& info = pending_.last_frame;
  env_.state->update([&](ServerStats& s) {
    ++s.video_frames;
    s.last_frame_width = info ? info->width : 0;
    s.last_frame_height = info ? info->height : 0;
    s.last_frame_mime = blob.mime_type;
  });
}

void LiveConnection::handle_realtime(const protocol::RealtimeInput& input) {
  if (input.activity_start) {
    if (turn_phase_ != TurnPhase::None && interruptions_allowed()) {
      log("activityStart during the reply: barge-in");
      interrupt();
    }
    turn_open_ = true;
    in_speech_ = false;
    silence_run_ms_ = 0.0;
  }
  if (input.audio) handle_audio(*input.audio);
  if (input.video) handle_frame_image(*input.video);
  for (const auto& blob : input.media_chunks) {
    if (starts_with(blob.mime_type, "audio/"))
      handle_audio(blob);
    else
      handle_frame_image(blob);
  }
  if (input.text) {
    env_.state->update([&](ServerStats& s) { s.texts.push_back(*input.text); });
    // Realtime text ends the user's input, unless the client delimits turns
    // itself with activityStart/activityEnd.
    if (!manual_activity_ && turn_phase_ != TurnPhase::None && interruptions_allowed()) {
      log("text during the reply: barge-in");
      interrupt();
    }
    pending_.add_text(*input.text);
    if (!manual_activity_) end_user_turn(true);
  }
  if (input.activity_end) {
    turn_open_ = false;
    end_user_turn(true);
  }
  if (input.audio_stream_end && !manual_activity_) {
    // The mic closed: whatever was heard is a complete turn.
    turn_open_ = false;
    in_speech_ = false;
    silence_run_ms_ = 0.0;
    end_user_turn(false);
  }
}

void LiveConnection::handle_client_content(const protocol::ClientContent& content) {
  // Any clientContent interrupts the current generation (proto comment).
  if (turn_phase_ != TurnPhase::None) {
    log("clientContent during the reply: barge-in");
    interrupt();
  }
  for (const auto& turn : content.turns) {
    if (turn.role && *turn.role == "model") continue;  // history the client replays
    for (const auto& part : turn.parts) {
      if (part.text && !part.thought.value_or(false)) {
        env_.state->update([&](ServerStats& s) { s.texts.push_back(*part.text); });
        pending_.add_text(*part.text);
      }
      if (part.inline_data) {
        const auto& blob = *part.inline_data;
        if (starts_with(blob.mime_type, "audio/"))
          pending_.add_audio(blob.data, pcm_rate_from_mime(blob.mime_type));
        else if (starts_with(blob.mime_type, "image/"))
          pending_.add_frame(blob.data, blob.mime_type);
      }
    }
  }
  // Absent turnComplete is false (proto3 default); the SDKs always send it.
  if (content.turn_complete.value_or(false)) end_user_turn(true);
}

void LiveConnection::handle_tool_response(const protocol::ToolResponse& response) {
  bool known = turn_phase_ == TurnPhase::AwaitingTool && !response.function_responses.empty();
  for (const auto& fr : response.function_responses) {
    if (std::find(turn_.call_ids.begin(), turn_.call_ids.end(), fr.id) == turn_.call_ids.end()) known = false;
  }
  if (!known) {
    log("toolResponse for an unknown function call id");
    close(1007, kInvalidArgument);
    return;
  }
  env_.state->update([](ServerStats& s) { ++s.tool_responses; });
  const auto& fr = response.function_responses.front();
  turn_.input.tool_name = fr.name.empty() ? tool_->name : fr.name;
  turn_.input.tool_response_json = fr.response.is_null() ? "{}" : fr.response.to_string();
  log("toolResponse for " + fr.id);
  turn_phase_ = TurnPhase::Generating;
  plan_reply(0);  // first_reply_delay was spent before the toolCall
}

// ---- turns ----

void LiveConnection::end_user_turn(bool even_if_empty) {
  if (phase_ != Phase::Ready) return;
  if (turn_phase_ != TurnPhase::None) {
    // No barge-in happened (NO_INTERRUPTION, or quiet input): answer after
    // the current reply.
    deferred_turn_ = true;
    deferred_even_if_empty_ = deferred_even_if_empty_ || even_if_empty;
    return;
  }
  if (!even_if_empty && pending_.empty()) {
    turn_open_ = false;
    return;
  }
  start_turn();
}

void LiveConnection::start_turn() {
  turn_ = Turn{};
  turn_.input = std::move(pending_);
  pending_ = TurnInput{};
  turn_open_ = false;
  in_speech_ = false;
  silence_run_ms_ = 0.0;
  deferred_turn_ = false;
  deferred_even_if_empty_ = false;
  turn_phase_ = TurnPhase::Generating;

  ++session_->turns;
  session_->audio_seconds += turn_.input.audio_seconds;
  session_->frames += turn_.input.frames;
  env_.state->update([](ServerStats& s) { ++s.turns_started; });
  log("turn " + std::to_string(session_->turns) + ": " + reply_text(turn_.input));

  if (input_transcription_ && turn_.input.audio_bytes > 0) {
    ServerContent content;
    content.input_transcription = protocol::Transcription{input_transcription_text(turn_.input), true, {}};
    send(content_message(std::move(content)));
  }
  if (resumption_) send_resumption_update(false);

  const gint64 delay = ms_to_us(env_.options->first_reply_delay);
  if (tool_) {
    Step step;
    step.kind = Step::Kind::ToolCall;
    step.at_us = delay;
    protocol::FunctionCall call;
    call.id = "function-call-" + std::to_string(++*env_.next_call_id);
    call.name = tool_->name;
    call.args = tool_call_args(*tool_, session_->turns, turn_.input);
    step.message.tool_call = protocol::ToolCall{{std::move(call)}};
    turn_.steps.push_back(std::move(step));
    turn_.start_us = g_get_monotonic_time();
    pump();
    return;
  }
  plan_reply(delay);
}

void LiveConnection::plan_reply(gint64 delay_us) {
  const std::string text = reply_text(turn_.input);
  const SynthResult synth = synthesize_reply(text);
  const double speed = env_.options->reply_speed;
  // Offset of a PCM byte position on the reply's paced timeline.
  auto at = [&](std::size_t pcm_byte) -> gint64 {
    if (speed <= 0.0) return delay_us;
    double us = static_cast<double>(pcm_byte / 2) * 1e6 / kReplyRate / speed;
    return delay_us + static_cast<gint64>(std::llround(us));
  };

  turn_.steps.clear();
  turn_.next = 0;
  if (audio_reply_) {
    std::size_t chunk = static_cast<std::size_t>(env_.options->reply_chunk.count()) * kReplyRate / 1000 * 2;
    if (chunk == 0) chunk = static_cast<std::size_t>(kReplyRate) / 5 * 2;  // 200 ms
    std::size_t word = 0;
    for (std::size_t offset = 0; offset < synth.pcm.size(); offset += chunk) {
      const std::size_t size = std::min(chunk, synth.pcm.size() - offset);
      Step audio;
      audio.at_us = at(offset);
      audio.audio_bytes = size;
      protocol::Part part;
      part.inline_data = protocol::Blob{kReplyMime, synth.pcm.substr(offset, size)};
      ServerContent content;
      content.model_turn = protocol::Content{std::nullopt, {std::move(part)}};
      audio.message = content_message(std::move(content));
      turn_.steps.push_back(std::move(audio));

      // The words whose sound starts in this chunk.
      std::string spoken;
      while (word < synth.words.size() && synth.words[word].pcm_begin < offset + size) {
        const auto& w = synth.words[word++];
        spoken += text.substr(w.text_begin, w.text_end - w.text_begin);
      }
      if (output_transcription_ && !spoken.empty()) {
        Step tx;
        tx.at_us = at(offset);
        ServerContent c;
        c.output_transcription = protocol::Transcription{spoken, std::nullopt, std::nullopt};
        tx.message = content_message(std::move(c));
        turn_.steps.push_back(std::move(tx));
      }
    }
  } else {
    const auto fragments = reply_text_fragments(text);
    std::size_t word = 0;
    for (const auto& fragment : fragments) {
      Step step;
      step.at_us = word < synth.words.size() ? at(synth.words[word].pcm_begin) : at(synth.pcm.size());
      step.text_chars = fragment.size();
      protocol::Part part;
      part.text = fragment;
      ServerContent content;
      content.model_turn = protocol::Content{std::nullopt, {std::move(part)}};
      step.message = content_message(std::move(content));
      turn_.steps.push_back(std::move(step));
      word += 3;  // reply_text_fragments' default
    }
  }
  const gint64 last = turn_.steps.empty() ? delay_us : turn_.steps.back().at_us;
  Step generation_complete;
  generation_complete.kind = Step::Kind::GenerationComplete;
  generation_complete.at_us = last;
  ServerContent gc;
  gc.generation_complete = true;
  generation_complete.message = content_message(std::move(gc));
  turn_.steps.push_back(std::move(generation_complete));
  // turnComplete when the paced "playback" of the whole reply is over.
  Step turn_complete;
  turn_complete.kind = Step::Kind::TurnComplete;
  turn_complete.at_us = std::max(last, at(synth.pcm.size()));
  turn_.steps.push_back(std::move(turn_complete));

  turn_.start_us = g_get_monotonic_time();
  pump();
}

void LiveConnection::pump() {
  while (phase_ == Phase::Ready && turn_phase_ == TurnPhase::Generating && turn_.next < turn_.steps.size()) {
    const gint64 elapsed = g_get_monotonic_time() - turn_.start_us;
    Step& step = turn_.steps[turn_.next];
    if (step.at_us > elapsed) {
      auto wait = std::chrono::milliseconds((step.at_us - elapsed + 999) / 1000);
      reply_timer_.start(env_.context, wait, [this] { pump(); });
      return;
    }
    ++turn_.next;
    switch (step.kind) {
      case Step::Kind::Content:
      case Step::Kind::GenerationComplete:
        send(step.message);
        turn_.sent_audio_bytes += step.audio_bytes;
        turn_.sent_text_chars += step.text_chars;
        break;
      case Step::Kind::ToolCall:
        for (const auto& call : step.message.tool_call->function_calls) turn_.call_ids.push_back(call.id);
        send(step.message);
        log("toolCall " + turn_.call_ids.back());
        turn_phase_ = TurnPhase::AwaitingTool;
        return;
      case Step::Kind::TurnComplete:
        finish_turn();
        return;
    }
  }
}

void LiveConnection::interrupt() {
  if (turn_phase_ == TurnPhase::None) return;
  reply_timer_.cancel();
  if (!turn_.call_ids.empty() && turn_phase_ == TurnPhase::AwaitingTool) {
    ServerMessage cancel;
    cancel.tool_call_cancellation = protocol::ToolCallCancellation{turn_.call_ids};
    send(cancel);
  }
  ServerContent content;
  content.interrupted = true;
  send(content_message(std::move(content)));
  env_.state->update([](ServerStats& s) { ++s.interruptions; });
  // The input that interrupted starts the next turn; nothing deferred is
  // answered separately.
  deferred_turn_ = false;
  deferred_even_if_empty_ = false;
  finish_turn();
}

void LiveConnection::finish_turn() {
  ServerContent content;
  content.turn_complete = true;
  ServerMessage message = content_message(std::move(content));
  message.usage_metadata =
      turn_usage(turn_.input, audio_reply_, static_cast<double>(turn_.sent_audio_bytes / 2) / kReplyRate,
                 turn_.sent_text_chars);
  // Counted first: whoever sees the turnComplete sees it in the stats too.
  env_.state->update([](ServerStats& s) { ++s.turns_completed; });
  send(message);
  reply_timer_.cancel();
  turn_phase_ = TurnPhase::None;
  turn_ = Turn{};
  if (resumption_) send_resumption_update(true);

  if (deferred_turn_) {
    bool even_if_empty = deferred_even_if_empty_;
    deferred_turn_ = false;
    deferred_even_if_empty_ = false;
    end_user_turn(even_if_empty);
  }
}

// A new handle when the session can be resumed; while the model answers or
// waits for a function it can't, and the service says so with an empty
// handle and resumable:false.
void LiveConnection::send_resumption_update(bool resumable) {
  ServerMessage message;
  message.session_resumption_update = protocol::SessionResumptionUpdate{
      resumable ? env_.sessions->issue_handle(session_) : std::string(), resumable, std::nullopt};
  send(message);
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
  if (o.drop_after.count() > 0) drop_timer_.start(env_.context, o.drop_after, [this] { drop(); });
  if (o.close_after.count() > 0) {
    close_timer_.start(env_.context, o.close_after,
                       [this] { close(env_.options->close_code, env_.options->close_reason); });
  }
}

void LiveConnection::send(const ServerMessage& message) {
  if (phase_ == Phase::Closing || soup_websocket_connection_get_state(ws_.get()) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  const std::string json = protocol::encode_server_message(message, protocol::JsonStyle::Pretty);
  if (env_.options->text_frames)
    soup_websocket_connection_send_text(ws_.get(), json.c_str());
  else
    soup_websocket_connection_send_binary(ws_.get(), json.data(), json.size());
}

}  // namespace geminilive::mock
