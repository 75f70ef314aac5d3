// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink: the end of a pipeline that talks to a Gemini Live session.
// A GstBin with request pads audio, video and text, each backed by a private
// GstBaseSink (gstgeminiliveinputsink.h); it owns the session of its channel.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_GEMINI_LIVE_SINK (gst_gemini_live_sink_get_type())
G_DECLARE_FINAL_TYPE(GstGeminiLiveSink, gst_gemini_live_sink, GST, GEMINI_LIVE_SINK, GstBin)

#define GST_TYPE_GEMINI_LIVE_RESPONSE_MODALITY (gst_gemini_live_response_modality_get_type())
GType gst_gemini_live_response_modality_get_type(void);

G_END_DECLS
