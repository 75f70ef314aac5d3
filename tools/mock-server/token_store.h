// SPDX-License-Identifier: LGPL-2.1-or-later
// The local server's ephemeral tokens (live-protocol-2026.md §4): minted by
// POST /v1alpha/auth_tokens with uses, expireTime, newSessionExpireTime and
// an optional locked setup (bidiGenerateContentSetup + fieldMask), then
// taken by the Constrained WebSocket method. Refusals are 1008 closes with
// the reasons below (the service's exact words are not documented; these
// say what is wrong). Server thread only.
#pragma once

#include <glib.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace geminilive::mock {

inline constexpr char kTokenUnknown[] = "Invalid auth token: it was not issued by this service.";
inline constexpr char kTokenExpired[] = "The auth token has expired (expireTime passed).";
inline constexpr char kTokenNoNewSessions[] =
    "The auth token no longer allows new sessions (newSessionExpireTime passed).";
inline constexpr char kTokenUsedUp[] = "The auth token has been used up (uses exhausted).";
// Reported service words for a call without any credential (live-protocol.md §1.2).
inline constexpr char kUnregisteredCaller[] =
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other "
    "form of API consumer identity to call this API.";

// A Google API error body: {"error":{"code":..,"message":..,"status":..}}.
std::string google_error_json(int code, const char* status, const std::string& message);

class TokenStore {
 public:
  struct Minted {
    int http_status = 200;
    std::string body;  // the AuthToken JSON, or a Google error JSON
  };
  // Handles the REST body at wall-clock time `now_us` (g_get_real_time()).
  Minted mint(std::string_view body, gint64 now_us);

  // Why a connection carrying `token` is refused (unknown or expired), or
  // nothing.
  std::optional<std::string> connection_refusal(const std::string& token, gint64 now_us) const;
  // A setup that starts a new session (not a resumption): refused after
  // newSessionExpireTime or when the uses are gone; else counts a use.
  std::optional<std::string> start_session(const std::string& token, gint64 now_us);
  // The setup frame with the token's locked fields applied: without a
  // fieldMask every field the token sets replaces the client's; with one,
  // each listed path ("model", "generationConfig.temperature") is the
  // token's (gone when the token leaves it unset). Unchanged without a lock.
  std::string constrain(const std::string& token, std::string_view setup_frame) const;

  std::size_t size() const { return tokens_.size(); }

 private:
  struct Token {
    int uses = 1;  // 0: unlimited
    int used = 0;
    gint64 expire_us = 0;
    gint64 new_session_expire_us = 0;
    std::string locked_setup;  // flat setup JSON; "" none
    std::optional<std::string> field_mask;
  };
  std::map<std::string, Token> tokens_;
};

}  // namespace geminilive::mock
