// SPDX-License-Identifier: LGPL-2.1-or-later
#include "browser_protocol.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#include <cstring>

namespace geminilive::relay {

namespace {

// A member by its snake_case or camelCase name ("media_chunks", "mediaChunks").
JsonNode* member(JsonObject* object, const char* snake) {
  if (!object) return nullptr;
  if (json_object_has_member(object, snake)) return json_object_get_member(object, snake);
  std::string camel;
  bool upper = false;
  for (const char* p = snake; *p; ++p) {
    if (*p == '_') {
      upper = true;
      continue;
    }
    camel += upper ? g_ascii_toupper(*p) : *p;
    upper = false;
  }
  return json_object_has_member(object, camel.c_str()) ? json_object_get_member(object, camel.c_str()) : nullptr;
}

JsonObject* object_member(JsonObject* object, const char* snake) {
  JsonNode* node = member(object, snake);
  return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : nullptr;
}

bool fail(ProtocolError* error, std::string message) {
  if (error) error->message = std::move(message);
  return false;
}

// "audio/pcm;rate=24000" -> 24000; "audio/pcm" -> 16000 (the tutorial's rate).
bool audio_rate(const std::string& mime, int* rate) {
  *rate = 16000;
  auto at = mime.find("rate=");
  if (at == std::string::npos) return true;
  char* end = nullptr;
  long value = std::strtol(mime.c_str() + at + 5, &end, 10);
  if (end == mime.c_str() + at + 5 || value < 8000 || value > 48000) return false;
  *rate = static_cast<int>(value);
  return true;
}

// False with `error` for a bad chunk; true with an empty `chunk->data` for a
// chunk without data, which is skipped: the tutorial's page sends its frame
// chunk before it has captured any frame, as {"mime_type":"image/jpeg"}.
bool parse_chunk(JsonNode* node, MediaChunk* chunk, ProtocolError* error) {
  JsonObject* blob = node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : nullptr;
  JsonNode* mime = member(blob, "mime_type");
  JsonNode* data = member(blob, "data");
  if (data && JSON_NODE_HOLDS_NULL(data)) data = nullptr;
  if (!mime || json_node_get_value_type(mime) != G_TYPE_STRING ||
      (data && json_node_get_value_type(data) != G_TYPE_STRING))
    return fail(error, "a media chunk needs a mime_type, and its data as a base64 string");
  chunk->mime_type = json_node_get_string(mime);
  const std::string& m = chunk->mime_type;
  if (g_str_has_prefix(m.c_str(), "audio/pcm")) {
    chunk->kind = MediaChunk::Kind::Audio;
    if (!audio_rate(m, &chunk->rate)) return fail(error, "audio rate must be 8000-48000 Hz: " + m);
  } else if (m == "image/jpeg" || m == "image/png") {
    chunk->kind = MediaChunk::Kind::Image;
  } else {
    return fail(error, "unsupported mime_type \"" + clip_utf8(m, 64) + "\" (audio/pcm, image/jpeg or image/png)");
  }
  if (!data) return true;
  if (!decode_base64_strict(json_node_get_string(data), &chunk->data))
    return fail(error, "the data of a " + clip_utf8(m, 64) + " chunk is not valid base64");
  return true;
}

bool parse_setup(JsonObject* setup, BrowserMessage* message, ProtocolError* error) {
  message->type = BrowserMessage::Type::Setup;
  JsonNode* modalities = member(object_member(setup, "generation_config"), "response_modalities");
  if (modalities && JSON_NODE_HOLDS_ARRAY(modalities)) {
    JsonArray* array = json_node_get_array(modalities);
    for (guint i = 0; i < json_array_get_length(array); ++i) {
      const char* m = json_node_get_value_type(json_array_get_element(array, i)) == G_TYPE_STRING
                          ? json_array_get_string_element(array, i)
                          : "";
      if (g_ascii_strcasecmp(m, "TEXT") == 0) {
        message->text_answers = true;
      } else if (g_ascii_strcasecmp(m, "AUDIO") != 0) {
        return fail(error, "response_modalities takes AUDIO or TEXT");
      }
    }
  } else if (modalities && !JSON_NODE_HOLDS_NULL(modalities)) {
    return fail(error, "response_modalities must be an array");
  }
  JsonNode* disabled =
      member(object_member(object_member(setup, "realtime_input_config"), "automatic_activity_detection"), "disabled");
  message->push_to_talk =
      disabled && json_node_get_value_type(disabled) == G_TYPE_BOOLEAN && json_node_get_boolean(disabled);
  return true;
}

bool parse_realtime_input(JsonObject* input, BrowserMessage* message, ProtocolError* error) {
  message->type = BrowserMessage::Type::RealtimeInput;
  bool any = false;
  if (JsonNode* chunks = member(input, "media_chunks")) {
    if (!JSON_NODE_HOLDS_ARRAY(chunks)) return fail(error, "media_chunks must be an array");
    JsonArray* array = json_node_get_array(chunks);
    for (guint i = 0; i < json_array_get_length(array); ++i) {
      MediaChunk chunk;
      if (!parse_chunk(json_array_get_element(array, i), &chunk, error)) return false;
      if (!chunk.data.empty()) message->chunks.push_back(std::move(chunk));
    }
    any = true;
  }
  // The Live API's newer spelling: one blob each.
  for (const char* field : {"audio", "video"}) {
    if (JsonNode* blob = member(input, field)) {
      MediaChunk chunk;
      if (!parse_chunk(blob, &chunk, error)) return false;
      if (!chunk.data.empty()) message->chunks.push_back(std::move(chunk));
      any = true;
    }
  }
  if (JsonNode* text = member(input, "text")) {
    if (json_node_get_value_type(text) != G_TYPE_STRING) return fail(error, "text must be a string");
    message->text = json_node_get_string(text);
    any = true;
  }
  message->activity_start = member(input, "activity_start") != nullptr;
  message->activity_end = member(input, "activity_end") != nullptr;
  if (!any && !message->activity_start && !message->activity_end)
    return fail(error, "realtime_input holds none of media_chunks, audio, video, text, activity_start, activity_end");
  return true;
}

std::string to_json(JsonBuilder* builder) {
  g_autoptr(JsonNode) root = json_builder_get_root(builder);
  g_autoptr(JsonGenerator) generator = json_generator_new();
  json_generator_set_root(generator, root);
  g_autofree char* text = json_generator_to_data(generator, nullptr);
  return text;
}

// {"type":TYPE, ...} with the members `add` adds.
template <typename F>
std::string typed(const char* type, F add) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "type");
  json_builder_add_string_value(b, type);
  add(b);
  json_builder_end_object(b);
  return to_json(b);
}

}  // namespace

