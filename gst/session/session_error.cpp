// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/session_error.h"

#include <glib.h>

#include <cstring>
#include <utility>

#include "session/close_errors.h"

namespace geminilive::session {
namespace {

using transport::CloseInfo;

constexpr char kKeyHint[] = "Check the api-key property or GEMINI_API_KEY.";
constexpr char kTokenHint[] =
    "The ephemeral token is unknown, expired, used up or past its time for new sessions: mint a new one "
    "(geminilive-token) and set it as api-key or GEMINI_API_KEY.";
constexpr char kBearerHint[] =
    "Check the access-token property or GOOGLE_CLOUD_ACCESS_TOKEN: an OAuth access token lasts about an hour "
    "(`gcloud auth print-access-token` gives a new one; the need-access-token signal gives one per connection), and "
    "the project and location.";

const char* refusal_hint(Credential credential) {
  switch (credential) {
    case Credential::EphemeralToken:
      return kTokenHint;
    case Credential::VertexBearer:
      return kBearerHint;
    default:
      return kKeyHint;
  }
}

bool contains_nocase(const std::string& text, const char* needle) {
  g_autofree char* lower = g_ascii_strdown(text.c_str(), static_cast<gssize>(text.size()));
  return std::strstr(lower, needle) != nullptr;
}

// "Gemini Live closed the session: <reason> (close code 1008 policy violation)"
std::string closed_message(const CloseInfo& info, const char* fallback) {
  const std::string& words = info.reason.empty() ? std::string(fallback) : info.reason;
  return std::string(info.kind == CloseInfo::Kind::Dropped ? "The connection to Gemini Live was lost: "
                                                           : "Gemini Live closed the session: ") +
         words + " (close code " + std::to_string(info.code) + " " + transport::close_code_name(info.code) + ")";
}

SessionError make(SessionError::Kind kind, int code, std::string reason, std::string message) {
  SessionError e;
  e.kind = kind;
  e.close_code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  return e;
}

}  // namespace

std::string shown_uri(const std::string& uri) { return uri.substr(0, uri.find('?')); }

std::string format_seconds(std::chrono::microseconds duration) {
  char text[32];
  g_snprintf(text, sizeof text, "%.1f s", static_cast<double>(duration.count()) / 1e6);
  return text;
}

SessionError error_for_close(const CloseInfo& info, const SessionConfig& config) {
  return error_for_close(info, session_endpoint(config).uri, session_credential(config));
}

SessionError error_for_close(const CloseInfo& info, const std::string& uri, Credential credential) {
  using Kind = SessionError::Kind;
  const char* hint = refusal_hint(credential);
  if (info.kind == CloseInfo::Kind::ConnectFailed) {
    // No WebSocket existed, so there is no close code.
    if (info.http_status == 401 || info.http_status == 403)
      return make(Kind::Unauthorized, 0, info.reason,
                  "Gemini Live refused the connection to " + shown_uri(uri) + ": " + info.reason + ". " + hint);
    return make(Kind::Connect, 0, info.reason,
                "Could not connect to Gemini Live at " + shown_uri(uri) + ": " + info.reason);
  }
  if (info.kind == CloseInfo::Kind::Closed && info.code == 1008) {
    // The service's words for a refused key, token or caller.
    if (contains_nocase(info.reason, "api key") || contains_nocase(info.reason, "token") ||
        contains_nocase(info.reason, "unregistered callers") || contains_nocase(info.reason, "authentication"))
      return make(Kind::Unauthorized, info.code, info.reason, closed_message(info, "") + ". " + hint);
    if (contains_nocase(info.reason, "not found")) {
      const char* hint = contains_nocase(info.reason, "session")
                             ? "The session resumption handle is unknown or has expired."
                             : "Check the model property: the model must support the Live API.";
      return make(Kind::NotFound, info.code, info.reason, closed_message(info, "") + ". " + hint);
    }
  }
  if (info.kind == CloseInfo::Kind::Closed && info.code == 1007)
    return make(Kind::InvalidArgument, info.code, info.reason,
                closed_message(info, "invalid argument") +
                    ". The service refused the setup or a message: check the settings the model supports.");
  // Dropped (1006), 1011 and the rest; 1000/1001 reach here only when the
  // session still expected a reply.
  return make(Kind::Closed, info.code, info.reason, closed_message(info, "the service ended the session"));
}

bool close_is_final(const CloseInfo& info, bool after_go_away) {
  switch (info.kind) {
    case CloseInfo::Kind::Dropped:
      return false;
    case CloseInfo::Kind::ConnectFailed:
      return info.http_status == 401 || info.http_status == 403 || info.http_status == 404;
    case CloseInfo::Kind::Closed:
      break;
  }
  if (after_go_away && info.code != 1007) return false;
  switch (info.code) {
    case 1001:  // going away
    case 1012:  // service restart
    case 1013:  // try again later
    case 1014:  // bad gateway
      return false;
    case 1011:
      // Internal error, service unavailable, deadline expired: transient.
      // An exhausted quota is not.
      return contains_nocase(info.reason, "quota") || contains_nocase(info.reason, "resource_exhausted");
    default:
      return true;  // 1000 while streaming, 1007, 1008, and the rest
  }
}

std::string describe_close(const CloseInfo& info) {
  if (info.kind == CloseInfo::Kind::ConnectFailed) return info.reason;
  return std::to_string(info.code) + " " + transport::close_code_name(info.code) +
         (info.reason.empty() ? "" : " \"" + info.reason + "\"");
}

SessionError settings_error(std::string message) {
  return make(SessionError::Kind::Settings, 0, {}, std::move(message));
}

SessionError credentials_error(const std::string& error) {
  return make(SessionError::Kind::Unauthorized, 0, error,
              "Could not get a Vertex AI access token from Application Default Credentials: " + error + ".");
}

SessionError setup_timeout_error(std::chrono::milliseconds timeout, const std::string& uri) {
  return make(SessionError::Kind::Connect, 0, "setup timed out",
              "Gemini Live at " + shown_uri(uri) + " did not complete the setup within " + format_seconds(timeout));
}

}  // namespace geminilive::session
