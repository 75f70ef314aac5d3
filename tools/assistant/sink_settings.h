// SPDX-License-Identifier: LGPL-2.1-or-later
// How geminilivesink is configured from the options: shared by the running
// pipeline and --print-config, so both send the same setup.
#pragma once

#include <gst/gst.h>

#include <string>

namespace geminilive::assistant {

struct SinkSettings {
  std::string uri;      // empty: the element's default (Google's endpoint)
  std::string api_key;  // empty: the element reads GEMINI_API_KEY / GOOGLE_API_KEY
  std::string model;    // empty: the element's default
  std::string voice;
  std::string system_instruction;
  std::string tools_json;        // empty: no tools
  bool vad = true;               // false: push-to-talk (activity-start/-end)
  std::string media_resolution;  // the property's nick (low, medium, high); empty: unset
  // Vertex AI (backend=vertex-ai) when vertex_project is set.
  std::string vertex_project;
  std::string vertex_location;  // empty: the element's default
  std::string access_token;     // never printed
};

// Sets the properties. With tools_json on a sink without tool support, the
// tools are left out and *warning says so.
void configure_sink(GstElement* sink, const SinkSettings& settings, std::string* warning);

}  // namespace geminilive::assistant
