// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive/latency, the element message that tells how long the user waited
// for a turn's answer (docs/elements.md): the session's monotonic instants
// (session/turn_timing.h) put on the element's pipeline clock.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <optional>

#include "session/turn_timing.h"

namespace geminilive::plugin {

// A g_get_monotonic_time() instant (µs) as a time of the element's clock:
// both are sampled now and the difference applied, so any pipeline clock
// works (GstSystemClock's default monotonic one gives the same instant).
// Without a clock (not PLAYING): the monotonic time in ns.
GstClockTime monotonic_to_clock_time(GstElement* element, int64_t monotonic_us);

// geminilive/latency for one reply: turn, first-byte and, when known,
// speech-end-source, speech-end, to-first-byte; with `first_sample_us`,
// first-sample and (with speech-end) to-first-sample. Times on the pipeline
// clock, durations in ns.
GstStructure* latency_structure(GstElement* element, const session::ReplyStart& reply,
                                std::optional<int64_t> first_sample_us = std::nullopt);

// Posts it on `element`'s bus; returns to-first-sample (GST_CLOCK_TIME_NONE
// when unknown).
GstClockTime post_latency(GstElement* element, const session::ReplyStart& reply,
                          std::optional<int64_t> first_sample_us = std::nullopt);

}  // namespace geminilive::plugin
