// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/tool_call_watch.h"

#include <gst/gst.h>

#include <algorithm>

#include "session/session_debug.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

using std::chrono::milliseconds;

bool ToolCallWatch::respond(const protocol::FunctionResponse& response) {
  const ToolCalls::Verdict verdict = calls_.respond(response);
  if (verdict == ToolCalls::Verdict::Send) return true;
  GST_DEBUG("dropping the response to tool call %s (%s): the call was %s", response.id.c_str(), response.name.c_str(),
            ToolCalls::verdict_name(verdict));
  return false;
}

void ToolCallWatch::called(const protocol::ToolCall& call, bool left, uint64_t handles) {
  if (left) {
    for (const auto& c : calls_.abandon(call))
      host_.warn("The tool call " + c.id + " (" + c.name +
                 ") came on a connection the session was leaving; its response cannot reach the model.");
    return;
  }
  calls_.called(call, handles, ToolCalls::Clock::now());
  arm();
}

// The calls the new connection's session does not hold are gone.
void ToolCallWatch::moved(bool resumes, uint64_t handles) {
  for (const auto& c : calls_.moved(resumes, handles))
    host_.warn("The tool call " + c.id + " (" + c.name +
               ") was lost with its connection; the model no longer waits for its response.");
}

void ToolCallWatch::arm() {
  const auto next = calls_.next_deadline();
  if (!next || is_terminal(host_.state())) {
    host_.cancel(SessionTimers::Timer::Tool);
    return;
  }
  const auto left = std::chrono::ceil<milliseconds>(*next - ToolCalls::Clock::now());
  host_.after(SessionTimers::Timer::Tool, std::max(left, milliseconds(0)), [this] { deadline(); });
}

// The model must not wait forever: an unanswered call gets an error.
void ToolCallWatch::deadline() {
  if (host_.torn_down() || is_terminal(host_.state())) return;  // nothing more goes out
  for (const auto& call : calls_.expire(ToolCalls::Clock::now())) {
    GST_INFO("tool call %s (%s) timed out", call.id.c_str(), call.name.c_str());
    host_.send(Outbound::encode(protocol::ToolResponse{{calls_.timeout_response(call)}}));
    host_.warn("The tool call " + call.id + " (" + call.name + ") had no response within " +
               seconds_text(calls_.timeout()) + " s; the model was told it failed.");
  }
  arm();
}

}  // namespace geminilive::session
