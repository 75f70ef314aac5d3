// The geminilive/… element messages that geminilivesink posts for what the
// service says (docs/elements.md lists them with their fields).
#pragma once

#include <gst/gst.h>

#include <vector>

#include "protocol/server_message.h"

namespace geminilive::plugin {

// The structures for one server message, in the order to post them:
// setup-complete, transcript (input, then output), interrupted,
// generation-complete, turn-complete, usage, go-away. `running_time` (when
// valid) is added to transcripts as "running-time". The caller owns them.
std::vector<GstStructure*> server_message_structures(const protocol::ServerMessage& message,
                                                     GstClockTime running_time = GST_CLOCK_TIME_NONE);

}  // namespace geminilive::plugin
