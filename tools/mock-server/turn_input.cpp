// SPDX-License-Identifier: LGPL-2.1-or-later
#include "turn_input.h"

#include <glib.h>

#include <cmath>

namespace geminilive::mock {
namespace {

int64_t text_tokens(std::size_t chars) { return static_cast<int64_t>((chars + 3) / 4); }

bool ends_sentence(const std::string& s) {
  if (s.empty()) return false;
  char c = s.back();
  return c == '.' || c == '!' || c == '?';
}

// The first `n` characters (UTF-8) of `s`.
std::string cut_chars(const std::string& s, long n) {
  if (!g_utf8_validate(s.c_str(), static_cast<gssize>(s.size()), nullptr))
    return s.substr(0, static_cast<std::size_t>(n));
  if (g_utf8_strlen(s.c_str(), static_cast<gssize>(s.size())) <= n) return s;
  return s.substr(0, static_cast<std::size_t>(g_utf8_offset_to_pointer(s.c_str(), n) - s.c_str()));
}

std::string joined_texts(const TurnInput& turn) {
  std::string joined;
  for (const auto& t : turn.texts) {
    if (!joined.empty()) joined += ' ';
    joined += t;
  }
  return joined;
}

}  // namespace

void TurnInput::add_audio(std::string_view pcm, unsigned rate) {
  audio_bytes += pcm.size();
  audio_rate = rate;
  if (rate > 0) audio_seconds += static_cast<double>(pcm.size() / 2) / rate;
}

void TurnInput::add_frame(std::string_view bytes, const std::string& mime) {
  ++frames;
  last_frame = probe_image(bytes);
  last_frame_mime = mime;
}

void TurnInput::add_text(std::string text) { texts.push_back(std::move(text)); }

bool TurnInput::empty() const {
  return audio_bytes == 0 && frames == 0 && texts.empty() && tool_name.empty() && tool_cancelled.empty();
}

std::string format_seconds(double seconds) {
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_ascii_formatd(buf, sizeof buf, "%.1f", seconds);
}

std::string reply_text(const TurnInput& turn) {
  std::vector<std::string> sentences;

  std::string heard;
  if (turn.audio_bytes > 0) {
    heard = "I heard " + format_seconds(turn.audio_seconds) + " seconds of audio at " +
            std::to_string(turn.audio_rate) + " Hz";
  }
  std::string saw;
  if (turn.frames > 0) {
    std::string what =
        turn.last_frame ? std::to_string(turn.last_frame->width) + "x" + std::to_string(turn.last_frame->height) + " " +
                              turn.last_frame->type
                        : "unreadable " + (turn.last_frame_mime.empty() ? std::string("image") : turn.last_frame_mime);
    if (turn.frames == 1)
      saw = "saw 1 frame, a " + what;
    else
      saw = "saw " + std::to_string(turn.frames) + " frames, the last a " + what;
  }
  if (!heard.empty() && !saw.empty())
    sentences.push_back(heard + " and " + saw + ".");
  else if (!heard.empty())
    sentences.push_back(heard + ".");
  else if (!saw.empty())
    sentences.push_back("I " + saw + ".");

  if (!turn.texts.empty()) {
    const std::string joined = joined_texts(turn);
    sentences.push_back("You wrote: " + joined + (ends_sentence(joined) ? "" : "."));
  }
  if (!turn.tool_name.empty())
    sentences.push_back("The function " + turn.tool_name + " returned " + turn.tool_response_json + ".");
  if (!turn.tool_cancelled.empty()) sentences.push_back("The call to " + turn.tool_cancelled + " was cancelled.");
  if (sentences.empty()) sentences.push_back("I did not receive anything.");

  if (turn.history_turns > 0) {
    sentences.insert(sentences.begin(), "I have " + std::to_string(turn.history_turns) +
                                            (turn.history_turns == 1 ? " turn" : " turns") + " of history.");
  }
  if (turn.new_instructions) {
    sentences.insert(sentences.begin(),
                     "Following new instructions: \"" + cut_chars(*turn.new_instructions, 60) + "\".");
  }
  std::string out;
  for (const auto& s : sentences) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::string search_query(const TurnInput& turn) {
  const std::string joined = joined_texts(turn);
  return joined.find_first_not_of(' ') == std::string::npos ? "what is on the screen" : joined;
}

std::string input_transcription_text(const TurnInput& turn) {
  if (turn.audio_bytes == 0) return {};
  return "(" + format_seconds(turn.audio_seconds) + " seconds of speech)";
}

protocol::UsageMetadata turn_usage(const TurnInput& turn, bool audio_response, double response_audio_seconds,
                                   std::size_t response_text_chars) {
  protocol::UsageMetadata usage;
  int64_t audio = std::llround(turn.audio_seconds * 25.0);
  int64_t image = 258 * static_cast<int64_t>(turn.frames);
  std::size_t chars = turn.tool_response_json.size();
  for (const auto& t : turn.texts) chars += t.size();
  int64_t text = text_tokens(chars);

  int64_t prompt = 0;
  auto add_prompt = [&](const char* modality, int64_t n) {
    if (n <= 0) return;
    usage.prompt_tokens_details.push_back({modality, n});
    prompt += n;
  };
  add_prompt("TEXT", text);
  add_prompt("AUDIO", audio);
  add_prompt("IMAGE", image);

  int64_t response = audio_response ? std::llround(response_audio_seconds * 25.0) : text_tokens(response_text_chars);
  if (response > 0) usage.response_tokens_details.push_back({audio_response ? "AUDIO" : "TEXT", response});

  usage.prompt_token_count = prompt;
  usage.response_token_count = response;
  usage.total_token_count = prompt + response;
  return usage;
}

protocol::JsonValue tool_call_args(const protocol::FunctionDeclaration& decl, unsigned turn_number,
                                   const TurnInput& turn) {
  const protocol::JsonValue& schema = decl.parameters.is_object() ? decl.parameters : decl.parameters_json_schema;
  JsonObject* properties = nullptr;
  if (schema.is_object()) {
    JsonObject* root = json_node_get_object(schema.node());
    JsonNode* props = json_object_get_member(root, "properties");
    if (props && JSON_NODE_HOLDS_OBJECT(props)) properties = json_node_get_object(props);
  }

  g_autoptr(JsonBuilder) builder = json_builder_new();
  json_builder_begin_object(builder);
  if (properties) {
    g_autoptr(GList) names = json_object_get_members(properties);
    for (GList* l = names; l; l = l->next) {
      const char* name = static_cast<const char*>(l->data);
      JsonNode* prop = json_object_get_member(properties, name);
      std::string type;
      if (prop && JSON_NODE_HOLDS_OBJECT(prop)) {
        const char* t = json_object_get_string_member_with_default(json_node_get_object(prop), "type", "");
        g_autofree char* upper = g_ascii_strup(t, -1);
        type = upper;
      }
      json_builder_set_member_name(builder, name);
      if (type == "INTEGER" || type == "NUMBER") {
        json_builder_add_int_value(builder, turn_number);
      } else if (type == "BOOLEAN") {
        json_builder_add_boolean_value(builder, TRUE);
      } else if (type == "OBJECT") {
        json_builder_begin_object(builder);
        json_builder_end_object(builder);
      } else if (type == "ARRAY") {
        json_builder_begin_array(builder);
        json_builder_end_array(builder);
      } else {
        std::string value = turn.texts.empty() ? "turn " + std::to_string(turn_number) : turn.texts.back();
        json_builder_add_string_value(builder, value.c_str());
      }
    }
  }
  json_builder_end_object(builder);
  return protocol::JsonValue(json_builder_get_root(builder));
}

}  // namespace geminilive::mock
