// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sink_settings.h"

namespace geminilive::assistant {

void configure_sink(GstElement* sink, const SinkSettings& s, std::string* warning) {
  auto set_if = [sink](const char* property, const std::string& value) {
    if (!value.empty()) g_object_set(sink, property, value.c_str(), nullptr);
  };
  set_if("uri", s.uri);
  set_if("api-key", s.api_key);
  if (!s.vertex_project.empty()) {
    gst_util_set_object_arg(G_OBJECT(sink), "backend", "vertex-ai");
    set_if("project", s.vertex_project);
    set_if("location", s.vertex_location);
    set_if("access-token", s.access_token);
  }
  set_if("model", s.model);
  set_if("voice", s.voice);
  set_if("system-instruction", s.system_instruction);
  if (!s.vad) g_object_set(sink, "vad", FALSE, nullptr);
  // An enum, set by its nick as on a launch line.
  if (!s.media_resolution.empty())
    gst_util_set_object_arg(G_OBJECT(sink), "media-resolution", s.media_resolution.c_str());
  if (!s.tools_json.empty()) {
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "tools")) {
      g_object_set(sink, "tools", s.tools_json.c_str(), nullptr);
    } else {
      *warning = "this geminilivesink has no function calling (no \"tools\" property): save_note is off";
    }
  }
}

}  // namespace geminilive::assistant
