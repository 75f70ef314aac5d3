// SPDX-License-Identifier: LGPL-2.1-or-later
// Client messages encoded and waiting for setupComplete (the protocol allows
// nothing but setup before it). Bounded, because a live source keeps
// producing while the service is slow to answer: past the limits the oldest
// audio goes, and a newer video frame replaces a waiting one. Not
// thread-safe: LiveSession guards it with its send lock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "protocol/client_message.h"
#include "session/turn_timing.h"

namespace geminilive::session {

// One message, encoded on the sender's thread, with what the limits and the
// stats need to know about it.
struct Outbound {
  enum class Kind { Audio, Video, Other };
  Kind kind = Kind::Other;
  std::string json;
  std::size_t media_bytes = 0;         // raw audio or image bytes
  std::chrono::microseconds audio{0};  // playing time of the audio
  bool latest_wins = false;            // a frame from push_latest_frame()
  // The model answers it: realtime text, activityEnd, clientContent with
  // turnComplete, toolResponse (audio is answered at the end of speech).
  bool asks_reply = false;
  bool context_update = false;  // a contextUpdate: reported when it is on the wire
  // It ends the user's input (activityEnd, audioStreamEnd, text): the
  // reference of the next reply's latency.
  std::optional<SpeechEndSource> ends_input;

  static Outbound encode(const protocol::ClientMessage& message);
};

// Whether `text` is UTF-8 (a text frame must be).
bool is_utf8(const std::string& text);

// Playing time of S16LE mono PCM labelled "audio/pcm;rate=N" (16000 without
// a rate, the API's default).
std::chrono::microseconds pcm_duration(const protocol::Blob& audio);

struct Dropped {
  uint64_t messages = 0;
  uint64_t bytes = 0;  // raw audio bytes
  std::chrono::microseconds audio{0};
  bool any() const { return messages > 0; }
};

class HeldMessages {
 public:
  struct Limits {
    std::chrono::microseconds audio{std::chrono::seconds(10)};
    std::size_t bytes = 64u * 1024 * 1024;  // of JSON
  };

  HeldMessages() = default;
  explicit HeldMessages(Limits limits) : limits_(limits) {}

  // Appends; then drops the oldest audio while a limit is exceeded.
  void push(Outbound message);
  // Appends a video frame in place of a waiting one; true when it replaced one.
  bool push_latest_frame(Outbound frame);

  // Everything held, oldest first; the queue is empty afterwards.
  std::deque<Outbound> take();
  // What was dropped since the last take_dropped().
  const Dropped& dropped() const { return dropped_; }
  Dropped take_dropped();

  bool empty() const { return queue_.empty(); }
  std::size_t bytes() const { return bytes_; }
  std::chrono::microseconds audio() const { return audio_; }

 private:
  void enforce_limits();

  Limits limits_;
  std::deque<Outbound> queue_;
  std::size_t bytes_ = 0;
  std::chrono::microseconds audio_{0};
  Dropped dropped_;
};

}  // namespace geminilive::session
