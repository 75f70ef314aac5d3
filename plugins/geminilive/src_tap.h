// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesrc's subscription to its channel: keeps from each server
// message what its stream wants, in the queue its streaming thread reads.
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <memory>

#include "protocol/content.h"
#include "session/reply_queue.h"
#include "session/session_events.h"

namespace geminilive::plugin {

// What a geminilivesrc outputs (its `stream` property).
enum Stream { STREAM_AUDIO, STREAM_TEXT, STREAM_INPUT_TRANSCRIPTION, STREAM_OUTPUT_TRANSCRIPTION };

inline constexpr int kReplyRate = 24000;  // Hz: what the service sends

class SrcTap final : public session::SessionObserver {
 public:
  SrcTap(GstElement* src, Stream stream, std::shared_ptr<session::ReplyQueue> queue)
      : src_(src), stream_(stream), queue_(std::move(queue)) {}

  void on_state(session::SessionState state) override;
  void on_error(const session::SessionError& error) override;
  void on_message(const protocol::ServerMessage& message) override;
  // The application asked for EOS while the session runs: end with it.
  void end_with_session() { eos_requested_ = true; }

 private:
  void add_audio(const protocol::Blob& blob);

  GstElement* const src_;  // valid while tapped: the tap is removed in stop()
  const Stream stream_;
  const std::shared_ptr<session::ReplyQueue> queue_;
  std::atomic<bool> eos_requested_{false};
  bool warned_rate_ = false;  // the session's thread only
  bool warned_overflow_ = false;
};

}  // namespace geminilive::plugin
