// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivechangegate: a raw-video filter before the JPEG encoder that
// passes a frame only when the picture changed (or a still screen is due
// again), at most max-fps; the frames it drops are never encoded or sent.
#pragma once

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_GEMINI_LIVE_CHANGE_GATE (gst_gemini_live_change_gate_get_type())
G_DECLARE_FINAL_TYPE(GstGeminiLiveChangeGate, gst_gemini_live_change_gate, GST, GEMINI_LIVE_CHANGE_GATE, GstVideoFilter)

G_END_DECLS
