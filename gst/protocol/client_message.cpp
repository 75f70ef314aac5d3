// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/client_message.h"

#include <iterator>

#include "protocol/json_fields.h"
#include "protocol/media_message.h"

namespace geminilive::protocol {

using namespace json;

RealtimeInput RealtimeInput::with_audio(Blob audio) {
  RealtimeInput r;
  r.audio = std::move(audio);
  return r;
}

RealtimeInput RealtimeInput::with_video(Blob video) {
  RealtimeInput r;
  r.video = std::move(video);
  return r;
}

RealtimeInput RealtimeInput::with_text(std::string text) {
  RealtimeInput r;
  r.text = std::move(text);
  return r;
}

namespace {

// In the order of ClientMessage's alternatives.
constexpr const char* kClientMessageKinds[] = {"setup", "clientContent", "realtimeInput", "toolResponse",
                                               "contextUpdate"};
static_assert(std::size(kClientMessageKinds) == std::variant_size_v<ClientMessage>);

JsonNode* to_json(const Setup& s) { return setup_to_json(s); }

JsonNode* to_json(const ClientContent& c) {
  ObjectBuilder b;
  if (!c.turns.empty()) {
    JsonArray* turns = json_array_new();
    for (const auto& t : c.turns) json_array_add_element(turns, content_to_json(t));
    b.set("turns", take_array_node(turns));
  }
  b.set("turnComplete", c.turn_complete);
  return b.release();
}

JsonNode* to_json(const RealtimeInput& r) {
  ObjectBuilder b;
  if (!r.media_chunks.empty()) {
    JsonArray* chunks = json_array_new();
    for (const auto& blob : r.media_chunks) json_array_add_element(chunks, blob_to_json(blob));
    b.set("mediaChunks", take_array_node(chunks));
  }
  // The SDK's liveSendRealtimeInputParametersToMldev order.
  if (r.audio) b.set("audio", blob_to_json(*r.audio));
  if (r.audio_stream_end) b.set("audioStreamEnd", true);
  if (r.video) b.set("video", blob_to_json(*r.video));
  b.set("text", r.text);
  if (r.activity_start) b.set_empty_object("activityStart");
  if (r.activity_end) b.set_empty_object("activityEnd");
  return b.release();
}

JsonNode* to_json(const ToolResponse& t) {
  ObjectBuilder b;
  JsonArray* responses = json_array_new();
  for (const auto& f : t.function_responses) json_array_add_element(responses, function_response_to_json(f));
  b.set("functionResponses", take_array_node(responses));
  return b.release();
}

JsonNode* to_json(const ContextUpdate& u) {
  ObjectBuilder b;
  if (u.system_instruction) b.set("systemInstruction", content_to_json(*u.system_instruction));
  if (u.tools) {
    ObjectBuilder tools;
    tools.set("tools", tools_to_json(*u.tools));
    b.set("tools", tools.release());
  }
  return b.release();
}

ContextUpdate context_update_from_json(const ObjectView& o) {
  ContextUpdate u;
  if (JsonNode* si = o.find("systemInstruction"))
    u.system_instruction = content_from_json(si, o.path("systemInstruction"), o.errors());
  if (auto tools = o.get_object("tools")) u.tools = tools_from_json(*tools, "tools");
  return u;
}

ClientContent client_content_from_json(const ObjectView& o) {
  ClientContent c;
  o.for_each("turns", [&](JsonNode* n, const std::string& p) {
    if (auto content = content_from_json(n, p, o.errors())) c.turns.push_back(std::move(*content));
  });
  c.turn_complete = o.get_bool("turnComplete");
  return c;
}

RealtimeInput realtime_input_from_json(const ObjectView& o) {
  RealtimeInput r;
  Errors& errors = o.errors();
  if (JsonNode* n = o.find("audio")) r.audio = blob_from_json(n, o.path("audio"), errors);
  if (JsonNode* n = o.find("video")) r.video = blob_from_json(n, o.path("video"), errors);
  o.for_each("mediaChunks", [&](JsonNode* n, const std::string& p) {
    if (auto blob = blob_from_json(n, p, errors)) r.media_chunks.push_back(std::move(*blob));
  });
  r.text = o.get_string("text");
  // activityStart/activityEnd are empty objects; audioStreamEnd is a bool.
  r.activity_start = o.get_object("activityStart").has_value();
  r.activity_end = o.get_object("activityEnd").has_value();
  r.audio_stream_end = o.get_bool("audioStreamEnd").value_or(false);
  return r;
}

ToolResponse tool_response_from_json(const ObjectView& o) {
  ToolResponse t;
  o.for_each("functionResponses", [&](JsonNode* n, const std::string& p) {
    if (auto f = function_response_from_json(n, p, o.errors())) t.function_responses.push_back(std::move(*f));
  });
  return t;
}

}  // namespace

const char* client_message_kind(const ClientMessage& message) { return kClientMessageKinds[message.index()]; }

std::string encode_client_message(const ClientMessage& message) {
  // A stream's chunks and frames: straight into the string, same bytes.
  if (const auto* r = std::get_if<RealtimeInput>(&message);
      r && r->media_chunks.empty() && !r->text && !r->activity_start && !r->activity_end && !r->audio_stream_end &&
      (r->audio.has_value() != r->video.has_value())) {
    const Blob& blob = r->audio ? *r->audio : *r->video;
    return encode_media_message(r->audio ? MediaField::Audio : MediaField::Video, blob.mime_type, blob.data);
  }
  ObjectBuilder root;
  root.set(client_message_kind(message), std::visit([](const auto& m) { return to_json(m); }, message));
  JsonValue node(root.release());
  return node.to_string(JsonStyle::Compact);
}

Expected<ClientMessage> decode_client_message(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return Error{parsed.error()};
  Errors errors;
  ObjectView root(json_node_get_object(parsed->root.node()), "", errors);

  // A oneof: exactly one known member.
  int present = 0;
  for (const char* kind : kClientMessageKinds) present += root.has(kind);
  if (present != 1)
    return Error{
        present == 0
            ? "no setup, clientContent, realtimeInput, toolResponse or contextUpdate in the message"
            : "more than one of setup, clientContent, realtimeInput, toolResponse, contextUpdate in the message"};

  std::optional<ClientMessage> message;
  if (JsonNode* n = root.find("setup")) {
    if (auto setup = setup_from_json(n, "setup", errors)) message = std::move(*setup);
  } else if (auto o = root.get_object("clientContent")) {
    message = client_content_from_json(*o);
  } else if (auto o = root.get_object("realtimeInput")) {
    message = realtime_input_from_json(*o);
  } else if (auto o = root.get_object("toolResponse")) {
    message = tool_response_from_json(*o);
  } else if (auto o = root.get_object("contextUpdate")) {
    message = context_update_from_json(*o);
  }
  if (errors.failed() || !message) return errors.failed() ? errors.error() : Error{"malformed message"};
  return std::move(*message);
}

}  // namespace geminilive::protocol
