// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/endpoint.h"

#include <glib.h>

namespace geminilive::session {
namespace {

constexpr char kTokenPrefix[] = "auth_tokens/";
constexpr char kDefaultHost[] = "wss://generativelanguage.googleapis.com";

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// "ws://host:port" from a host-only uri: no trailing '/'.
std::string without_trailing_slash(std::string uri) {
  while (!uri.empty() && uri.back() == '/') uri.pop_back();
  return uri;
}

std::string path_for(Credential credential) {
  switch (credential) {
    case Credential::EphemeralToken:
      return kConstrainedPath;
    case Credential::VertexBearer:
    case Credential::VertexApiKey:
      return kVertexPath;
    case Credential::None:
    case Credential::ApiKey:
      break;
  }
  return kGeminiApiPath;
}

}  // namespace

bool is_ephemeral_token(const std::string& key) { return starts_with(key, kTokenPrefix); }

std::string vertex_host(const std::string& location) {
  if (location.empty() || location == "global") return "aiplatform.googleapis.com";
  if (location == "us" || location == "eu") return "aiplatform." + location + ".rep.googleapis.com";
  return location + "-aiplatform.googleapis.com";
}

bool uri_names_host_only(const std::string& uri) {
  if (uri == kDefaultUri) return true;
  g_autoptr(GUri) parsed = g_uri_parse(uri.c_str(), G_URI_FLAGS_NONE, nullptr);
  if (!parsed || !g_uri_get_host(parsed)) return false;
  const char* path = g_uri_get_path(parsed);
  const bool no_path = !path || !*path || g_str_equal(path, "/");
  return no_path && !g_uri_get_query(parsed) && !g_uri_get_fragment(parsed);
}

Credential session_credential(const SessionConfig& config) {
  if (config.backend == protocol::Backend::VertexAi) {
    if (!config.access_token.empty()) return Credential::VertexBearer;
    if (!config.api_key.empty() && !is_ephemeral_token(config.api_key)) return Credential::VertexApiKey;
    return Credential::None;
  }
  if (config.api_key.empty()) return Credential::None;
  return is_ephemeral_token(config.api_key) ? Credential::EphemeralToken : Credential::ApiKey;
}

Endpoint session_endpoint(const SessionConfig& config) {
  Endpoint e;
  e.credential = session_credential(config);
  const bool vertex = config.backend == protocol::Backend::VertexAi;
  if (uri_names_host_only(config.uri)) {
    // The default uri is the Developer API's; Vertex has its own host.
    std::string base = config.uri == kDefaultUri ? (vertex ? "wss://" + vertex_host(config.location) : kDefaultHost)
                                                 : without_trailing_slash(config.uri);
    e.uri = base + (vertex ? std::string(kVertexPath) : path_for(e.credential));
  } else {
    e.uri = config.uri;
  }
  switch (e.credential) {
    case Credential::ApiKey:
    case Credential::VertexApiKey:
      e.api_key = config.api_key;
      break;
    case Credential::EphemeralToken:
      // Unencoded, as the SDK sends it ("auth_tokens/..." is URI-safe).
      e.uri += (e.uri.find('?') == std::string::npos ? "?" : "&") + std::string("access_token=") + config.api_key;
      break;
    case Credential::VertexBearer:
      e.headers.emplace_back("Authorization", "Bearer " + config.access_token);
      break;
    case Credential::None:
      break;
  }
  return e;
}

std::string session_model_name(const SessionConfig& config) {
  const std::string& model = config.setup.model;
  if (config.backend != protocol::Backend::VertexAi) return protocol::model_resource_name(model);
  if (starts_with(model, "projects/")) return model;
  std::string name;
  if (starts_with(model, "publishers/")) {
    name = model;
  } else {
    // The Developer API form the element writes ("models/M") is not a
    // Vertex name: the model id goes under Google's publisher.
    const std::string id = starts_with(model, "models/") ? model.substr(7) : model;
    const auto slash = id.find('/');
    name = slash == std::string::npos ? "publishers/google/models/" + id
                                      : "publishers/" + id.substr(0, slash) + "/models/" + id.substr(slash + 1);
  }
  if (config.project.empty()) return name;  // express mode
  return "projects/" + config.project + "/locations/" + config.location + "/" + name;
}

}  // namespace geminilive::session
