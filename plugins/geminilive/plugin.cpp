// SPDX-License-Identifier: LGPL-2.1-or-later
/**
 * plugin-geminilive:
 *
 * Google's Gemini Live API in GStreamer pipelines: geminilivesink sends
 * audio, video frames and text to a Live session; geminilivesrc plays or
 * records what the model answers; geminilivechangegate passes a video frame
 * only when the picture changed.
 */
#include "elements.h"

static gboolean plugin_init(GstPlugin* plugin) {
  gboolean ret = FALSE;
  ret |= GST_ELEMENT_REGISTER(geminilivesink, plugin);
  ret |= GST_ELEMENT_REGISTER(geminilivesrc, plugin);
  ret |= GST_ELEMENT_REGISTER(geminilivechangegate, plugin);
  return ret;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, geminilive,
                  "Google's Gemini Live API: talk to a model from a pipeline", plugin_init, VERSION, GST_LICENSE,
                  GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
