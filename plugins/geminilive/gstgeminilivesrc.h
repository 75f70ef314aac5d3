// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesrc: a live source of what the model says on a channel: its
// audio (paced for playback or raw for recording), its text, or the
// transcripts. Any number may tap one channel.
#pragma once

#include <gst/base/gstpushsrc.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_GEMINI_LIVE_SRC (gst_gemini_live_src_get_type())
G_DECLARE_FINAL_TYPE(GstGeminiLiveSrc, gst_gemini_live_src, GST, GEMINI_LIVE_SRC, GstPushSrc)

#define GST_TYPE_GEMINI_LIVE_SRC_STREAM (gst_gemini_live_src_stream_get_type())
GType gst_gemini_live_src_stream_get_type(void);

G_END_DECLS
