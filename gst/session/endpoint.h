// SPDX-License-Identifier: LGPL-2.1-or-later
// Where a session connects and how it proves who it is, from its
// SessionConfig, the way the SDK builds them from its base URL
// (live-protocol-2026.md §4, §5.1):
//   Developer API key    .../ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent
//                        key in x-goog-api-key
//   ephemeral token      .../ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained
//   ("auth_tokens/...")  ?access_token=<token> (as the JS SDK and the docs), never x-goog-api-key
//   Vertex AI            wss://{host for the
//   location}/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent
//                        Authorization: Bearer <access token>; express mode (no project): the key in x-goog-api-key
// A `uri` that names only a host (ws://127.0.0.1:PORT, wss://host/) gets
// that path; the default uri counts as its host only. Any other uri is used
// as given, with the credential added the same way (a token as the
// access_token query parameter). No I/O.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "session/session_config.h"

namespace geminilive::session {

// How a session proves who it is.
enum class Credential {
  None,            // nothing usable (check_config says what is missing)
  ApiKey,          // Developer API key, x-goog-api-key
  EphemeralToken,  // "auth_tokens/...": access_token query parameter
  VertexBearer,    // OAuth access token: Authorization: Bearer
  VertexApiKey,    // Vertex express mode: x-goog-api-key, no project
};

struct Endpoint {
  // The WebSocket URI. Carries the token in its query for an ephemeral
  // token: never log it, show shown_uri() (or transport's redact_uri()).
  std::string uri;
  std::string api_key;                                       // for x-goog-api-key; secret
  std::vector<std::pair<std::string, std::string>> headers;  // Authorization; values secret
  Credential credential = Credential::None;
};

// The Live paths, for the local server and tests.
inline constexpr char kGeminiApiPath[] =
    "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";
inline constexpr char kConstrainedPath[] =
    "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained";
inline constexpr char kVertexPath[] = "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent";

// An API key that is an ephemeral token ("auth_tokens/...").
bool is_ephemeral_token(const std::string& key);

// The Vertex AI host for a location, as the SDK: aiplatform.googleapis.com
// for "global", aiplatform.{us|eu}.rep.googleapis.com for the multi-regional
// ones, {location}-aiplatform.googleapis.com otherwise.
std::string vertex_host(const std::string& location);

// Whether `uri` names only a host (scheme, host, port; no path but "/", no
// query), or is the default uri: the path then comes from the credentials.
bool uri_names_host_only(const std::string& uri);

// How `config` authenticates: an access token (access_token or its
// provider) on Vertex, else its api_key (a token, a key, or Vertex express).
Credential session_credential(const SessionConfig& config);

// What keeps `config`'s credentials, backend, project or location from
// making a connection, as a sentence naming the property to set; "" when
// nothing does. Never quotes a secret.
std::string credentials_problem(const SessionConfig& config);

// The access token for the next connection: what
// config.access_token_provider gives, when there is one and it gives one
// (it runs now, on the caller's thread), else config.access_token.
std::string next_access_token(const SessionConfig& config);

// The URI, headers and key for a connection of `config` carrying
// `access_token` (Vertex; ignored otherwise).
Endpoint session_endpoint(const SessionConfig& config, const std::string& access_token);
inline Endpoint session_endpoint(const SessionConfig& config) { return session_endpoint(config, config.access_token); }

// The model name the setup carries: "models/M" on the Developer API;
// on Vertex "projects/P/locations/L/publishers/google/models/M" (express
// mode, no project: "publishers/google/models/M"). A name already in
// "projects/" or "publishers/" form is kept (as the SDK's tModel).
std::string session_model_name(const SessionConfig& config);

// Where an API key comes from when none is given: $GEMINI_API_KEY, then
// $GOOGLE_API_KEY (as the SDKs). The name of the first one set and not
// empty, or null; api_key_from_environment() is its value ("" for none).
const char* api_key_variable();
std::string api_key_from_environment();

}  // namespace geminilive::session
