// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sink_actions.h"

#include <cstring>

#include "errors.h"
#include "protocol/client_message.h"
#include "session/model_rules.h"
#include "sink_core.h"

GST_DEBUG_CATEGORY_EXTERN(gst_gemini_live_sink_debug);
#define GST_CAT_DEFAULT gst_gemini_live_sink_debug

namespace geminilive::plugin {

namespace {

bool decline(const ActionContext& c, const std::string& text) {
  GST_WARNING_OBJECT(c.sink, "%s", text.c_str());
  post_warning(c.sink, text);
  return false;
}

// The running session, or null with the reason in `why`.
std::shared_ptr<session::LiveSession> running_session(const ActionContext& c, std::string* why) {
  auto session = c.core->session();
  if (!session) {
    *why = "the sink is not PAUSED or PLAYING.";
    return nullptr;
  }
  const session::SessionState state = session->state();
  if (c.core->failed() || state == session::SessionState::Failed) {
    *why = "the session has failed.";
    return nullptr;
  }
  if (state == session::SessionState::Finished || state == session::SessionState::Closed) {
    *why = "the session has ended.";
    return nullptr;
  }
  return session;
}

std::optional<std::string> scheduling_wire(const char* scheduling) {
  if (!scheduling || !*scheduling) return std::string();
  if (!std::strcmp(scheduling, "silent")) return std::string("SILENT");
  if (!std::strcmp(scheduling, "when-idle")) return std::string("WHEN_IDLE");
  if (!std::strcmp(scheduling, "interrupt")) return std::string("INTERRUPT");
  return std::nullopt;
}

}  // namespace

bool send_text(const ActionContext& c, const char* text) {
  auto session = c.core->session();
  if (!session || !text || !*text) return false;
  if (!g_utf8_validate(text, -1, nullptr)) {
    GST_WARNING_OBJECT(c.sink, "send-text: the text is not UTF-8; not sent");
    return false;
  }
  session->send(protocol::RealtimeInput::with_text(text));
  return true;
}

bool send_activity(const ActionContext& c, bool start) {
  const char* what = start ? "activity-start" : "activity-end";
  if (c.vad)
    return decline(c, std::string(what) +
                          " was not sent: the service detects speech itself while vad is on; set vad=false for "
                          "push-to-talk.");
  std::string why;
  auto session = running_session(c, &why);
  if (!session) return decline(c, std::string(what) + " was not sent: " + why);
  protocol::RealtimeInput input;
  (start ? input.activity_start : input.activity_end) = true;
  GST_DEBUG_OBJECT(c.sink, "%s", what);
  session->send(input);
  return true;
}

bool send_content(const ActionContext& c, const char* role, const char* text, bool turn_complete) {
  const std::string r = role && *role ? role : "user";
  if (r != "user" && r != "model")
    return decline(c, "send-content: the role must be \"user\" or \"model\", not \"" + r + "\"; not sent.");
  if (!text || !g_utf8_validate(text, -1, nullptr)) return decline(c, "send-content: the text is not UTF-8; not sent.");
  if (const auto* rules = session::find_model_rules(c.model); rules && !rules->mid_session_client_content)
    return decline(c, "send-content was not sent: " + session::model_id(c.model) +
                          " takes conversation turns only as initial history (the history property); use "
                          "send-text, or a model such as gemini-3.8-live.");
  std::string why;
  auto session = running_session(c, &why);
  if (!session) return decline(c, "send-content was not sent: " + why);
  protocol::ClientContent content;
  content.turns.push_back(protocol::Content::from_text(text, r));
  content.turn_complete = turn_complete;
  session->send(content);
  return true;
}

bool send_tool_response(const ActionContext& c, const char* id, const char* name, const char* response_json,
                        const char* scheduling, bool will_continue) {
  const std::string prefix = "The response to tool call \"" + std::string(id ? id : "") + "\" was not sent: ";
  if (!name || !*name) return decline(c, prefix + "no function name was given.");
  auto response = protocol::JsonValue::parse(response_json ? response_json : "");
  if (!response || !response->is_object())
    return decline(c, prefix + "the response must be a JSON object, such as {\"output\": ...} (" +
                          (response ? std::string("got another JSON value") : response.error()) + ").");
  auto wire = scheduling_wire(scheduling);
  if (!wire)
    return decline(
        c, prefix + "scheduling must be \"silent\", \"when-idle\", \"interrupt\" or NULL, not \"" + scheduling + "\".");
  std::string why;
  auto session = running_session(c, &why);
  if (!session) return decline(c, prefix + why);

  protocol::FunctionResponse answer;
  answer.id = id ? id : "";
  answer.name = name;
  answer.response = std::move(response).value();
  if (!wire->empty()) answer.scheduling = *wire;
  if (will_continue) answer.will_continue = true;
  GST_INFO_OBJECT(c.sink, "tool response %s: %s", answer.id.c_str(), name);
  // Declined quietly (a debug line in the session) when the service
  // cancelled the call or the tool timeout answered it.
  return session->send_tool_response(std::move(answer));
}

void update_context(const ActionContext& c, session::ContextChange change) {
  std::string why;
  auto session = running_session(c, &why);
  if (!session) return;  // the next start takes the new value
  GST_INFO_OBJECT(c.sink, "changing the session's %s%s%s", change.system_instruction ? "system instruction" : "",
                  change.system_instruction && change.tools ? " and " : "", change.tools ? "tools" : "");
  session->update_context(std::move(change));
}

}  // namespace geminilive::plugin
