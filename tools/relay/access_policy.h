// SPDX-License-Identifier: LGPL-2.1-or-later
// Who may open a session with geminilive-relay: the token and the Origin
// check, decided from the upgrade request's headers alone. Pure, so the
// safe defaults are tested on their own (docs/relay.md, "Safe by default").
#pragma once

#include <string>
#include <vector>

namespace geminilive::relay {

struct AccessPolicy {
  bool loopback_only = true;                 // listening on 127.0.0.1/::1 only
  std::string token;                         // empty: none asked (loopback only)
  std::vector<std::string> allowed_origins;  // --allow-origin, exact (e.g. "https://example.com", "null")
};

struct Upgrade {
  const char* origin = nullptr;         // the Origin header, when sent
  const char* host = nullptr;           // the Host header
  const char* query_token = nullptr;    // ?token= on the WebSocket URL
  const char* authorization = nullptr;  // "Bearer T", for programs
};

// 0 when the upgrade may go on, else the HTTP status to refuse it with
// (401: token missing or wrong; 403: Origin not allowed), and why in `reason`
// (never the token).
int check_upgrade(const AccessPolicy& policy, const Upgrade& request, std::string* reason);

// Whether a listen address is the loopback ("127.0.0.1", "::1", "localhost").
bool is_loopback_address(const std::string& address);

}  // namespace geminilive::relay
