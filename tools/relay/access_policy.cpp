// SPDX-License-Identifier: LGPL-2.1-or-later
#include "access_policy.h"

#include <gio/gio.h>
#include <glib.h>

#include <cstring>

namespace geminilive::relay {

namespace {

// Compares in time independent of where the strings differ.
bool same_secret(const std::string& a, const char* b) {
  if (!b || a.empty() || std::strlen(b) != a.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// "http://host:port" -> "host:port"; empty when it is not http(s).
std::string origin_authority(const char* origin) {
  for (const char* scheme : {"http://", "https://"})
    if (g_str_has_prefix(origin, scheme)) return origin + std::strlen(scheme);
  return "";
}

std::string host_only(const std::string& authority) {
  if (!authority.empty() && authority[0] == '[') return authority.substr(0, authority.find(']') + 1);
  return authority.substr(0, authority.find(':'));
}

bool loopback_host(const std::string& host) { return host == "localhost" || host == "127.0.0.1" || host == "[::1]"; }

}  // namespace

bool is_loopback_address(const std::string& address) {
  if (address == "localhost") return true;
  g_autoptr(GInetAddress) a = g_inet_address_new_from_string(address.c_str());
  return a && g_inet_address_get_is_loopback(a);
}

int check_upgrade(const AccessPolicy& policy, const Upgrade& request, std::string* reason) {
  if (!policy.token.empty()) {
    const char* bearer = request.authorization && g_str_has_prefix(request.authorization, "Bearer ")
                             ? request.authorization + 7
                             : nullptr;
    if (!same_secret(policy.token, request.query_token) && !same_secret(policy.token, bearer)) {
      *reason =
          "this relay needs its token: open the page as http://HOST:PORT/#token=… (or send ?token= on the "
          "WebSocket URL)";
      return 401;
    }
  }
  if (!request.origin) return 0;  // not a browser: the token (if any) decides
  for (const auto& allowed : policy.allowed_origins)
    if (allowed == request.origin) return 0;
  const std::string authority = origin_authority(request.origin);
  if (policy.loopback_only) {
    // Pages on this machine (and the tutorial's page opened as a file,
    // Origin "null") may connect; a web site in the user's browser may not
    // use the relay, and so the key, behind the user's back.
    if (std::strcmp(request.origin, "null") == 0 || loopback_host(host_only(authority))) return 0;
  } else if (!authority.empty() && request.host && authority == request.host) {
    return 0;  // the page this relay served (or a proxy that keeps Host)
  }
  *reason = std::string("pages from ") + request.origin + " may not use this relay (see --allow-origin)";
  return 403;
}

}  // namespace geminilive::relay
