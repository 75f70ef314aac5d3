// SPDX-License-Identifier: LGPL-2.1-or-later
// The geminilive/… element messages that geminilivesink posts for what the
// service says (docs/elements.md lists them with their fields).
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

#include "protocol/server_message.h"
#include "session/session_events.h"

namespace geminilive::plugin {

// The structures for one server message, in the order to post them:
// setup-complete, transcript (input, then output), thought, executable-code,
// code-execution-result, grounding, url-context, interrupted,
// waiting-for-input, generation-complete, turn-complete, interaction-status,
// tool-call (one per function call), tool-call-cancelled, voice-activity,
// usage, go-away. `running_time` (when valid) is
// added to transcripts as "running-time". The caller owns them.
std::vector<GstStructure*> server_message_structures(const protocol::ServerMessage& message,
                                                     GstClockTime running_time = GST_CLOCK_TIME_NONE);

// A function call's `args` as compact JSON, "{}" when absent: the "args" of
// geminilive/tool-call and the args_json of the tool-call signal.
std::string function_call_args_json(const protocol::FunctionCall& call);

// geminilive/reconnecting: cause ("go-away" or "dropped"), reason, attempt,
// delay-ms, close-code, resuming.
GstStructure* reconnecting_structure(const session::Reconnection& reconnection);
// geminilive/context-updated: reconnected, resumed.
GstStructure* context_updated_structure(const session::ContextApplied& applied);
// geminilive/resumed: cause, resumed (FALSE: a fresh conversation),
// attempts, outage-ms.
GstStructure* resumed_structure(const session::Resumption& resumption);

}  // namespace geminilive::plugin
