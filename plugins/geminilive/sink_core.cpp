// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sink_core.h"

#include <algorithm>

#include "bus_messages.h"
#include "element_util.h"
#include "errors.h"
#include "latency_message.h"

GST_DEBUG_CATEGORY_EXTERN(gst_gemini_live_sink_debug);
#define GST_CAT_DEFAULT gst_gemini_live_sink_debug

namespace geminilive::plugin {

guint sink_signals[SINK_SIGNAL_COUNT];

std::shared_ptr<session::LiveSession> SinkCore::session() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return session_;
}

bool SinkCore::failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failed_;
}

void SinkCore::push_limits_locked() {
  const GstClockTime interval = max_video_fps_ > 0 ? static_cast<GstClockTime>(GST_SECOND / max_video_fps_) : 0;
  for (auto& i : inputs_)
    gst_gemini_live_input_sink_set_limits(GST_GEMINI_LIVE_INPUT_SINK(i.element), interval, max_frame_size_);
}

void SinkCore::wake_inputs() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& i : inputs_) gst_gemini_live_input_sink_wake(GST_GEMINI_LIVE_INPUT_SINK(i.element));
}

void SinkCore::on_room() { wake_inputs(); }

void SinkCore::input_eos(GstElement* input, guint32 seqnum) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (auto& i : inputs_)
    if (i.element == input) i.eos = true;
  eos_seqnum_ = seqnum;
  GST_DEBUG_OBJECT(sink_, "EOS on %" GST_PTR_FORMAT, input);
  end_input_if_done(lock);
}

void SinkCore::input_flushed(GstElement* input) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& i : inputs_)
    if (i.element == input) i.eos = false;
}

void SinkCore::on_state(session::SessionState state) {
  GST_DEBUG_OBJECT(sink_, "session state %s", session::session_state_name(state));
  wake_inputs();  // an input waiting for room looks again
  if (state == session::SessionState::Ready) {
    ready();
    return;
  }
  if (state != session::SessionState::Finished) return;
  std::unique_lock<std::mutex> lock(mutex_);
  finished_ = true;
  post_eos_if_done(lock);
}

void SinkCore::on_message(const protocol::ServerMessage& message) {
  const GstClockTime running_time = running_time_now(sink_);
  for (GstStructure* s : server_message_structures(message, running_time)) {
    if (gst_structure_has_name(s, "geminilive/setup-complete")) {
      // Posted with Ready, which follows: from then on what is sent goes out.
      std::lock_guard<std::mutex> lock(mutex_);
      setup_complete_.reset(s);
      continue;
    }
    gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), s));
  }
  emit_tool_signals(message);
}

// Without an audio geminilivesrc on the channel nothing plays the answer:
// the latency message goes out here, at its first byte.
void SinkCore::on_reply_started(const session::ReplyStart& start) {
  std::shared_ptr<session::Channel> channel;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    channel = channel_.lock();
  }
  if (!channel || !channel->latency_reported()) post_latency(sink_, start);
}

void SinkCore::set_channel(std::weak_ptr<session::Channel> channel) {
  std::lock_guard<std::mutex> lock(mutex_);
  channel_ = std::move(channel);
}

void SinkCore::on_warning(const std::string& text) { post_warning(sink_, text); }

void SinkCore::on_reconnecting(const session::Reconnection& r) {
  GST_WARNING_OBJECT(sink_, "reconnecting (attempt %u, in %" G_GINT64_FORMAT " ms): %s", r.attempt,
                     static_cast<gint64>(r.delay.count()), r.reason.c_str());
  gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), reconnecting_structure(r)));
}

void SinkCore::on_resumed(const session::Resumption& r) {
  GST_INFO_OBJECT(sink_, "the session goes on over a new connection");
  gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), resumed_structure(r)));
}

void SinkCore::on_context_changed(const session::ContextApplied& applied) {
  GST_INFO_OBJECT(sink_, "the new context is in effect%s", applied.reconnected ? " (on a new connection)" : "");
  gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), context_updated_structure(applied)));
}

void SinkCore::on_error(const session::SessionError& error) {
  bool connecting;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connecting = !connected_ && !failed_;
    failed_ = true;
    for (auto& i : inputs_) gst_gemini_live_input_sink_set_failed(GST_GEMINI_LIVE_INPUT_SINK(i.element));
  }
  if (connecting) post_progress(GST_PROGRESS_TYPE_ERROR, "Could not connect.");
  post_session_error(sink_, error);
}

void SinkCore::add_input(GstElement* input, GstPad* ghost, InputKind kind) {
  std::lock_guard<std::mutex> lock(mutex_);
  inputs_.push_back({GST_ELEMENT(gst_object_ref(input)), ghost, kind, false});
  auto* sink = GST_GEMINI_LIVE_INPUT_SINK(input);
  gst_gemini_live_input_sink_set_session(sink, session_);
  if (failed_) gst_gemini_live_input_sink_set_failed(sink);
  push_limits_locked();
}

