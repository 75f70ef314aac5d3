// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/server_message.h"

#include "protocol/duration.h"
#include "protocol/json_fields.h"

namespace geminilive::protocol {

using namespace json;

bool ServerMessage::empty() const {
  return !setup_complete && !server_content && !tool_call && !tool_call_cancellation && !go_away &&
         !session_resumption_update && !usage_metadata && !voice_activity_detection_signal && !voice_activity;
}

namespace {

// Encoding -----------------------------------------------------------------

JsonNode* transcription_to_json(const Transcription& t) {
  ObjectBuilder b;
  b.set("text", t.text);
  b.set("finished", t.finished);
  b.set("languageCode", t.language_code);
  return b.release();
}

JsonNode* server_content_to_json(const ServerContent& c) {
  ObjectBuilder b;
  if (c.model_turn) b.set("modelTurn", content_to_json(*c.model_turn));
  if (c.input_transcription) b.set("inputTranscription", transcription_to_json(*c.input_transcription));
  if (c.output_transcription) b.set("outputTranscription", transcription_to_json(*c.output_transcription));
  if (c.interim_input_transcription)
    b.set("interimInputTranscription", transcription_to_json(*c.interim_input_transcription));
  if (c.interrupted) b.set("interrupted", true);
  if (c.generation_complete) b.set("generationComplete", true);
  if (c.turn_complete) b.set("turnComplete", true);
  if (c.waiting_for_input) b.set("waitingForInput", true);
  b.set("turnCompleteReason", c.turn_complete_reason);
  b.set("interactionStatus", c.interaction_status);
  b.set("groundingMetadata", c.grounding_metadata);
  b.set("urlContextMetadata", c.url_context_metadata);
  return b.release();
}

JsonNode* modality_counts_to_json(const std::vector<ModalityTokenCount>& counts) {
  JsonArray* array = json_array_new();
  for (const auto& c : counts) {
    ObjectBuilder b;
    b.set("modality", c.modality);
    b.set_int("tokenCount", c.token_count);
    json_array_add_element(array, b.release());
  }
  return take_array_node(array);
}

JsonNode* usage_to_json(const UsageMetadata& u) {
  ObjectBuilder b;
  b.set_int("promptTokenCount", u.prompt_token_count);
  b.set_int("cachedContentTokenCount", u.cached_content_token_count);
  b.set_int("responseTokenCount", u.response_token_count);
  b.set_int("toolUsePromptTokenCount", u.tool_use_prompt_token_count);
  b.set_int("thoughtsTokenCount", u.thoughts_token_count);
  b.set_int("totalTokenCount", u.total_token_count);
  if (!u.prompt_tokens_details.empty()) b.set("promptTokensDetails", modality_counts_to_json(u.prompt_tokens_details));
  if (!u.cache_tokens_details.empty()) b.set("cacheTokensDetails", modality_counts_to_json(u.cache_tokens_details));
  if (!u.response_tokens_details.empty())
    b.set("responseTokensDetails", modality_counts_to_json(u.response_tokens_details));
  if (!u.tool_use_prompt_tokens_details.empty())
    b.set("toolUsePromptTokensDetails", modality_counts_to_json(u.tool_use_prompt_tokens_details));
  return b.release();
}

// Decoding -----------------------------------------------------------------

std::optional<Transcription> transcription_from_json(const ObjectView& parent, const char* name) {
  auto o = parent.get_object(name);
  if (!o) return std::nullopt;
  Transcription t;
  t.text = o->get_string("text").value_or("");
  t.finished = o->get_bool("finished");
  t.language_code = o->get_string("languageCode");
  return t;
}

ServerContent server_content_from_json(const ObjectView& o) {
  ServerContent c;
  if (JsonNode* n = o.find("modelTurn")) c.model_turn = content_from_json(n, o.path("modelTurn"), o.errors());
  c.generation_complete = o.get_bool("generationComplete").value_or(false);
  c.turn_complete = o.get_bool("turnComplete").value_or(false);
  c.interrupted = o.get_bool("interrupted").value_or(false);
  c.waiting_for_input = o.get_bool("waitingForInput").value_or(false);
  c.input_transcription = transcription_from_json(o, "inputTranscription");
  c.output_transcription = transcription_from_json(o, "outputTranscription");
  c.interim_input_transcription = transcription_from_json(o, "interimInputTranscription");
  c.turn_complete_reason = o.get_string("turnCompleteReason");
  c.interaction_status = o.get_string("interactionStatus");
  c.grounding_metadata = o.get_value("groundingMetadata");
  c.url_context_metadata = o.get_value("urlContextMetadata");
  return c;
}

std::vector<ModalityTokenCount> modality_counts_from_json(const ObjectView& o, const char* name) {
  std::vector<ModalityTokenCount> counts;
  o.for_each(name, [&](JsonNode* n, const std::string& p) {
    if (auto e = as_object(n, p, o.errors()))
      counts.push_back({e->get_string("modality").value_or(""), e->get_int("tokenCount").value_or(0)});
  });
  return counts;
}

UsageMetadata usage_from_json(const ObjectView& o) {
  UsageMetadata u;
  u.prompt_token_count = o.get_int("promptTokenCount");
  u.cached_content_token_count = o.get_int("cachedContentTokenCount");
  // Vertex names the response "candidates".
  u.response_token_count =
      o.has("responseTokenCount") ? o.get_int("responseTokenCount") : o.get_int("candidatesTokenCount");
  u.tool_use_prompt_token_count = o.get_int("toolUsePromptTokenCount");
  u.thoughts_token_count = o.get_int("thoughtsTokenCount");
  u.total_token_count = o.get_int("totalTokenCount");
  u.prompt_tokens_details = modality_counts_from_json(o, "promptTokensDetails");
  u.cache_tokens_details = modality_counts_from_json(o, "cacheTokensDetails");
  u.response_tokens_details = modality_counts_from_json(
      o, o.has("responseTokensDetails") ? "responseTokensDetails" : "candidatesTokensDetails");
  u.tool_use_prompt_tokens_details = modality_counts_from_json(o, "toolUsePromptTokensDetails");
  return u;
}

std::optional<std::chrono::nanoseconds> duration_field(const ObjectView& o, const char* name) {
  auto text = o.get_string(name);
  if (!text) return std::nullopt;
  auto d = parse_duration(*text);
  if (!d) o.errors().fail(o.path(name), "expected a duration such as \"50s\"");
  return d;
}

// The root of a metadata value, or nothing when it is not an object.
std::optional<ObjectView> metadata_view(const JsonValue& value, Errors& errors) {
  if (!value.is_object()) return std::nullopt;
  return ObjectView(json_node_get_object(value.node()), "", errors);
}

// `fn(ObjectView)` for each object in the array `name`; other elements are skipped.
template <typename F>
void for_each_object(const ObjectView& o, const char* name, F&& fn) {
  JsonNode* node = o.find(name);
  if (!node || !JSON_NODE_HOLDS_ARRAY(node)) return;
  JsonArray* array = json_node_get_array(node);
  for (guint i = 0; i < json_array_get_length(array); ++i) {
    JsonNode* element = json_array_get_element(array, i);
    Errors errors;  // one per element: a bad one does not stop the rest
    if (JSON_NODE_HOLDS_OBJECT(element)) fn(ObjectView(json_node_get_object(element), "", errors));
  }
}

}  // namespace

std::vector<std::string> grounding_queries(const JsonValue& grounding_metadata) {
  std::vector<std::string> queries;
  Errors errors;
  auto o = metadata_view(grounding_metadata, errors);
  JsonNode* node = o ? o->find("webSearchQueries") : nullptr;
  if (!node || !JSON_NODE_HOLDS_ARRAY(node)) return queries;
  JsonArray* array = json_node_get_array(node);
  for (guint i = 0; i < json_array_get_length(array); ++i) {
    JsonNode* q = json_array_get_element(array, i);
    if (JSON_NODE_HOLDS_VALUE(q) && json_node_get_value_type(q) == G_TYPE_STRING)
      queries.emplace_back(json_node_get_string(q));
  }
  return queries;
}

std::vector<GroundingSource> grounding_sources(const JsonValue& grounding_metadata) {
  std::vector<GroundingSource> sources;
  Errors errors;
  auto o = metadata_view(grounding_metadata, errors);
  if (!o) return sources;
  for_each_object(*o, "groundingChunks", [&](const ObjectView& chunk) {
    auto source = chunk.get_object("web");
    if (!source) source = chunk.get_object("retrievedContext");
    if (!source) return;
    GroundingSource s;
    s.uri = source->get_string("uri").value_or("");
    s.title = source->get_string("title").value_or(source->get_string("domain").value_or(""));
    if (s.uri.empty()) return;
    for (const auto& seen : sources)
      if (seen.uri == s.uri) return;
    sources.push_back(std::move(s));
  });
  return sources;
}

std::optional<std::string> grounding_search_entry_point(const JsonValue& grounding_metadata) {
  Errors errors;
  auto o = metadata_view(grounding_metadata, errors);
  if (!o) return std::nullopt;
  auto entry = o->get_object("searchEntryPoint");
  if (!entry) return std::nullopt;
  return entry->get_string("renderedContent");
}

std::vector<UrlRetrieval> url_retrievals(const JsonValue& url_context_metadata) {
  std::vector<UrlRetrieval> retrievals;
  Errors errors;
  auto o = metadata_view(url_context_metadata, errors);
  if (!o) return retrievals;
  for_each_object(*o, "urlMetadata", [&](const ObjectView& m) {
    auto url = m.get_string("retrievedUrl");
    if (!url || url->empty()) return;
    retrievals.push_back({*url, m.get_string("urlRetrievalStatus").value_or("URL_RETRIEVAL_STATUS_UNSPECIFIED")});
  });
  return retrievals;
}

std::string encode_server_message(const ServerMessage& m, JsonStyle style) {
  ObjectBuilder b;
  if (m.setup_complete) {
    ObjectBuilder s;
    s.set("sessionId", m.setup_complete->session_id);
    b.set("setupComplete", s.release());
  }
  if (m.server_content) b.set("serverContent", server_content_to_json(*m.server_content));
  if (m.tool_call) {
    JsonArray* calls = json_array_new();
    for (const auto& c : m.tool_call->function_calls) json_array_add_element(calls, function_call_to_json(c));
    ObjectBuilder t;
    t.set("functionCalls", take_array_node(calls));
    b.set("toolCall", t.release());
  }
  if (m.tool_call_cancellation) {
    ObjectBuilder t;
    t.set("ids", string_array_node(m.tool_call_cancellation->ids));
    b.set("toolCallCancellation", t.release());
  }
  if (m.go_away) {
    ObjectBuilder g;
    if (m.go_away->time_left) g.set("timeLeft", format_duration(*m.go_away->time_left));
    b.set("goAway", g.release());
  }
  if (const auto& r = m.session_resumption_update) {
    ObjectBuilder u;
    u.set("newHandle", r->new_handle);
    u.set("resumable", r->resumable);
    if (r->last_consumed_client_message_index)
      u.set_int64_string("lastConsumedClientMessageIndex", *r->last_consumed_client_message_index);
    b.set("sessionResumptionUpdate", u.release());
  }
  if (m.voice_activity_detection_signal) {
    ObjectBuilder v;
    v.set("vadSignalType", m.voice_activity_detection_signal->vad_signal_type);
    b.set("voiceActivityDetectionSignal", v.release());
  }
  if (m.voice_activity) {
    ObjectBuilder v;
    v.set("type", m.voice_activity->type);
    if (m.voice_activity->audio_offset) v.set("audioOffset", format_duration(*m.voice_activity->audio_offset));
    b.set("voiceActivity", v.release());
  }
  if (m.usage_metadata) b.set("usageMetadata", usage_to_json(*m.usage_metadata));
  JsonValue root(b.release());
  return root.to_string(style);
}

Expected<ServerMessage> decode_server_message(std::string_view text) {
  // The Python SDK reads an empty frame as {}; so do we.
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return ServerMessage{};
  auto parsed = parse_object(text);
  if (!parsed) return Error{parsed.error()};
  Errors errors;
  ObjectView root(json_node_get_object(parsed->root.node()), "", errors);

  ServerMessage m;
  if (auto o = root.get_object("setupComplete")) m.setup_complete = SetupComplete{o->get_string("sessionId")};
  if (auto o = root.get_object("serverContent")) m.server_content = server_content_from_json(*o);
  if (auto o = root.get_object("toolCall")) {
    ToolCall call;
    o->for_each("functionCalls", [&](JsonNode* n, const std::string& p) {
      if (auto f = function_call_from_json(n, p, errors)) call.function_calls.push_back(std::move(*f));
    });
    m.tool_call = std::move(call);
  }
  if (auto o = root.get_object("toolCallCancellation")) {
    ToolCallCancellation cancel;
    o->for_each("ids", [&](JsonNode* n, const std::string& p) {
      if (auto id = as_string(n, p, errors)) cancel.ids.push_back(*id);
    });
    m.tool_call_cancellation = std::move(cancel);
  }
  if (auto o = root.get_object("goAway")) m.go_away = GoAway{duration_field(*o, "timeLeft")};
  if (auto o = root.get_object("sessionResumptionUpdate")) {
    SessionResumptionUpdate u;
    u.new_handle = o->get_string("newHandle").value_or("");
    u.resumable = o->get_bool("resumable").value_or(false);
    u.last_consumed_client_message_index = o->get_int("lastConsumedClientMessageIndex");
    m.session_resumption_update = std::move(u);
  }
  if (auto o = root.get_object("usageMetadata")) m.usage_metadata = usage_from_json(*o);
  if (auto o = root.get_object("voiceActivityDetectionSignal"))
    m.voice_activity_detection_signal = VoiceActivityDetectionSignal{o->get_string("vadSignalType").value_or("")};
  if (auto o = root.get_object("voiceActivity")) {
    VoiceActivity v;
    // The SDK renames `type` to voiceActivityType; accept both.
    v.type = o->has("type") ? o->get_string("type").value_or("") : o->get_string("voiceActivityType").value_or("");
    v.audio_offset = duration_field(*o, "audioOffset");
    m.voice_activity = std::move(v);
  }
  if (errors.failed()) return errors.error();
  return m;
}

}  // namespace geminilive::protocol
