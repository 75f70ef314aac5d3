#include "bus_messages.h"

#include <algorithm>
#include <optional>

namespace geminilive::plugin {

namespace {

GstStructure* transcript(const char* direction, const protocol::Transcription& t, GstClockTime running_time) {
  GstStructure* s = gst_structure_new("geminilive/transcript", "direction", G_TYPE_STRING, direction, "text",
                                      G_TYPE_STRING, t.text.c_str(), "finished", G_TYPE_BOOLEAN,
                                      static_cast<gboolean>(t.finished.value_or(false)), nullptr);
  if (t.language_code) gst_structure_set(s, "language-code", G_TYPE_STRING, t.language_code->c_str(), nullptr);
  if (GST_CLOCK_TIME_IS_VALID(running_time))
    gst_structure_set(s, "running-time", G_TYPE_UINT64, static_cast<guint64>(running_time), nullptr);
  return s;
}

// outputTranscription may be `{}`: nothing to tell.
bool worth_posting(const std::optional<protocol::Transcription>& t) {
  return t && (!t->text.empty() || t->finished.value_or(false));
}

void set_count(GstStructure* s, const char* field, const std::optional<int64_t>& count) {
  if (count) gst_structure_set(s, field, G_TYPE_INT64, static_cast<gint64>(*count), nullptr);
}

GstStructure* usage(const protocol::UsageMetadata& u) {
  GstStructure* s = gst_structure_new_empty("geminilive/usage");
  set_count(s, "prompt-tokens", u.prompt_token_count);
  set_count(s, "response-tokens", u.response_token_count);
  set_count(s, "total-tokens", u.total_token_count);
  set_count(s, "cached-tokens", u.cached_content_token_count);
  set_count(s, "thoughts-tokens", u.thoughts_token_count);
  set_count(s, "tool-use-prompt-tokens", u.tool_use_prompt_token_count);
  // Per modality: "prompt-audio-tokens", "response-text-tokens", ...
  const std::pair<const char*, const std::vector<protocol::ModalityTokenCount>*> details[] = {
      {"prompt", &u.prompt_tokens_details}, {"response", &u.response_tokens_details}};
  for (const auto& [prefix, list] : details) {
    for (const auto& m : *list) {
      if (m.modality.empty() || !std::all_of(m.modality.begin(), m.modality.end(), [](char c) { return g_ascii_isalpha(c); }))
        continue;  // a modality we cannot name
      g_autofree char* modality = g_ascii_strdown(m.modality.c_str(), -1);
      g_autofree char* field = g_strdup_printf("%s-%s-tokens", prefix, modality);
      gst_structure_set(s, field, G_TYPE_INT64, static_cast<gint64>(m.token_count), nullptr);
    }
  }
  return s;
}

}  // namespace

std::string function_call_args_json(const protocol::FunctionCall& call) {
  return call.args.is_null() ? "{}" : call.args.to_string(protocol::JsonStyle::Compact);
}

std::vector<GstStructure*> server_message_structures(const protocol::ServerMessage& m, GstClockTime running_time) {
  std::vector<GstStructure*> out;
  if (m.setup_complete) {
    GstStructure* s = gst_structure_new_empty("geminilive/setup-complete");
    if (m.setup_complete->session_id)
      gst_structure_set(s, "session-id", G_TYPE_STRING, m.setup_complete->session_id->c_str(), nullptr);
    out.push_back(s);
  }
  if (m.server_content) {
    const protocol::ServerContent& c = *m.server_content;
    if (worth_posting(c.input_transcription)) out.push_back(transcript("input", *c.input_transcription, running_time));
    if (worth_posting(c.output_transcription))
      out.push_back(transcript("output", *c.output_transcription, running_time));
    if (c.interrupted) out.push_back(gst_structure_new_empty("geminilive/interrupted"));
    if (c.generation_complete) out.push_back(gst_structure_new_empty("geminilive/generation-complete"));
    if (c.turn_complete) {
      GstStructure* s = gst_structure_new_empty("geminilive/turn-complete");
      if (c.turn_complete_reason) gst_structure_set(s, "reason", G_TYPE_STRING, c.turn_complete_reason->c_str(), nullptr);
      out.push_back(s);
    }
  }
  if (m.tool_call) {
    for (const auto& call : m.tool_call->function_calls)
      out.push_back(gst_structure_new("geminilive/tool-call", "id", G_TYPE_STRING, call.id.c_str(), "name",
                                      G_TYPE_STRING, call.name.c_str(), "args", G_TYPE_STRING,
                                      function_call_args_json(call).c_str(), nullptr));
  }
  if (m.tool_call_cancellation) {
    std::string ids;
    for (const auto& id : m.tool_call_cancellation->ids) ids += (ids.empty() ? "" : ",") + id;
    out.push_back(gst_structure_new("geminilive/tool-call-cancelled", "ids", G_TYPE_STRING, ids.c_str(), nullptr));
  }
  if (m.usage_metadata) out.push_back(usage(*m.usage_metadata));
  if (m.go_away) {
    GstStructure* s = gst_structure_new_empty("geminilive/go-away");
    if (m.go_away->time_left)
      gst_structure_set(s, "time-left", G_TYPE_UINT64, static_cast<guint64>(std::max<int64_t>(m.go_away->time_left->count(), 0)), nullptr);
    out.push_back(s);
  }
  return out;
}

namespace {
const char* cause_name(session::Reconnection::Cause cause) {
  return cause == session::Reconnection::Cause::GoAway ? "go-away" : "dropped";
}
}  // namespace

GstStructure* reconnecting_structure(const session::Reconnection& r) {
  return gst_structure_new("geminilive/reconnecting", "cause", G_TYPE_STRING, cause_name(r.cause), "reason",
                           G_TYPE_STRING, r.reason.c_str(), "attempt", G_TYPE_UINT, r.attempt, "delay-ms",
                           G_TYPE_UINT64, static_cast<guint64>(r.delay.count()), "close-code", G_TYPE_INT,
                           r.close_code, "resuming", G_TYPE_BOOLEAN, static_cast<gboolean>(r.resuming), nullptr);
}

GstStructure* resumed_structure(const session::Resumption& r) {
  return gst_structure_new("geminilive/resumed", "cause", G_TYPE_STRING, cause_name(r.cause), "resumed",
                           G_TYPE_BOOLEAN, static_cast<gboolean>(r.resumed), "attempts", G_TYPE_UINT, r.attempts,
                           "outage-ms", G_TYPE_UINT64, static_cast<guint64>(r.outage.count()), nullptr);
}

}  // namespace geminilive::plugin
