// SPDX-License-Identifier: LGPL-2.1-or-later
#include "latency_message.h"

namespace geminilive::plugin {
namespace {

constexpr GstClockTime us_to_ns(int64_t us) { return static_cast<GstClockTime>(us) * GST_USECOND; }

GstClockTime span(int64_t from_us, int64_t to_us) { return to_us > from_us ? us_to_ns(to_us - from_us) : 0; }

}  // namespace

GstClockTime monotonic_to_clock_time(GstElement* element, int64_t monotonic_us) {
  const GstClockTime instant = us_to_ns(monotonic_us);
  GstClock* clock = gst_element_get_clock(element);
  if (!clock) return instant;
  const GstClockTime clock_now = gst_clock_get_time(clock);
  const GstClockTime monotonic_now = us_to_ns(g_get_monotonic_time());
  gst_object_unref(clock);
  const GstClockTime ago = monotonic_now > instant ? monotonic_now - instant : 0;
  return clock_now > ago ? clock_now - ago : 0;
}

GstStructure* latency_structure(GstElement* element, const session::ReplyStart& reply,
                                std::optional<int64_t> first_sample_us) {
  GstStructure* s =
      gst_structure_new("geminilive/latency", "turn", G_TYPE_UINT, static_cast<guint>(reply.turn), "first-byte",
                        G_TYPE_UINT64, monotonic_to_clock_time(element, reply.received_us), nullptr);
  if (first_sample_us)
    gst_structure_set(s, "first-sample", G_TYPE_UINT64, monotonic_to_clock_time(element, *first_sample_us), nullptr);
  if (const auto& end = reply.speech_end) {
    gst_structure_set(s, "speech-end-source", G_TYPE_STRING, session::speech_end_source_name(end->source), "speech-end",
                      G_TYPE_UINT64, monotonic_to_clock_time(element, end->at_us), "to-first-byte", G_TYPE_UINT64,
                      span(end->at_us, reply.received_us), nullptr);
    if (first_sample_us)
      gst_structure_set(s, "to-first-sample", G_TYPE_UINT64, span(end->at_us, *first_sample_us), nullptr);
  }
  return s;
}

GstClockTime post_latency(GstElement* element, const session::ReplyStart& reply,
                          std::optional<int64_t> first_sample_us) {
  GstStructure* s = latency_structure(element, reply, first_sample_us);
  GstClockTime to_first_sample = GST_CLOCK_TIME_NONE;
  gst_structure_get_uint64(s, "to-first-sample", &to_first_sample);
  GST_DEBUG_OBJECT(element, "latency %" GST_PTR_FORMAT, s);
  gst_element_post_message(element, gst_message_new_element(GST_OBJECT(element), s));
  return to_first_sample;
}

}  // namespace geminilive::plugin
