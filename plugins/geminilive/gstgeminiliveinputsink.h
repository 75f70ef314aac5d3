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

// What an input sink needs from its geminilivesink. Called from streaming
// threads.
class InputHost {
 public:
  virtual ~InputHost() = default;
  // The running session; null when stopped.
  virtual std::shared_ptr<session::LiveSession> session() const = 0;
  // The session failed (and the ERROR message is posted).
  virtual bool failed() const = 0;
  // The least time between two video frames sent (0: no limit).
  virtual GstClockTime video_interval() const = 0;
  // The largest buffer sent (0: no limit); larger ones are dropped.
  virtual guint64 max_frame_size() const = 0;
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
