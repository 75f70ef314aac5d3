// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/held_messages.h"

#include <glib.h>

#include <utility>
#include <variant>

#include "protocol/pcm_mime.h"

namespace geminilive::session {

bool is_utf8(const std::string& text) { return g_utf8_validate_len(text.data(), text.size(), nullptr); }

std::chrono::microseconds pcm_duration(const protocol::Blob& audio) {
  const int rate = protocol::pcm_rate(audio.mime_type).value_or(16000);
  const uint64_t samples = audio.data.size() / 2;
  return std::chrono::microseconds(static_cast<int64_t>(samples * 1000000 / static_cast<uint64_t>(rate)));
}

Outbound Outbound::encode(const protocol::ClientMessage& message) {
  Outbound out;
  out.json = protocol::encode_client_message(message);
  if (const auto* input = std::get_if<protocol::RealtimeInput>(&message)) {
    if (input->audio) {
      out.kind = Kind::Audio;
      out.media_bytes = input->audio->data.size();
      out.audio = pcm_duration(*input->audio);
    } else if (input->video) {
      out.kind = Kind::Video;
      out.media_bytes = input->video->data.size();
    }
    out.asks_reply = input->text.has_value() || input->activity_end;
    if (input->activity_end)
      out.ends_input = SpeechEndSource::ActivityEnd;
    else if (input->audio_stream_end)
      out.ends_input = SpeechEndSource::AudioStreamEnd;
    else if (input->text)
      out.ends_input = SpeechEndSource::Text;
  } else if (const auto* content = std::get_if<protocol::ClientContent>(&message)) {
    out.asks_reply = content->turn_complete.value_or(false);
    if (out.asks_reply) out.ends_input = SpeechEndSource::Text;
  } else {
    out.asks_reply = std::holds_alternative<protocol::ToolResponse>(message);
    out.context_update = std::holds_alternative<protocol::ContextUpdate>(message);
  }
  return out;
}

void HeldMessages::push(Outbound message) {
  bytes_ += message.json.size();
  audio_ += message.audio;
  queue_.push_back(std::move(message));
  enforce_limits();
}

bool HeldMessages::push_latest_frame(Outbound frame) {
  bool replaced = false;
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (!it->latest_wins) continue;
    bytes_ -= it->json.size();
    queue_.erase(it);
    replaced = true;
    break;
  }
  // At the end: the frame shows the screen as it is now, after the audio so far.
  frame.latest_wins = true;
  push(std::move(frame));
  return replaced;
}

void HeldMessages::enforce_limits() {
  auto over = [this] { return audio_ > limits_.audio || bytes_ > limits_.bytes; };
  for (auto it = queue_.begin(); over() && it != queue_.end();) {
    if (it->kind != Outbound::Kind::Audio) {
      ++it;  // control messages and frames are never dropped here
      continue;
    }
    bytes_ -= it->json.size();
    audio_ -= it->audio;
    ++dropped_.messages;
    dropped_.bytes += it->media_bytes;
    dropped_.audio += it->audio;
    it = queue_.erase(it);
  }
}

std::deque<Outbound> HeldMessages::take() {
  bytes_ = 0;
  audio_ = std::chrono::microseconds(0);
  return std::exchange(queue_, {});
}

Dropped HeldMessages::take_dropped() { return std::exchange(dropped_, {}); }

}  // namespace geminilive::session
