// SPDX-License-Identifier: LGPL-2.1-or-later
#include "browser_session.h"

#include <atomic>

#include "browser_protocol.h"
#include "outbox.h"

namespace geminilive::relay {

BrowserSession::BrowserSession(SoupWebsocketConnection* connection, std::shared_ptr<WriteMeter> meter, std::string id,
                               const SessionDefaults& defaults, const SessionLimits& limits,
                               std::function<void(BrowserSession*)> ended, std::function<void(const std::string&)> log)
    : connection_(SOUP_WEBSOCKET_CONNECTION(g_object_ref(connection))),
      id_(std::move(id)),
      defaults_(defaults),
      max_message_(limits.max_message),
      ended_(std::move(ended)),
      log_(std::move(log)),
      outbox_(Outbox::create(connection, std::move(meter), limits.outbox, id_, log_)),
      started_us_(g_get_monotonic_time()) {
  // A frame over the limit: libsoup refuses it from its header, before
  // reading it, and says so on "error" (on_error) before it closes. A
  // message of several frames over the limit arrives whole (libsoup 3.2
  // limits frames, not messages) and is refused in on_message. Either way
  // the browser gets the error message, then the close frame (1009).
  soup_websocket_connection_set_max_incoming_payload_size(connection_, max_message_);
  soup_websocket_connection_set_keepalive_interval(connection_, 30);
  g_signal_connect(connection_, "message", G_CALLBACK(on_message), this);
  g_signal_connect(connection_, "closed", G_CALLBACK(on_closed), this);
  g_signal_connect(connection_, "error", G_CALLBACK(on_error), this);
}

std::string BrowserSession::over_limit(const std::string& size) const {
  return "message of " + size + " bytes is over this relay's limit of " + std::to_string(max_message_) +
         " bytes (--max-message-size)";
}

void BrowserSession::on_error(SoupWebsocketConnection* connection, GError* error, gpointer data) {
  auto* self = static_cast<BrowserSession*>(data);
  if (!g_error_matches(error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_CLOSE_TOO_BIG) || self->closing_) return;
  // libsoup closes the stream as soon as this returns: what is to reach
  // the browser is handed over now, not from the outbox. The socket takes
  // it at once unless libsoup still holds a message it could not write
  // (a browser that does not read); the stream lingers (observed_stream.h) so
  // that closing does not reset the connection and lose it.
  const std::string message = self->over_limit("more than " + std::to_string(self->max_message_));
  self->closing_ = true;
  self->log_(self->id_ + ": " + message);
  self->outbox_->detach();
  soup_websocket_connection_send_text(connection, encode_error(message).c_str());
  soup_websocket_connection_close(connection, SOUP_WEBSOCKET_CLOSE_TOO_BIG, clip_utf8(message, 120).c_str());
  self->stop_pipeline();
}

BrowserSession::~BrowserSession() {
  g_signal_handlers_disconnect_by_data(connection_, this);
  outbox_->detach();
  stop_pipeline();
  if (soup_websocket_connection_get_state(connection_) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(connection_, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "the relay stops");
  g_object_unref(connection_);
}

void BrowserSession::stop_pipeline() {
  if (!pipeline_) return;
  const PipelineCounters& c = pipeline_->counters();
  char line[256];
  std::snprintf(line, sizeof line, "%s: ended after %.1f s: %.1f s of audio and %llu frames in, %.1f s of voice out",
                id_.c_str(), (g_get_monotonic_time() - started_us_) / 1e6, c.audio_bytes_in / 32000.0,
                static_cast<unsigned long long>(c.frames_in.load()), c.audio_bytes_out / 48000.0);
  const gint64 stopping = g_get_monotonic_time();
  pipeline_.reset();  // to NULL now: the session's connection closes
  log_(std::string(line) + " (stopped in " + std::to_string((g_get_monotonic_time() - stopping) / 1000) + " ms)");
}

void BrowserSession::refuse(const std::string& message, int code) { bad_input(message, code); }

void BrowserSession::bad_input(const std::string& message, int code) {
  closing_ = true;  // what the browser sends after this is not read
  log_(id_ + ": " + message);
  outbox_->post(encode_error(message));
  outbox_->close(code, clip_utf8(message, 120));  // a close reason holds at most 123 bytes
  stop_pipeline();
}

void BrowserSession::on_message(SoupWebsocketConnection*, gint, GBytes* message, gpointer data) {
  auto* self = static_cast<BrowserSession*>(data);
  if (self->closing_) return;
  gsize size = 0;
  const char* bytes = static_cast<const char*>(g_bytes_get_data(message, &size));
  if (size > self->max_message_) {
    self->bad_input(self->over_limit(std::to_string(size)), SOUP_WEBSOCKET_CLOSE_TOO_BIG);
    return;
  }
  self->handle(std::string(bytes, size));
}

void BrowserSession::handle(const std::string& text) {
  ProtocolError error;
  auto message = parse_browser_message(text, &error);
  if (!message) {
    bad_input(error.message, SOUP_WEBSOCKET_CLOSE_BAD_DATA);
    return;
  }
  if (message->type == BrowserMessage::Type::Setup) {
    if (pipeline_) {
      bad_input("setup was already sent on this connection", SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
      return;
    }
    PipelineSettings settings;
    // Unique in the process, whatever relay (tests run several) made the session.
    static std::atomic<unsigned> sessions{0};
    settings.channel = "relay-" + std::to_string(++sessions);
    settings.uri = defaults_.uri;
    settings.api_key = defaults_.api_key;
    settings.model = defaults_.model;
    settings.system_instruction = defaults_.system_instruction;
    settings.text_answers = message->text_answers;
    settings.push_to_talk = message->push_to_talk;
    std::weak_ptr<Outbox> outbox = outbox_;
    std::string start_error;
    pipeline_ = SessionPipeline::start(
        settings,
        [outbox](std::string json, size_t audio_bytes) {
          if (auto o = outbox.lock()) o->post(std::move(json), audio_bytes);
        },
        [outbox](std::string why) {
          if (auto o = outbox.lock()) {
            o->post(encode_error(why));
            o->close(SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, "the session ended");
          }
        },
        &start_error);
    if (!pipeline_) {
      bad_input("cannot start the session: " + start_error, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR);
      return;
    }
    push_to_talk_ = settings.push_to_talk;
    log_(id_ + ": setup (" + (settings.text_answers ? "TEXT" : "AUDIO") +
         (settings.push_to_talk ? ", push-to-talk" : "") + ")");
    return;
  }
  if (!pipeline_) {
    bad_input("the first message must be setup", SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
    return;
  }
  // In the order of the Live API's realtime input: start, media, text, end.
  if (message->activity_start) {
    in_activity_ = true;
    pipeline_->activity(true);
  }
  for (const auto& chunk : message->chunks) {
    if (chunk.kind == MediaChunk::Kind::Audio)
      pipeline_->push_audio(chunk.data, chunk.rate);
    else
      pipeline_->push_image(chunk.data, chunk.mime_type);
  }
  if (!message->text.empty()) {
    // Push-to-talk: the service answers text only at an activity end, so
    // typed text outside one is its own short activity.
    const bool wrap = push_to_talk_ && !in_activity_;
    if (wrap) pipeline_->activity(true);
    pipeline_->send_text(message->text);
    if (wrap) pipeline_->activity(false);
  }
  if (message->activity_end) {
    in_activity_ = false;
    pipeline_->activity(false);
  }
}

void BrowserSession::on_closed(SoupWebsocketConnection* connection, gpointer data) {
  auto* self = static_cast<BrowserSession*>(data);
  // A browser that goes ends its session at once; the object itself goes
  // from the owner's idle callback, outside this signal.
  self->outbox_->detach();
  self->stop_pipeline();
  self->log_(self->id_ + ": closed (code " + std::to_string(soup_websocket_connection_get_close_code(connection)) +
             ")");
  self->ended_(self);
}

}  // namespace geminilive::relay
