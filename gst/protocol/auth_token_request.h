// SPDX-License-Identifier: LGPL-2.1-or-later
// The body of POST /v1alpha/auth_tokens, which mints an ephemeral token for
// the Live API, and the token in its answer (live-protocol-2026.md §4). The
// body is what the SDK's createAuthTokenConfigToMldev and
// convertBidiSetupToTokenSetup produce: `uses`, `expireTime`,
// `newSessionExpireTime`, the flat `bidiGenerateContentSetup` and a
// comma-separated `fieldMask`. No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/expected.h"
#include "protocol/setup.h"

namespace geminilive::protocol {

struct AuthTokenRequest {
  std::optional<int> uses;                             // 0: unlimited; the service's default is 1
  std::optional<std::string> expire_time;              // RFC 3339; default now + 30 min
  std::optional<std::string> new_session_expire_time;  // RFC 3339; default now + 60 s
  std::optional<Setup> locked_setup;                   // the SDK's liveConnectConstraints
  // The SDK's lockAdditionalFields. Unset: every field of locked_setup is
  // locked (no fieldMask); empty: exactly the fields set; else those plus
  // these (temperature, topK, topP, maxOutputTokens, responseModalities,
  // seed, speechConfig get their generationConfig. prefix).
  std::optional<std::vector<std::string>> lock_additional_fields;
};

// The JSON body, compact, as the SDK sends it.
std::string encode_auth_token_request(const AuthTokenRequest& request);

// The token ("auth_tokens/...") from the service's AuthToken answer, or
// why there is none (a Google error answer's message).
Expected<std::string> decode_auth_token_name(std::string_view json);

// "2026-12-01T00:30:00Z": `seconds` from now (UTC), for expire times.
std::string rfc3339_from_now(long long seconds);

}  // namespace geminilive::protocol
