// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sink_setting_values.h"

#include <glib.h>

#include "protocol/client_message.h"
#include "sink_settings.h"

namespace geminilive::plugin::setting_values {

// Where values go, created on first use.
protocol::GenerationConfig& generation(session::SessionConfig& c) {
  if (!c.setup.generation_config) c.setup.generation_config.emplace();
  return *c.setup.generation_config;
}
protocol::SpeechConfig& speech(session::SessionConfig& c) {
  auto& g = generation(c);
  if (!g.speech_config) g.speech_config.emplace();
  return *g.speech_config;
}
protocol::ThinkingConfig& thinking(session::SessionConfig& c) {
  auto& g = generation(c);
  if (!g.thinking_config) g.thinking_config.emplace();
  return *g.thinking_config;
}
protocol::RealtimeInputConfig& realtime(session::SessionConfig& c) {
  if (!c.setup.realtime_input_config) c.setup.realtime_input_config.emplace();
  return *c.setup.realtime_input_config;
}
protocol::AutomaticActivityDetection& activity_detection(session::SessionConfig& c) {
  auto& r = realtime(c);
  if (!r.automatic_activity_detection) r.automatic_activity_detection.emplace();
  return *r.automatic_activity_detection;
}

// "en-US, de-DE" → {"en-US", "de-DE"}.
std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  g_auto(GStrv) parts = g_strsplit(list.c_str(), ",", -1);
  for (char** p = parts; *p; ++p) {
    g_strstrip(*p);
    if (**p) out.emplace_back(*p);
  }
  return out;
}

// The declarations `tools` names: inline JSON when it begins with [ or {,
// else the file holding it.
protocol::Expected<std::vector<protocol::Tool>> resolve_tools(const std::string& value) {
  const auto start = value.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::vector<protocol::Tool>{};
  if (value[start] == '[' || value[start] == '{') {
    auto tools = protocol::parse_tools_json(value);
    if (!tools) return protocol::Error{"The tools property is not valid function declarations: " + tools.error()};
    return tools;
  }
  g_autofree char* contents = nullptr;
  gsize length = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_file_get_contents(value.c_str(), &contents, &length, &error))
    return protocol::Error{"Cannot read the tools file: " + std::string(error->message)};
  auto tools = protocol::parse_tools_json(std::string_view(contents, length));
  if (!tools)
    return protocol::Error{"The tools file \"" + value +
                           "\" does not hold valid function declarations: " + tools.error()};
  return tools;
}

// `history`: a JSON array of Content objects ({"role":"user","parts":[{"text":"..."}]}).
protocol::Expected<std::vector<protocol::Content>> parse_history(const std::string& json) {
  auto parsed = protocol::JsonValue::parse(json);
  if (!parsed) return protocol::Error{"The history is not JSON: " + parsed.error()};
  if (!JSON_NODE_HOLDS_ARRAY(parsed->node()))
    return protocol::Error{"The history must be a JSON array of Content objects."};
  // The clientContent decoder reads turns exactly as the service does.
  auto message = protocol::decode_client_message("{\"clientContent\":{\"turns\":" + json + "}}");
  if (!message) return protocol::Error{"The history is not a list of Content objects: " + message.error()};
  return std::get<protocol::ClientContent>(message.value()).turns;
}

std::optional<std::string> check_history(const std::string& value) {
  if (value.empty()) return std::nullopt;
  auto history = parse_history(value);
  if (!history) return history.error();
  return std::nullopt;
}

std::optional<std::string> check_setup_extra(const std::string& value) {
  if (value.empty()) return std::nullopt;
  auto parsed = protocol::parse_json_object(value);
  if (!parsed)
    return "setup-extra is not a JSON object, such as {\"generationConfig\":{\"seed\":7}}: " + parsed.error();
  return std::nullopt;
}

const SettingEnum kResponseModality{"GstGeminiLiveResponseModality",
                                    {{0, "audio", "Spoken answers (24 kHz PCM)", "AUDIO"},
                                     {1, "text", "Written answers (on AUDIO-only models: the transcript)", "TEXT"}}};
const SettingEnum kMediaResolution{"GstGeminiLiveMediaResolution",
                                   {{0, "unspecified", "The service's default (absent from the setup)", nullptr},
                                    {1, "low", "64 tokens a frame", "MEDIA_RESOLUTION_LOW"},
                                    {2, "medium", "256 tokens a frame", "MEDIA_RESOLUTION_MEDIUM"},
                                    {3, "high", "256 tokens a frame, zoomed", "MEDIA_RESOLUTION_HIGH"}}};
const SettingEnum kThinkingLevel{"GstGeminiLiveThinkingLevel",
                                 {{0, "unset", "The model's default (absent from the setup)", nullptr},
                                  {1, "minimal", "Minimal", "MINIMAL"},
                                  {2, "low", "Low", "LOW"},
                                  {3, "medium", "Medium", "MEDIUM"},
                                  {4, "high", "High", "HIGH"}}};
const SettingEnum kVadSensitivity{"GstGeminiLiveVadSensitivity",
                                  {{0, "default", "The service's default (absent from the setup)", nullptr},
                                   {1, "high", "Detects more (and more noise) as speech", "HIGH"},
                                   {2, "low", "Detects less as speech", "LOW"}}};
const SettingEnum kActivityHandling{
    "GstGeminiLiveActivityHandling",
    {{0, "default", "The service's default (absent: speech interrupts the answer)", nullptr},
     {1, "interrupt", "The user's speech interrupts the answer", "START_OF_ACTIVITY_INTERRUPTS"},
     {2, "no-interruption", "The answer goes on while the user speaks", "NO_INTERRUPTION"}}};
const SettingEnum kTurnCoverage{
    "GstGeminiLiveTurnCoverage",
    {{0, "default", "The model's default (absent from the setup)", nullptr},
     {1, "activity-only", "A turn holds only the input during speech", "TURN_INCLUDES_ONLY_ACTIVITY"},
     {2, "all-input", "A turn holds all input since the last turn", "TURN_INCLUDES_ALL_INPUT"},
     {3, "audio-activity-and-all-video", "Speech and every video frame",
      "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"}}};

}  // namespace geminilive::plugin::setting_values
