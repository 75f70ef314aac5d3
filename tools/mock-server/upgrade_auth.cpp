// SPDX-License-Identifier: LGPL-2.1-or-later
#include "upgrade_auth.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "service_errors.h"

namespace geminilive::mock {
namespace {

constexpr std::string_view kDevService = "google.ai.generativelanguage.";
constexpr std::string_view kVertexService = "google.cloud.aiplatform.";

// Google's words for a missing or bad OAuth token.
constexpr char kBadBearer[] =
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
    "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

struct Credentials {
  std::vector<std::string> query;  // key=, access_token=
  std::string api_key_header;      // x-goog-api-key
  std::string token_auth;          // Authorization: Token ...
  std::string bearer;              // Authorization: Bearer ...
  std::string access_token_query;
};

Credentials read_credentials(SoupServerMessage* msg) {
  Credentials c;
  if (const char* query = g_uri_get_query(soup_server_message_get_uri(msg))) {
    GHashTable* form = soup_form_decode(query);
    for (const char* name : {"key", "access_token"}) {
      if (auto* value = static_cast<const char*>(g_hash_table_lookup(form, name))) {
        c.query.emplace_back(value);
        if (std::strcmp(name, "access_token") == 0) c.access_token_query = value;
      }
    }
    g_hash_table_unref(form);
  }
  SoupMessageHeaders* headers = soup_server_message_get_request_headers(msg);
  if (const char* key = soup_message_headers_get_one(headers, "x-goog-api-key")) c.api_key_header = key;
  if (const char* auth = soup_message_headers_get_one(headers, "Authorization")) {
    if (g_ascii_strncasecmp(auth, "Token ", 6) == 0) c.token_auth = auth + 6;
    if (g_ascii_strncasecmp(auth, "Bearer ", 7) == 0) c.bearer = auth + 7;
  }
  return c;
}

}  // namespace

std::optional<LivePath> parse_live_path(std::string_view path) {
  std::size_t at = path.find("/ws/");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = path.substr(at + 4);
  LivePath result;
  if (rest.substr(0, kVertexService.size()) == kVertexService) {
    rest.remove_prefix(kVertexService.size());
    for (std::string_view v : {std::string_view("v1beta1"), std::string_view("v1")}) {
      if (rest.substr(0, v.size()) == v && rest.substr(v.size()) == ".LlmBidiService/BidiGenerateContent") {
        result.method = LivePath::Method::Vertex;
        result.version = std::string(v);
        return result;
      }
    }
    return std::nullopt;
  }
  if (rest.substr(0, kDevService.size()) != kDevService) return std::nullopt;
  rest.remove_prefix(kDevService.size());
  for (std::string_view v : {std::string_view("v1alpha"), std::string_view("v1beta")}) {
    if (rest.substr(0, v.size()) != v) continue;
    std::string_view method = rest.substr(v.size());
    result.version = std::string(v);
    if (method == ".GenerativeService.BidiGenerateContent") return result;
    if (method == ".GenerativeService.BidiGenerateContentConstrained") {
      result.method = LivePath::Method::Constrained;
      return result;
    }
  }
  return std::nullopt;
}

Admission admit(const ServerOptions& options, const TokenStore& tokens, const LivePath& path, SoupServerMessage* msg,
                gint64 now_us) {
  Admission a;
  const Credentials c = read_credentials(msg);
  switch (path.method) {
    case LivePath::Method::Plain: {
      std::vector<std::string> keys = c.query;
      for (const std::string* k : {&c.api_key_header, &c.token_auth, &c.bearer})
        if (!k->empty()) keys.push_back(*k);
      a.credential = keys.empty() ? "none" : "API key";
      if (options.api_key && std::find(keys.begin(), keys.end(), *options.api_key) == keys.end())
        a.close_reason = kBadKey;
      return a;
    }
    case LivePath::Method::Constrained: {
      // The JS SDK's query parameter, or Python's header (which also sends
      // the token as x-goog-api-key).
      a.token = !c.access_token_query.empty() ? c.access_token_query
                : !c.token_auth.empty()       ? c.token_auth
                                              : c.api_key_header;
      a.credential = a.token.empty() ? "none" : "ephemeral token";
      if (a.token.empty())
        a.close_reason = kUnregisteredCaller;
      else if (auto refusal = tokens.connection_refusal(a.token, now_us))
        a.close_reason = *refusal;
      return a;
    }
    case LivePath::Method::Vertex:
      break;
  }
  if (!c.bearer.empty()) {
    auto it = std::find(options.access_tokens.begin(), options.access_tokens.end(), c.bearer);
    a.access_token = it == options.access_tokens.end() ? -1 : static_cast<int>(it - options.access_tokens.begin());
    a.credential = "bearer " + std::to_string(a.access_token);
    if (options.access_tokens.empty() || a.access_token >= 0) return a;
  } else if (!c.api_key_header.empty()) {
    a.credential = "express API key";
    if (!options.api_key || c.api_key_header == *options.api_key) return a;
  } else {
    a.credential = "none";
  }
  a.http_status = SOUP_STATUS_UNAUTHORIZED;
  a.http_body = google_error_json(401, "UNAUTHENTICATED", kBadBearer);
  return a;
}

std::optional<std::pair<int, std::string>> rest_key_refusal(const ServerOptions& options, SoupServerMessage* msg) {
  const Credentials c = read_credentials(msg);
  std::vector<std::string> keys = c.query;
  if (!c.api_key_header.empty()) keys.push_back(c.api_key_header);
  if (keys.empty()) return std::make_pair(403, google_error_json(403, "PERMISSION_DENIED", kUnregisteredCaller));
  if (options.api_key && std::find(keys.begin(), keys.end(), *options.api_key) == keys.end())
    return std::make_pair(400, google_error_json(400, "INVALID_ARGUMENT", kBadKey));
  return std::nullopt;
}

}  // namespace geminilive::mock