std::optional<BrowserMessage> parse_browser_message(const std::string& json, ProtocolError* error) {
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) gerror = nullptr;
  if (!g_utf8_validate(json.data(), json.size(), nullptr) ||
      !json_parser_load_from_data(parser, json.data(), json.size(), &gerror)) {
    fail(error, std::string("not JSON: ") + (gerror ? gerror->message : "invalid UTF-8"));
    return std::nullopt;
  }
  JsonNode* root = json_parser_get_root(parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
    fail(error, "a message must be a JSON object");
    return std::nullopt;
  }
  JsonObject* object = json_node_get_object(root);
  BrowserMessage message;
  if (json_object_get_size(object) == 1) {
    if (JsonNode* setup = member(object, "setup")) {
      if (!JSON_NODE_HOLDS_OBJECT(setup)) {
        fail(error, "setup must be an object");
        return std::nullopt;
      }
      if (!parse_setup(json_node_get_object(setup), &message, error)) return std::nullopt;
      return message;
    }
    if (JsonNode* input = member(object, "realtime_input")) {
      if (!JSON_NODE_HOLDS_OBJECT(input)) {
        fail(error, "realtime_input must be an object");
        return std::nullopt;
      }
      if (!parse_realtime_input(json_node_get_object(input), &message, error)) return std::nullopt;
      return message;
    }
  }
  g_autoptr(GList) names = json_object_get_members(object);
  std::string first = names ? static_cast<const char*>(names->data) : "";
  fail(error, "unknown message \"" + clip_utf8(first, 40) + "\": send setup, then realtime_input");
  return std::nullopt;
}

std::string clip_utf8(const std::string& text, size_t bytes) {
  if (text.size() <= bytes) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;  // a continuation byte
  return text.substr(0, bytes);
}

bool decode_base64_strict(const std::string& text, std::vector<uint8_t>* out) {
  out->clear();
  out->reserve(text.size() / 4 * 3 + 3);
  uint32_t bits = 0;
  int have = 0;
  size_t i = 0, padding = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      out->push_back(static_cast<uint8_t>(bits >> have));
    }
  }
  for (; i < text.size(); ++i, ++padding)
    if (text[i] != '=') return false;
  size_t symbols = text.size() - padding;
  if (symbols % 4 == 1 || padding > 2 || (padding && (symbols + padding) % 4)) return false;
  return true;
}

std::string encode_text(const std::string& text) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "text");
  json_builder_add_string_value(b, text.c_str());
  json_builder_end_object(b);
  return to_json(b);
}

std::string encode_audio(const uint8_t* pcm, size_t size) {
  // Base64 needs no JSON escaping: build the string directly, without a copy through json-glib.
  g_autofree char* data = g_base64_encode(pcm, size);
  return std::string("{\"audio\":\"") + data + "\"}";
}

std::string encode_transcript(bool user, const std::string& delta, bool finished) {
  return typed("transcript", [&](JsonBuilder* b) {
    json_builder_set_member_name(b, "role");
    json_builder_add_string_value(b, user ? "user" : "model");
    json_builder_set_member_name(b, "delta");
    json_builder_add_string_value(b, delta.c_str());
    json_builder_set_member_name(b, "finished");
    json_builder_add_boolean_value(b, finished);
  });
}

std::string encode_event(const std::string& type) {
  return typed(type.c_str(), [](JsonBuilder*) {});
}

std::string encode_state(const std::string& state, const std::string& detail) {
  return typed("state", [&](JsonBuilder* b) {
    json_builder_set_member_name(b, "state");
    json_builder_add_string_value(b, state.c_str());
    json_builder_set_member_name(b, "detail");
    json_builder_add_string_value(b, detail.c_str());
  });
}

std::string encode_usage(int64_t prompt, int64_t response, int64_t total) {
  return typed("usage", [&](JsonBuilder* b) {
    json_builder_set_member_name(b, "prompt_tokens");
    json_builder_add_int_value(b, prompt);
    json_builder_set_member_name(b, "response_tokens");
    json_builder_add_int_value(b, response);
    json_builder_set_member_name(b, "total_tokens");
    json_builder_add_int_value(b, total);
  });
}

std::string encode_latency(int64_t ms) {
  return typed("latency", [&](JsonBuilder* b) {
    json_builder_set_member_name(b, "ms");
    json_builder_add_int_value(b, ms);
  });
}

std::string encode_error(const std::string& message) {
  return typed("error", [&](JsonBuilder* b) {
    json_builder_set_member_name(b, "message");
    json_builder_add_string_value(b, message.c_str());
  });
}

std::string encode_warning(const std::string& message) {
  return typed("warning", [&](JsonBuilder* b) {
    json_builder_set_member_name(b, "message");
    json_builder_add_string_value(b, message.c_str());
  });
}

}  // namespace geminilive::relay
