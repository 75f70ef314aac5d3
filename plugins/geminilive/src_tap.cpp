// SPDX-License-Identifier: LGPL-2.1-or-later
#include "src_tap.h"

#include <string>

#include "errors.h"
#include "gstgeminilivesrc.h"
#include "protocol/pcm_mime.h"
#include "protocol/server_message.h"

GST_DEBUG_CATEGORY_EXTERN(gst_gemini_live_src_debug);
#define GST_CAT_DEFAULT gst_gemini_live_src_debug

namespace geminilive::plugin {

void SrcTap::on_state(session::SessionState state) {
  if (state == session::SessionState::Finished) {
    GST_DEBUG_OBJECT(src_, "the session is finished: EOS after %zu queued bytes", queue_->audio_bytes());
    queue_->finish();
  } else if (state == session::SessionState::Closed && eos_requested_) {
    queue_->finish();  // stopped before its answer was complete
  }
}

bool SrcTap::end_after_answer(const session::Channel& channel) {
  using session::SessionState;
  const SessionState state = channel.last_state();
  if (state != SessionState::Connecting && state != SessionState::SettingUp && state != SessionState::Ready &&
      state != SessionState::Reconnecting && state != SessionState::Finishing)
    return false;
  eos_requested_ = true;
  // The session may have been closed meanwhile.
  if (channel.last_state() == SessionState::Closed) queue_->finish();
  return true;
}

void SrcTap::on_error(const session::SessionError& error) { queue_->fail_with(error); }

void SrcTap::on_message(const protocol::ServerMessage& message) {
  if (!message.server_content) return;
  const protocol::ServerContent& content = *message.server_content;
  switch (stream_) {
    case STREAM_AUDIO:
      if (content.interrupted) {
        GST_DEBUG_OBJECT(src_, "interrupted: dropping %zu bytes", queue_->audio_bytes());
        queue_->clear();
        turn_interrupted_ = true;
      }
      if (content.model_turn)
        for (const auto& part : content.model_turn->parts)
          if (part.inline_data && protocol::is_pcm_mime_type(part.inline_data->mime_type)) add_audio(*part.inline_data);
      audio_turn_events(content);
      break;
    case STREAM_TEXT:
      // Written answers, or a spoken answer's transcript: a session has one
      // or the other (AUDIO-only models write through transcripts).
      if (content.model_turn)
        for (const auto& part : content.model_turn->parts)
          if (part.text && !part.thought.value_or(false)) queue_->push_text(*part.text);
      if (content.output_transcription && !content.output_transcription->text.empty())
        queue_->push_text(content.output_transcription->text);
      break;
    case STREAM_INPUT_TRANSCRIPTION:
      if (content.input_transcription) queue_->push_text(content.input_transcription->text);
      break;
    case STREAM_OUTPUT_TRANSCRIPTION:
      if (content.output_transcription) queue_->push_text(content.output_transcription->text);
      break;
  }
}

void SrcTap::on_reply_started(const session::ReplyStart& start) {
  if (stream_ != STREAM_AUDIO) return;
  turn_ = start.turn;
  turn_sounded_ = turn_interrupted_ = false;
  if (latency_) latency_->reply_started(start);
  queue_->begin_turn(start.turn);
}

// The turn's audio ends with generationComplete, turnComplete or
// interrupted; a turn that will never sound reports its latency at its end.
void SrcTap::audio_turn_events(const protocol::ServerContent& content) {
  if (content.generation_complete || content.turn_complete || content.interrupted) queue_->end_turn();
  if (content.turn_complete && turn_ && (!turn_sounded_ || turn_interrupted_)) {
    if (latency_) latency_->turn_without_sound(turn_);
    turn_ = 0;
  }
}

void SrcTap::add_audio(const protocol::Blob& blob) {
  turn_sounded_ = true;
  const int rate = protocol::pcm_rate(blob.mime_type).value_or(kReplyRate);
  if (rate != kReplyRate && !warned_rate_) {
    warned_rate_ = true;
    post_warning(src_, "The model's audio is not at 24000 Hz; it plays at the wrong speed.",
                 "mimeType " + blob.mime_type);
  }
  const std::size_t dropped = queue_->push_audio(blob.data);
  if (dropped > 0 && !warned_overflow_) {
    warned_overflow_ = true;
    post_warning(src_, "The answer's audio is not being played fast enough; its oldest part was dropped.",
                 std::to_string(dropped) + " bytes dropped, queue full");
  }
}

}  // namespace geminilive::plugin

using geminilive::plugin::STREAM_AUDIO;
using geminilive::plugin::STREAM_INPUT_TRANSCRIPTION;
using geminilive::plugin::STREAM_OUTPUT_TRANSCRIPTION;
using geminilive::plugin::STREAM_TEXT;

// The `stream` property's type, with the Stream it names.
GType gst_gemini_live_src_stream_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {STREAM_AUDIO, "The model's voice (24 kHz S16LE mono)", "audio"},
      {STREAM_TEXT, "The model's written answer", "text"},
      {STREAM_INPUT_TRANSCRIPTION, "What the service heard", "input-transcription"},
      {STREAM_OUTPUT_TRANSCRIPTION, "What the model said", "output-transcription"},
      {0, nullptr, nullptr},
  };
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstGeminiLiveSrcStream", values);
    g_once_init_leave(&type, t);
  }
  return type;
}
