// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/oauth.h"

#include <glib.h>

#include "protocol/json_fields.h"

namespace geminilive::protocol {

namespace {

constexpr char kLoginHint[] = "run `gcloud auth application-default login`, or pass an access token";

bool is_loopback_http(const std::string& uri) {
  for (const char* prefix : {"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/",
                             "http://[::1]:", "http://[::1]/"})
    if (uri.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string form_value(const std::string& value) {
  g_autofree char* escaped = g_uri_escape_string(value.c_str(), nullptr, FALSE);
  return escaped;
}

// `text` with every occurrence of the user's secrets hidden.
std::string without_secrets(std::string text, const AuthorizedUser& user) {
  for (const std::string* secret : {&user.client_secret, &user.refresh_token}) {
    if (secret->empty()) continue;
    for (auto at = text.find(*secret); at != std::string::npos; at = text.find(*secret, at))
      text.replace(at, secret->size(), "***");
  }
  return text;
}

}  // namespace

Expected<AuthorizedUser> parse_adc_file(std::string_view text) {
  auto parsed = parse_json_object(text);
  if (!parsed) return Error{"not a credentials file: " + parsed.error()};
  json::Errors errors;
  json::ObjectView o(json_node_get_object(parsed->node()), "", errors);
  const std::string type = o.get_string("type").value_or("");
  if (errors.failed()) return Error{"the credentials file: " + errors.error().message};
  if (type == "service_account")
    return Error{
        "service_account credentials need a signed JWT, unsupported: use `gcloud auth "
        "application-default login` or pass access-token"};
  if (type != "authorized_user")
    return Error{(type.empty() ? std::string("credentials without a type") : type + " credentials") +
                 " are not supported (only authorized_user): " + kLoginHint};
  AuthorizedUser user;
  for (auto [name, field] : {std::pair{"client_id", &user.client_id}, std::pair{"client_secret", &user.client_secret},
                             std::pair{"refresh_token", &user.refresh_token}}) {
    *field = o.get_string(name).value_or("");
    if (errors.failed()) return Error{"the credentials file: " + errors.error().message};
    if (field->empty()) return Error{std::string("the authorized_user credentials lack ") + name + ": " + kLoginHint};
  }
  if (auto uri = o.get_string("token_uri")) {
    if (!(g_str_has_prefix(uri->c_str(), "https://") || is_loopback_http(*uri)))
      return Error{"the credentials' token_uri must be https:// (or http:// on the loopback)"};
    user.token_uri = *uri;
  }
  if (errors.failed()) return Error{"the credentials file: " + errors.error().message};
  return user;
}

std::string refresh_request_body(const AuthorizedUser& user) {
  return "grant_type=refresh_token&client_id=" + form_value(user.client_id) +
         "&client_secret=" + form_value(user.client_secret) + "&refresh_token=" + form_value(user.refresh_token);
}

Expected<AccessToken> parse_token_response(unsigned status, std::string_view body, const AuthorizedUser& user) {
  auto parsed = parse_json_object(body);
  json::Errors errors;
  if (status != 200) {
    std::string why = "HTTP " + std::to_string(status);
    if (parsed) {
      json::ObjectView o(json_node_get_object(parsed->node()), "", errors);
      // {"error":"invalid_grant","error_description":"Token has been expired or revoked."}
      if (auto code = o.get_string("error")) why += " " + *code;
      if (auto description = o.get_string("error_description")) why += ": " + *description;
    }
    return Error{without_secrets("the token endpoint refused the refresh (" + why + "): " + kLoginHint, user)};
  }
  if (!parsed) return Error{"the token endpoint's answer is not JSON"};
  json::ObjectView o(json_node_get_object(parsed->node()), "", errors);
  AccessToken token;
  token.token = o.get_string("access_token").value_or("");
  // Google answers 3599; an answer without it is taken as the usual hour.
  token.expires_in = std::chrono::seconds(o.get_int("expires_in").value_or(3600));
  if (errors.failed()) return Error{"the token endpoint's answer: " + errors.error().message};
  if (token.token.empty()) return Error{"the token endpoint's answer has no access_token"};
  return token;
}

}  // namespace geminilive::protocol
