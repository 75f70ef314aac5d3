// SPDX-License-Identifier: LGPL-2.1-or-later
// What geminilivesink shares with its inputs (as their InputHost) and with
// its channel (as a tap): the running session, the inputs' EOS, and what the
// session says, posted as bus messages, PROGRESS, errors, EOS and signals.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <mutex>
#include <vector>

#include "gstgeminiliveinputsink.h"
#include "protocol/server_message.h"
#include "session/channel.h"
#include "session/live_session.h"
#include "session/session_events.h"

namespace geminilive::plugin {

// geminilivesink's signals that the core emits; their ids are set by the
// element's class_init.
enum SinkSignal { SIGNAL_TOOL_CALL, SIGNAL_TOOL_CALL_CANCELLED, SINK_SIGNAL_COUNT };
extern guint sink_signals[SINK_SIGNAL_COUNT];

class SinkCore final : public session::SessionObserver, public InputHost {
 public:
  explicit SinkCore(GstElement* sink) : sink_(sink) {}

  // The running session (null when stopped), for the action signals.
  std::shared_ptr<session::LiveSession> session() const;
  // The session failed (and the ERROR message is posted).
  bool failed() const;

  // ---- InputHost (streaming threads) ----
  void input_eos(GstElement* input, guint32 seqnum) override;
  void input_flushed(GstElement* input) override;

  // ---- SessionObserver (the session's thread) ----
  void on_state(session::SessionState state) override;
  void on_message(const protocol::ServerMessage& message) override;
  void on_reply_started(const session::ReplyStart& start) override;
  void on_warning(const std::string& text) override;
  void on_reconnecting(const session::Reconnection& r) override;
  void on_resumed(const session::Resumption& r) override;
  void on_context_changed(const session::ContextApplied& applied) override;
  void on_room() override;
  void on_error(const session::SessionError& error) override;

  // ---- geminilivesink ----
  // Holds a reference on `input` until remove_input(): a bin being disposed
  // drops its children before its request pads are released.
  void add_input(GstElement* input, GstPad* ghost, InputKind kind);
  // Returns the input behind `ghost` (null if none), with the reference.
  GstElement* remove_input(GstPad* ghost);
  bool has_input(InputKind kind) const;
  void set_max_video_fps(double fps);
  void set_max_frame_size(guint64 size);

  // The channel the sink's session is published on (the sink posts each
  // turn's latency when no audio geminilivesrc on it does).
  void set_channel(std::weak_ptr<session::Channel> channel);
  // A new run: the session the inputs feed.
  void begin(std::shared_ptr<session::LiveSession> session);
  // The end of a run: returns the session for the caller to stop, and
  // whether it never connected.
  std::shared_ptr<session::LiveSession> end(bool* was_connecting);

  void post_progress(GstProgressType type, const char* text);

 private:
  using StructurePtr = std::unique_ptr<GstStructure, decltype(&gst_structure_free)>;
  struct Input {
    GstElement* element;
    GstPad* ghost;
    InputKind kind;
    bool eos;
  };

  void ready();
  void end_input_if_done(std::unique_lock<std::mutex>& lock);
  void post_eos_if_done(std::unique_lock<std::mutex>& lock);
  void emit_tool_signals(const protocol::ServerMessage& message);
  // Pushes what a buffer needs into the inputs (under mutex_), so that
  // rendering never calls back into the sink.
  void push_limits_locked();
  void wake_inputs();

  GstElement* const sink_;  // outlives every call: the tap is removed and the inputs gone before it finalizes
  mutable std::mutex mutex_;
  std::shared_ptr<session::LiveSession> session_;
  std::weak_ptr<session::Channel> channel_;  // weak: the channel holds the core
  std::vector<Input> inputs_;
  double max_video_fps_ = 1.0;
  guint64 max_frame_size_ = 0;
  bool input_ended_ = false;  // end_input() was called
  bool finished_ = false;     // the session reached Finished
  bool eos_posted_ = false;
  bool connected_ = false;  // the session reached Ready
  // setupComplete's message, posted when the session is Ready.
  StructurePtr setup_complete_{nullptr, gst_structure_free};
  bool failed_ = false;
  guint32 eos_seqnum_ = GST_SEQNUM_INVALID;
};

}  // namespace geminilive::plugin
