// SPDX-License-Identifier: LGPL-2.1-or-later
// The OAuth access token --vertex sends, from the first source that has
// one: $GOOGLE_CLOUD_ACCESS_TOKEN, Application Default Credentials
// (authorized_user: geminilivesink refreshes them itself), `gcloud auth
// print-access-token` when gcloud is on PATH. The token is never printed.
#pragma once

#include <string>

namespace geminilive::assistant {

struct TokenSource {
  enum class Kind { Environment, Adc, Gcloud, None };
  Kind kind = Kind::None;
  std::string description;  // "GOOGLE_CLOUD_ACCESS_TOKEN", "Application Default Credentials (PATH)", ...
  std::string problem;      // why ADC was passed over, or why there is no source
};

// Where the token would come from; reads files, runs nothing.
TokenSource find_token_source();

// The token from `source`: the environment's, or gcloud's (run once, its
// output never shown). Empty for ADC: geminilivesink itself refreshes
// Application Default Credentials before each connection (so a
// reconnection after the hour gets a fresh token). Empty, with `error`,
// when that fails.
std::string fetch_access_token(const TokenSource& source, std::string* error);

}  // namespace geminilive::assistant
