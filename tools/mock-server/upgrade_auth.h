// SPDX-License-Identifier: LGPL-2.1-or-later
// Who may open a Live WebSocket on the local server, by path: the Developer
// API method (an API key, checked when ServerOptions::api_key is set), the
// Constrained method (only ephemeral tokens this server issued, in the
// access_token query parameter or `Authorization: Token`), and Vertex AI's
// LlmBidiService (`Authorization: Bearer` one of ServerOptions::access_tokens,
// or an express-mode key). Vertex refuses at the HTTP upgrade (401, as
// Google's front ends do for a bad OAuth token); the Developer API methods
// accept the upgrade and close with 1008 and the reason (as the service).
#pragma once

#include <libsoup/soup.h>

#include <optional>
#include <string>
#include <string_view>

#include "live_server.h"
#include "token_store.h"

namespace geminilive::mock {

struct LivePath {
  enum class Method { Plain, Constrained, Vertex };
  Method method = Method::Plain;
  std::string version;  // "v1beta", "v1alpha", "v1beta1", "v1"
};

// ".../ws/google.ai.generativelanguage.{v1alpha|v1beta}.GenerativeService.
// BidiGenerateContent[Constrained]" or ".../ws/google.cloud.aiplatform.
// {v1beta1|v1}.LlmBidiService/BidiGenerateContent"; anything before "/ws/"
// is ignored (the SDKs send "//ws/...").
std::optional<LivePath> parse_live_path(std::string_view path);

struct Admission {
  // Vertex: refused at the upgrade with this HTTP status and Google error
  // JSON body (0: accepted).
  int http_status = 0;
  std::string http_body;
  // Developer API: the 1008 reason to close with once upgraded ("": none).
  std::string close_reason;
  std::string token;       // the ephemeral token the connection carries ("": none); never logged
  int access_token = -1;   // Vertex: index of the bearer in ServerOptions::access_tokens
  std::string credential;  // what proved it, for logs: "API key", "ephemeral token", "bearer 2", "none"
};

// Decides for an upgrade request on `path` (parse_live_path() accepted it).
Admission admit(const ServerOptions& options, const TokenStore& tokens, const LivePath& path, SoupServerMessage* msg,
                gint64 now_us);

// The REST auth of POST /v1alpha/auth_tokens: "" when the request's key is
// fine, else the status and body to answer with.
std::optional<std::pair<int, std::string>> rest_key_refusal(const ServerOptions& options, SoupServerMessage* msg);

}  // namespace geminilive::mock
