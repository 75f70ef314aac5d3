// SPDX-License-Identifier: LGPL-2.1-or-later
// The private sink behind each request pad of geminilivesink: a GstBaseSink
// (so sync, preroll, flushing and EOS come from the base class) that turns
// buffers into client messages on the owner's session. Not registered as an
// element factory.
#pragma once

#include <gst/base/gstbasesink.h>
#include <gst/gst.h>

#include <memory>

#include "session/live_session.h"

namespace geminilive::plugin {

enum class InputKind { Audio, Video, Text };

// "audio", "video", "text": the request pad's name.
const char* input_kind_name(InputKind kind);
// What the pad accepts.
GstCaps* input_kind_caps(InputKind kind);

// What an input sink tells its geminilivesink, from streaming threads, at
// events (never per buffer: what a buffer needs is pushed into the input,
// see gst_gemini_live_input_sink_set_session() and _set_limits()).
class InputHost {
 public:
  virtual ~InputHost() = default;
  // The input had EOS (`seqnum`: the event's), after sending what it held.
  virtual void input_eos(GstElement* input, guint32 seqnum) = 0;
  // The input was flushed: it is no longer at EOS.
  virtual void input_flushed(GstElement* input) = 0;
};

}  // namespace geminilive::plugin

G_BEGIN_DECLS

#define GST_TYPE_GEMINI_LIVE_INPUT_SINK (gst_gemini_live_input_sink_get_type())
G_DECLARE_FINAL_TYPE(GstGeminiLiveInputSink, gst_gemini_live_input_sink, GST, GEMINI_LIVE_INPUT_SINK, GstBaseSink)

G_END_DECLS

GstElement* gst_gemini_live_input_sink_new(geminilive::plugin::InputKind kind,
                                           std::shared_ptr<geminilive::plugin::InputHost> host);
geminilive::plugin::InputKind gst_gemini_live_input_sink_kind(GstGeminiLiveInputSink* sink);

// What geminilivesink pushes into its inputs, from any thread: the session
// they feed (null: none), that it failed (the ERROR is posted: render()
// returns an error), and the limits of its properties.
void gst_gemini_live_input_sink_set_session(GstGeminiLiveInputSink* sink,
                                            std::shared_ptr<geminilive::session::LiveSession> session);
void gst_gemini_live_input_sink_set_failed(GstGeminiLiveInputSink* sink);
// `video_interval`: the least time between two frames sent (0: no limit);
// `max_frame_size`: larger buffers are dropped (0: no limit).
void gst_gemini_live_input_sink_set_limits(GstGeminiLiveInputSink* sink, GstClockTime video_interval,
                                           guint64 max_frame_size);
// The session may have room again (or changed state): a non-live input
// waiting for room looks again.
void gst_gemini_live_input_sink_wake(GstGeminiLiveInputSink* sink);
