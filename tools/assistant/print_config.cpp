// SPDX-License-Identifier: LGPL-2.1-or-later
#include "print_config.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include <cstdio>

#include "live_server.h"
#include "local_server.h"
#include "session/endpoint.h"
#include "session/session_error.h"

namespace geminilive::assistant {

namespace {

std::string pretty_json(const std::string& text) {
  g_autoptr(JsonParser) parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text.c_str(), -1, nullptr)) return text;
  g_autoptr(JsonGenerator) generator = json_generator_new();
  json_generator_set_root(generator, json_parser_get_root(parser));
  json_generator_set_pretty(generator, TRUE);
  g_autofree char* out = json_generator_to_data(generator, nullptr);
  return out;
}

}  // namespace

int print_config(const SinkSettings& settings, const std::string& shown_endpoint, const std::string& key_note) {
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  if (!sink) {
    std::fprintf(stderr, "geminilive-assistant: cannot make geminilivesink\n");
    return 1;
  }
  g_autoptr(GstElement) pipeline = gst_pipeline_new("print-config");
  gst_bin_add(GST_BIN(pipeline), sink);
  std::string warning;
  configure_sink(sink, settings, &warning);
  g_autofree char* uri = nullptr;
  g_object_get(sink, "uri", &uri, nullptr);

  // The setup is the element's own: let it connect to a throwaway local
  // server and print what arrived. The key stays in this process.
  mock::LiveServer capture;
  std::string error;
  if (!capture.start(&error)) {
    std::fprintf(stderr, "geminilive-assistant: %s\n", error.c_str());
    return 1;
  }
  const bool vertex = !settings.vertex_project.empty();
  // Vertex AI: the capture server's host, so the element takes the Vertex
  // path, with a stand-in bearer (the server takes any).
  const std::string capture_uri = vertex ? capture.uri() : capture.uri() + live_endpoint_path();
  g_object_set(sink, "uri", capture_uri.c_str(), "channel", "geminilive-assistant-print-config", nullptr);
  g_object_set(sink, vertex ? "access-token" : "api-key", "print-config", nullptr);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  bool got =
      capture.wait_for([](const mock::ServerStats& s) { return !s.last_setup_json.empty(); }, std::chrono::seconds(10));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  if (!got) {
    std::fprintf(stderr, "geminilive-assistant: the element sent no setup (see GST_DEBUG=geminilivesink:5)\n");
    return 1;
  }

  // Without its query: a --uri may carry a key there.
  std::string endpoint = !shown_endpoint.empty() ? shown_endpoint : session::shown_uri(uri ? uri : "");
  if (vertex) {
    // Where the element connects for this backend (a host-only or default
    // uri gets the location's host and the Vertex path).
    session::SessionConfig config;
    if (!settings.uri.empty()) config.uri = settings.uri;
    config.backend = protocol::Backend::VertexAi;
    config.project = settings.vertex_project;
    if (!settings.vertex_location.empty()) config.location = settings.vertex_location;
    endpoint = session::shown_uri(session::session_endpoint(config, "print-config").uri);
    std::printf("backend: vertex-ai (project %s, location %s)\n", config.project.c_str(), config.location.c_str());
  } else {
    std::printf("backend: gemini-api\n");
  }
  std::printf("endpoint: %s\n", endpoint.c_str());
  std::printf("key: %s\n", key_note.c_str());
  std::printf("speech detection: %s\n", settings.vad
                                            ? "the service detects speech (automatic activity detection)"
                                            : "push-to-talk (automatic activity detection disabled; Enter starts "
                                              "and stops talking)");
  std::printf("media resolution: %s\n",
              settings.media_resolution.empty() ? "the service's default" : settings.media_resolution.c_str());
  if (!warning.empty()) std::printf("warning: %s\n", warning.c_str());
  std::printf("setup message:\n%s\n", pretty_json(capture.stats().last_setup_json).c_str());
  return 0;
}

}  // namespace geminilive::assistant
