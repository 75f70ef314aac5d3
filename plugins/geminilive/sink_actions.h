// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink's action signals, behind the GObject shell: each checks
// what the user asked and the session's state, sends, or declines with a
// WARNING message saying why (the caller may not check the return value).
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

#include "session/live_session.h"

namespace geminilive::plugin {

class SinkCore;

// What the actions need to know of the sink's settings, read under its lock.
struct ActionContext {
  GstElement* sink;
  SinkCore* core;
  std::string model;  // the running session's model
  bool vad = true;    // the service detects speech (activity-start/-end are refused)
};

// send-text: realtime text.
bool send_text(const ActionContext& c, const char* text);
// activity-start / activity-end: push-to-talk, with vad=false only.
bool send_activity(const ActionContext& c, bool start);
// send-content: one clientContent turn (role "user" or "model").
bool send_content(const ActionContext& c, const char* role, const char* text, bool turn_complete);
// send-tool-response: `scheduling` "silent" | "when-idle" | "interrupt" | NULL.
bool send_tool_response(const ActionContext& c, const char* id, const char* name, const char* response_json,
                        const char* scheduling, bool will_continue);
// A property that may change while PLAYING (system-instruction, tools) was
// set: the running session takes the change.
void update_context(const ActionContext& c, session::ContextChange change);

}  // namespace geminilive::plugin
