// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/endpoint.h"

#include <glib.h>

#include <cstring>

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

// What a header (or, for a token, a query value) can carry: visible ASCII.
bool header_safe(const std::string& secret) {
  for (unsigned char c : secret)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

bool query_safe(const std::string& token) {
  for (unsigned char c : token)
    if (c == 0 || (!g_ascii_isalnum(c) && !std::strchr("/-._~", c))) return false;
  return true;
}

// A Google Cloud project id ("my-project", "example.com:my-project") or a
// location ("us-central1"): nothing that would change the host or path.
bool name_safe(const std::string& name, const char* also) {
  for (unsigned char c : name)
    if (c == 0 || (!g_ascii_isalnum(c) && c != '-' && !std::strchr(also, c))) return false;
  return !name.empty();
}

constexpr char kVertexTokenHint[] =
    "set the access-token property or GOOGLE_CLOUD_ACCESS_TOKEN (e.g. from `gcloud auth print-access-token`), "
    "answer the need-access-token signal, or make Application Default Credentials (`gcloud auth "
    "application-default login`, or GOOGLE_APPLICATION_CREDENTIALS naming an authorized_user file)";

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
    if (!config.access_token.empty() || config.access_token_provider || config.access_token_source)
      return Credential::VertexBearer;
    if (!config.api_key.empty() && !is_ephemeral_token(config.api_key)) return Credential::VertexApiKey;
    return Credential::None;
  }
  if (config.api_key.empty()) return Credential::None;
  return is_ephemeral_token(config.api_key) ? Credential::EphemeralToken : Credential::ApiKey;
}

std::string credentials_problem(const SessionConfig& config) {
  const bool has_token = !config.access_token.empty() || config.access_token_provider || config.access_token_source;
  if (config.backend == protocol::Backend::VertexAi) {
    if (!name_safe(config.location, ""))
      return "The location \"" + config.location +
             "\" is not a Google Cloud location: set the location property to global, us-central1, europe-west4, ...";
    if (!config.project.empty() && !name_safe(config.project, ".:"))
      return "The project \"" + config.project + "\" is not a Google Cloud project id: set the project property.";
    if (!has_token && is_ephemeral_token(config.api_key))
      return "An ephemeral token (auth_tokens/...) works only with backend=gemini-api; Vertex AI takes an OAuth "
             "access token: " +
             std::string(kVertexTokenHint) + ".";
    if (!has_token && config.api_key.empty())
      return "No access token for Vertex AI: " + std::string(kVertexTokenHint) + ".";
    if (!has_token && !config.project.empty())
      return "Vertex AI with a project needs an OAuth access token: " + std::string(kVertexTokenHint) +
             ". An API key alone is Vertex express mode, without a project.";
    if (has_token && config.project.empty())
      return "Vertex AI needs a project for an access token: set the project property (and location, default "
             "global).";
    if (!header_safe(config.access_token))
      return "The access token has characters an HTTP header can't carry (spaces, line breaks): check the "
             "access-token property or GOOGLE_CLOUD_ACCESS_TOKEN.";
  } else if (config.api_key.empty()) {
    return std::string(
               "No API key for Gemini Live: set the api-key property or the GEMINI_API_KEY environment variable "
               "(an API key or an ephemeral token, auth_tokens/...).") +
           (has_token ? " An access token is for backend=vertex-ai." : "");
  }
  if (is_ephemeral_token(config.api_key) && !query_safe(config.api_key))
    return "The ephemeral token is malformed (it must be auth_tokens/ followed by letters, digits and -._~/): check "
           "the api-key property or GEMINI_API_KEY.";
  if (!header_safe(config.api_key))
    return "The API key has characters an HTTP header can't carry (spaces, line breaks): check the api-key property "
           "or GEMINI_API_KEY.";
  return "";
}

std::string next_access_token(const SessionConfig& config) {
  if (config.access_token_provider) {
    std::string fresh = config.access_token_provider();
    if (!fresh.empty()) return fresh;
  }
  return config.access_token;
}

Endpoint session_endpoint(const SessionConfig& config, const std::string& access_token) {
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
      // A provider's token that a header can't carry is left out: the
      // service refuses the connection (401) and the error names the token.
      if (!access_token.empty() && header_safe(access_token))
        e.headers.emplace_back("Authorization", "Bearer " + access_token);
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

const char* api_key_variable() {
  for (const char* name : {"GEMINI_API_KEY", "GOOGLE_API_KEY"}) {
    const char* value = g_getenv(name);
    if (value && *value) return name;
  }
  return nullptr;
}

std::string api_key_from_environment() {
  const char* name = api_key_variable();
  return name ? g_getenv(name) : "";
}

}  // namespace geminilive::session
