// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bus_messages.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

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
  // Per modality: "prompt-audio-tokens", "response-text-tokens",
  // "cached-text-tokens", "tool-use-prompt-text-tokens", ...
  const std::pair<const char*, const std::vector<protocol::ModalityTokenCount>*> details[] = {
      {"prompt", &u.prompt_tokens_details},
      {"response", &u.response_tokens_details},
      {"cached", &u.cache_tokens_details},
      {"tool-use-prompt", &u.tool_use_prompt_tokens_details}};
  for (const auto& [prefix, list] : details) {
    for (const auto& m : *list) {
      if (m.modality.empty() ||
          !std::all_of(m.modality.begin(), m.modality.end(), [](char c) { return g_ascii_isalpha(c); }))
        continue;  // a modality we cannot name
      g_autofree char* modality = g_ascii_strdown(m.modality.c_str(), -1);
      g_autofree char* field = g_strdup_printf("%s-%s-tokens", prefix, modality);
      gst_structure_set(s, field, G_TYPE_INT64, static_cast<gint64>(m.token_count), nullptr);
    }
  }
  return s;
}

// A string member of the JSON object `value`, "" when there is none.
const char* string_member(const protocol::JsonValue& value, const char* name) {
  if (!JSON_NODE_HOLDS_OBJECT(value.node())) return "";
  JsonNode* n = json_object_get_member(json_node_get_object(value.node()), name);
  return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n) : "";
}

void add_line(std::string& lines, const std::string& line) { lines += (lines.empty() ? "" : "\n") + line; }

// groundingMetadata: what the model searched for and the pages it used.
GstStructure* grounding(const protocol::JsonValue& metadata) {
  std::string queries, sources;
  for (const auto& q : protocol::grounding_queries(metadata)) add_line(queries, q);
  for (const auto& source : protocol::grounding_sources(metadata))
    add_line(sources, (source.title.empty() ? source.uri : source.title) + " <" + source.uri + ">");
  return gst_structure_new("geminilive/grounding", "queries", G_TYPE_STRING, queries.c_str(), "sources", G_TYPE_STRING,
                           sources.c_str(), "json", G_TYPE_STRING, metadata.to_string().c_str(), nullptr);
}

// urlContextMetadata: the pages the model read, one "url status" a line.
GstStructure* url_context(const protocol::JsonValue& metadata) {
  std::string urls;
  for (const auto& u : protocol::url_retrievals(metadata))
    add_line(urls, u.url + (u.status.empty() ? "" : " " + u.status));
  return gst_structure_new("geminilive/url-context", "urls", G_TYPE_STRING, urls.c_str(), "json", G_TYPE_STRING,
                           metadata.to_string().c_str(), nullptr);
}

// The model's parts that are not its answer: thoughts, code it ran and what
// the code gave.
void part_structures(const protocol::Content& turn, std::vector<GstStructure*>& out) {
  for (const auto& part : turn.parts) {
    if (part.text && part.thought.value_or(false))
      out.push_back(gst_structure_new("geminilive/thought", "text", G_TYPE_STRING, part.text->c_str(), nullptr));
    if (!part.executable_code.is_null())
      out.push_back(gst_structure_new("geminilive/executable-code", "language", G_TYPE_STRING,
                                      string_member(part.executable_code, "language"), "code", G_TYPE_STRING,
                                      string_member(part.executable_code, "code"), nullptr));
    if (!part.code_execution_result.is_null())
      out.push_back(gst_structure_new("geminilive/code-execution-result", "outcome", G_TYPE_STRING,
                                      string_member(part.code_execution_result, "outcome"), "output", G_TYPE_STRING,
                                      string_member(part.code_execution_result, "output"), nullptr));
  }
}

GstStructure* voice_activity(bool start, const char* signal, std::optional<std::chrono::nanoseconds> offset) {
  GstStructure* s = gst_structure_new("geminilive/voice-activity", "type", G_TYPE_STRING, start ? "start" : "end",
                                      "signal", G_TYPE_STRING, signal, nullptr);
  if (offset)
    gst_structure_set(s, "audio-offset", G_TYPE_UINT64, static_cast<guint64>(std::max<int64_t>(offset->count(), 0)),
                      nullptr);
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
    if (c.model_turn) part_structures(*c.model_turn, out);
    if (!c.grounding_metadata.is_null()) out.push_back(grounding(c.grounding_metadata));
    if (!c.url_context_metadata.is_null()) out.push_back(url_context(c.url_context_metadata));
    if (c.interrupted) out.push_back(gst_structure_new_empty("geminilive/interrupted"));
    if (c.waiting_for_input) out.push_back(gst_structure_new_empty("geminilive/waiting-for-input"));
    if (c.generation_complete) out.push_back(gst_structure_new_empty("geminilive/generation-complete"));
    if (c.turn_complete) {
      GstStructure* s = gst_structure_new_empty("geminilive/turn-complete");
      if (c.turn_complete_reason)
        gst_structure_set(s, "reason", G_TYPE_STRING, c.turn_complete_reason->c_str(), nullptr);
      out.push_back(s);
    }
    if (c.interaction_status)
      out.push_back(gst_structure_new("geminilive/interaction-status", "status", G_TYPE_STRING,
                                      c.interaction_status->c_str(), nullptr));
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
  if (m.voice_activity && (m.voice_activity->type == "ACTIVITY_START" || m.voice_activity->type == "ACTIVITY_END"))
    out.push_back(
        voice_activity(m.voice_activity->type == "ACTIVITY_START", "voiceActivity", m.voice_activity->audio_offset));
  if (const auto& v = m.voice_activity_detection_signal;
      v && (v->vad_signal_type == "VAD_SIGNAL_TYPE_SOS" || v->vad_signal_type == "VAD_SIGNAL_TYPE_EOS"))
    out.push_back(voice_activity(v->vad_signal_type == "VAD_SIGNAL_TYPE_SOS", "voiceActivityDetectionSignal", {}));
  if (m.usage_metadata) out.push_back(usage(*m.usage_metadata));
  if (m.go_away) {
    GstStructure* s = gst_structure_new_empty("geminilive/go-away");
    if (m.go_away->time_left)
      gst_structure_set(s, "time-left", G_TYPE_UINT64,
                        static_cast<guint64>(std::max<int64_t>(m.go_away->time_left->count(), 0)), nullptr);
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
                           G_TYPE_UINT64, static_cast<guint64>(r.delay.count()), "close-code", G_TYPE_INT, r.close_code,
                           "resuming", G_TYPE_BOOLEAN, static_cast<gboolean>(r.resuming), nullptr);
}

GstStructure* context_updated_structure(const session::ContextApplied& a) {
  return gst_structure_new("geminilive/context-updated", "reconnected", G_TYPE_BOOLEAN,
                           static_cast<gboolean>(a.reconnected), "resumed", G_TYPE_BOOLEAN,
                           static_cast<gboolean>(a.resumed), nullptr);
}

GstStructure* resumed_structure(const session::Resumption& r) {
  return gst_structure_new("geminilive/resumed", "cause", G_TYPE_STRING, cause_name(r.cause), "resumed", G_TYPE_BOOLEAN,
                           static_cast<gboolean>(r.resumed), "attempts", G_TYPE_UINT, r.attempts, "outage-ms",
                           G_TYPE_UINT64, static_cast<guint64>(r.outage.count()), nullptr);
}

}  // namespace geminilive::plugin
