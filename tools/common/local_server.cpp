// SPDX-License-Identifier: LGPL-2.1-or-later
#include "local_server.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#include <cstdio>
#include <map>

#include "session/session_config.h"

namespace geminilive::assistant {

std::string live_endpoint_path() {
  // The same path as Google's endpoint, so the local run exercises it too.
  g_autoptr(GUri) uri = g_uri_parse(session::kDefaultUri, G_URI_FLAGS_NONE, nullptr);
  return uri ? g_uri_get_path(uri) : "";
}

std::unique_ptr<LocalServer> start_local_server(bool verbose, const std::string& tool_call, std::string* error) {
  mock::ServerOptions options;
  options.tool_call = tool_call;
  if (verbose) {
    // Called on the server's thread; one fprintf per line keeps lines whole.
    options.log = [](const std::string& line) { std::fprintf(stderr, "[local server] %s\n", line.c_str()); };
  }
  auto local = std::make_unique<LocalServer>();
  local->server = std::make_unique<mock::LiveServer>(options);
  if (!local->server->start(error)) return nullptr;
  local->endpoint = local->server->uri() + live_endpoint_path();
  return local;
}

std::string received_summary(const LocalServer& local) {
  // Counted from the client frames as received (JSON), in order.
  std::map<std::string, unsigned> kinds;  // setup, clientContent, toolResponse, contextUpdate
  unsigned audio = 0, audio_in_activity = 0, frames = 0, texts = 0, starts = 0, ends = 0, stream_ends = 0;
  bool in_activity = false;
  for (const auto& message : local.server->received_messages()) {
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, message.c_str(), -1, nullptr)) continue;
    JsonNode* root = json_parser_get_root(parser);
    if (!JSON_NODE_HOLDS_OBJECT(root)) continue;
    JsonObject* object = json_node_get_object(root);
    JsonObject* input = json_object_has_member(object, "realtimeInput")
                            ? json_object_get_object_member(object, "realtimeInput")
                            : nullptr;
    if (!input) {
      g_autoptr(GList) members = json_object_get_members(object);
      for (GList* m = members; m; m = m->next) ++kinds[static_cast<const char*>(m->data)];
      continue;
    }
    if (json_object_has_member(input, "activityStart")) {
      ++starts;
      in_activity = true;
    }
    unsigned chunks = json_object_has_member(input, "audio") ? 1 : 0;
    if (json_object_has_member(input, "mediaChunks")) {
      JsonArray* media = json_object_get_array_member(input, "mediaChunks");
      for (guint i = 0; media && i < json_array_get_length(media); ++i) {
        JsonObject* blob = json_array_get_object_element(media, i);
        const char* mime = blob ? json_object_get_string_member_with_default(blob, "mimeType", "") : "";
        g_str_has_prefix(mime, "audio/") ? ++chunks : ++frames;
      }
    }
    audio += chunks;
    if (in_activity) audio_in_activity += chunks;
    if (json_object_has_member(input, "video")) ++frames;
    if (json_object_has_member(input, "text")) ++texts;
    if (json_object_has_member(input, "audioStreamEnd")) ++stream_ends;
    if (json_object_has_member(input, "activityEnd")) {
      ++ends;
      in_activity = false;
    }
  }
  auto count = [](unsigned n, const std::string& what) { return std::to_string(n) + " " + what; };
  std::string out = "received " + count(kinds["setup"], "setup") + ", " + count(frames, "frames") + ", " +
                    count(audio, "audio chunks") + " (" + std::to_string(audio_in_activity) +
                    " between activityStart and activityEnd), " + count(starts, "activityStart") + ", " +
                    count(ends, "activityEnd") + ", " + count(stream_ends, "audioStreamEnd") + ", " +
                    count(texts, "texts");
  for (const char* kind : {"clientContent", "toolResponse", "contextUpdate"})
    if (kinds[kind]) out += ", " + count(kinds[kind], kind);
  return out;
}

}  // namespace geminilive::assistant