GstElement* SinkCore::remove_input(GstPad* ghost) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto it = std::find_if(inputs_.begin(), inputs_.end(), [&](const Input& i) { return i.ghost == ghost; });
  if (it == inputs_.end()) return nullptr;
  GstElement* input = it->element;
  inputs_.erase(it);
  // The pad that was still streaming may have been the last one.
  if (std::any_of(inputs_.begin(), inputs_.end(), [](const Input& i) { return i.eos; })) end_input_if_done(lock);
  return input;
}

bool SinkCore::has_input(InputKind kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::any_of(inputs_.begin(), inputs_.end(), [&](const Input& i) { return i.kind == kind; });
}

void SinkCore::set_max_video_fps(double fps) {
  std::lock_guard<std::mutex> lock(mutex_);
  max_video_fps_ = fps;
  push_limits_locked();
}

void SinkCore::set_max_frame_size(guint64 size) {
  std::lock_guard<std::mutex> lock(mutex_);
  max_frame_size_ = size;
  push_limits_locked();
}

void SinkCore::begin(std::shared_ptr<session::LiveSession> session) {
  std::lock_guard<std::mutex> lock(mutex_);
  session_ = std::move(session);
  for (auto& i : inputs_) gst_gemini_live_input_sink_set_session(GST_GEMINI_LIVE_INPUT_SINK(i.element), session_);
  setup_complete_.reset();
  for (auto& i : inputs_) i.eos = false;
  input_ended_ = finished_ = eos_posted_ = connected_ = failed_ = false;
  eos_seqnum_ = GST_SEQNUM_INVALID;
}

std::shared_ptr<session::LiveSession> SinkCore::end(bool* was_connecting) {
  std::lock_guard<std::mutex> lock(mutex_);
  *was_connecting = session_ && !connected_ && !failed_;
  for (auto& i : inputs_) gst_gemini_live_input_sink_set_session(GST_GEMINI_LIVE_INPUT_SINK(i.element), nullptr);
  return std::move(session_);
}

void SinkCore::post_progress(GstProgressType type, const char* text) {
  gst_element_post_message(sink_, gst_message_new_progress(GST_OBJECT(sink_), type, "connect", text));
}

// The session streams: the connection's PROGRESS COMPLETE and
// geminilive/setup-complete, unless the run already ended.
void SinkCore::ready() {
  StructurePtr message(nullptr, gst_structure_free);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!session_ || connected_) return;
    connected_ = true;
    message = std::move(setup_complete_);
  }
  post_progress(GST_PROGRESS_TYPE_COMPLETE, "Connected; the session is set up.");
  if (message) gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), message.release()));
}

// When every linked input has had EOS: the input is over. Unlocks.
void SinkCore::end_input_if_done(std::unique_lock<std::mutex>& lock) {
  if (input_ended_ || !session_) return;
  bool any_linked = false;
  bool audio_linked = false;
  for (const auto& i : inputs_) {
    if (!gst_pad_is_linked(i.ghost)) continue;
    if (!i.eos) return;
    any_linked = true;
    audio_linked |= i.kind == InputKind::Audio;
  }
  if (!any_linked) return;
  input_ended_ = true;
  auto session = session_;
  lock.unlock();  // the session is never called under our lock
  const session::SessionState state = session->state();
  if (state == session::SessionState::Finished || state == session::SessionState::Closed) {
    lock.lock();
    finished_ = true;
    post_eos_if_done(lock);
    return;
  }
  GST_INFO_OBJECT(sink_, "all inputs ended; ending the session's input (audioStreamEnd: %d)", audio_linked);
  session->end_input(audio_linked);
}

// After the inputs ended and the model's turn did: EOS for the pipeline.
void SinkCore::post_eos_if_done(std::unique_lock<std::mutex>& lock) {
  if (!input_ended_ || !finished_ || eos_posted_ || failed_) return;
  eos_posted_ = true;
  const guint32 seqnum = eos_seqnum_;
  lock.unlock();
  GST_INFO_OBJECT(sink_, "the answer is complete: EOS");
  GstMessage* eos = gst_message_new_eos(GST_OBJECT(sink_));
  if (seqnum != GST_SEQNUM_INVALID) gst_message_set_seqnum(eos, seqnum);
  gst_element_post_message(sink_, eos);
}

// After the bus messages: a handler may answer at once, and the messages
// still say first what was asked.
void SinkCore::emit_tool_signals(const protocol::ServerMessage& message) {
  if (message.tool_call) {
    for (const auto& call : message.tool_call->function_calls) {
      GST_INFO_OBJECT(sink_, "tool call %s: %s", call.id.c_str(), call.name.c_str());
      const std::string args = function_call_args_json(call);
      g_signal_emit(sink_, sink_signals[SIGNAL_TOOL_CALL], 0, call.id.c_str(), call.name.c_str(), args.c_str());
    }
  }
  if (message.tool_call_cancellation) {
    for (const auto& id : message.tool_call_cancellation->ids) {
      GST_INFO_OBJECT(sink_, "tool call %s cancelled", id.c_str());
      g_signal_emit(sink_, sink_signals[SIGNAL_TOOL_CALL_CANCELLED], 0, id.c_str());
    }
  }
}

}  // namespace geminilive::plugin
