// SPDX-License-Identifier: LGPL-2.1-or-later
// Application Default Credentials of the `authorized_user` kind (what
// `gcloud auth application-default login` writes) and the OAuth 2.0 refresh
// that turns them into an access token for Vertex AI: the file, the request
// body and the token endpoint's answer. No I/O (transport/oauth_refresh.h
// sends it). Secrets never appear in an error.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "protocol/expected.h"

namespace geminilive::protocol {

// Google's token endpoint, where google-auth refreshes user credentials.
inline constexpr char kGoogleTokenUri[] = "https://oauth2.googleapis.com/token";

struct AuthorizedUser {
  std::string client_id;
  std::string client_secret;  // never logged
  std::string refresh_token;  // never logged
  // The file's token_uri when it has one (as google-auth reads it), else
  // kGoogleTokenUri.
  std::string token_uri = kGoogleTokenUri;
};

// An ADC file's contents. Errors: not JSON, a kind we can't use
// (service_account needs a signed JWT: no crypto here), a missing field, a
// token_uri that is not https (or http on the loopback, for local servers).
Expected<AuthorizedUser> parse_adc_file(std::string_view json);

// The form body of the refresh POST (application/x-www-form-urlencoded).
std::string refresh_request_body(const AuthorizedUser& user);

struct AccessToken {
  std::string token;  // never logged
  std::chrono::seconds expires_in{0};
};

// The token endpoint's answer: HTTP `status` and its body. A refusal
// ({"error":"invalid_grant","error_description":...}) becomes its words and
// a hint; any of `user`'s secrets in the text are hidden.
Expected<AccessToken> parse_token_response(unsigned status, std::string_view body, const AuthorizedUser& user);

}  // namespace geminilive::protocol
