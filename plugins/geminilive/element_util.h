// SPDX-License-Identifier: LGPL-2.1-or-later
// Facts both geminilive elements share, said once: the default channel, the
// caps of their pads, and the running time of an element's clock.
#pragma once

#include <gst/gst.h>

namespace geminilive::plugin {

// The channel a sink and its sources meet on when none is named.
inline constexpr char kDefaultChannel[] = "default";

// geminilivesink's request pads.
#define GEMINILIVE_INPUT_AUDIO_CAPS \
  "audio/x-raw, format=(string)S16LE, layout=(string)interleaved, channels=(int)1, rate=(int)[8000, 48000]"
#define GEMINILIVE_IMAGE_CAPS "image/jpeg; image/png"
#define GEMINILIVE_TEXT_CAPS "text/x-raw, format=(string)utf8"
// geminilivesrc's audio: the model's 24 kHz voice.
#define GEMINILIVE_REPLY_AUDIO_CAPS \
  "audio/x-raw, format=(string)S16LE, layout=(string)interleaved, channels=(int)1, rate=(int)24000"

// The element's running time now, GST_CLOCK_TIME_NONE without a clock.
inline GstClockTime running_time_now(GstElement* element) {
  GstClock* clock = gst_element_get_clock(element);
  if (!clock) return GST_CLOCK_TIME_NONE;
  const GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  const GstClockTime base = gst_element_get_base_time(element);
  return now >= base ? now - base : GST_CLOCK_TIME_NONE;
}

}  // namespace geminilive::plugin
