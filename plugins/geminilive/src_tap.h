// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesrc's subscription to its channel: keeps from each server
// message what its stream wants, in the queue its streaming thread reads.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <memory>

#include "protocol/content.h"
#include "session/channel.h"
#include "session/reply_queue.h"
#include "session/session_events.h"
#include "src_latency.h"

namespace geminilive::plugin {

// What a geminilivesrc outputs (its `stream` property).
enum Stream { STREAM_AUDIO, STREAM_TEXT, STREAM_INPUT_TRANSCRIPTION, STREAM_OUTPUT_TRANSCRIPTION };

inline constexpr int kReplyRate = 24000;  // Hz: what the service sends

class SrcTap final : public session::SessionObserver {
 public:
  // `latency`: an audio source's turns (null for the other streams).
  SrcTap(GstElement* src, Stream stream, std::shared_ptr<session::ReplyQueue> queue,
         std::shared_ptr<SrcLatency> latency)
      : src_(src), stream_(stream), queue_(std::move(queue)), latency_(std::move(latency)) {}

  void on_state(session::SessionState state) override;
  void on_error(const session::SessionError& error) override;
  void on_message(const protocol::ServerMessage& message) override;
  void on_reply_started(const session::ReplyStart& start) override;
  // The application asked for EOS: while the session runs, the source ends
  // after its answer instead (true: the event is taken).
  bool end_after_answer(const session::Channel& channel);

 private:
  void add_audio(const protocol::Blob& blob);
  void audio_turn_events(const protocol::ServerContent& content);

  GstElement* const src_;  // valid while tapped: the tap is removed in stop()
  const Stream stream_;
  const std::shared_ptr<session::ReplyQueue> queue_;
  const std::shared_ptr<SrcLatency> latency_;
  std::atomic<bool> eos_requested_{false};
  bool warned_rate_ = false;  // the session's thread only
  bool warned_overflow_ = false;
  uint64_t turn_ = 0;              // the reply under way
  bool turn_sounded_ = false;      // some of its audio was queued
  bool turn_interrupted_ = false;  // and then dropped
};

}  // namespace geminilive::plugin
