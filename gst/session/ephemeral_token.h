// SPDX-License-Identifier: LGPL-2.1-or-later
// Minting an ephemeral token for the Live API with an API key, so the key
// stays on a backend and a browser or device gets only a short-lived token
// (live-protocol-2026.md §4): the body from protocol/auth_token_request.h,
// the POST on the session loop (libsoup, async), the token or the
// service's refusal in words. geminilive-token is this as a program.
#pragma once

#include <functional>
#include <string>

#include "protocol/auth_token_request.h"
#include "protocol/expected.h"

namespace geminilive::session {

struct MintRequest {
  std::string base_uri;  // "" : https://generativelanguage.googleapis.com; or a host base (tests)
  std::string api_key;   // a Developer API key (never a token); never logged
  std::string ca_file;
  protocol::AuthTokenRequest token;
};

// Mints a token; `done` gets "auth_tokens/..." or the error sentence, once,
// on the shared session loop thread. Never blocks the caller.
void mint_ephemeral_token(MintRequest request, std::function<void(protocol::Expected<std::string>)> done);

// The same, waiting for the answer (for programs, not streaming threads).
protocol::Expected<std::string> mint_ephemeral_token_sync(MintRequest request);

}  // namespace geminilive::session
