// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/handshake.h"

namespace geminilive::transport {
namespace {

std::string describe_tls_errors(GTlsCertificateFlags flags) {
  std::string out;
  auto add = [&out](const char* text) {
    if (!out.empty()) out += ", ";
    out += text;
  };
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA) add("certificate not trusted (unknown CA)");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY) add("certificate does not match the host");
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED) add("certificate not yet valid");
  if (flags & G_TLS_CERTIFICATE_EXPIRED) add("certificate expired");
  if (flags & G_TLS_CERTIFICATE_REVOKED) add("certificate revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE) add("certificate uses an insecure algorithm");
  if (flags & G_TLS_CERTIFICATE_GENERIC_ERROR) add("certificate error");
  return out;
}

}  // namespace

std::string redact_uri(const std::string& uri) {
  const auto query = uri.find('?');
  if (query == std::string::npos) return uri;
  std::string out = uri.substr(0, query + 1);
  std::size_t pos = query + 1;
  while (pos <= uri.size()) {
    std::size_t amp = uri.find('&', pos);
    if (amp == std::string::npos) amp = uri.size();
    std::string param = uri.substr(pos, amp - pos);
    const auto eq = param.find('=');
    const std::string name = param.substr(0, eq);
    if (eq != std::string::npos && (name == "key" || name == "access_token" || name == "token")) {
      param = name + "=<redacted>";
    }
    out += param;
    if (amp < uri.size()) out += '&';
    pos = amp + 1;
  }
  return out;
}

GObjectPtr<SoupSession> handshake_session(const WebSocketOptions& options, std::string& error) {
  g_autoptr(GTlsDatabase) database = nullptr;
  if (!options.ca_file.empty()) {
    g_autoptr(GError) load_error = nullptr;
    database = g_tls_file_database_new(options.ca_file.c_str(), &load_error);
    if (!database) {
      // Never fall back to the system store: the caller asked for this CA.
      error = "cannot load ca-file '" + options.ca_file + "': " + load_error->message;
      return nullptr;
    }
  }
  // "timeout" 0: the client's connect timeout covers the handshake, and an
  // idle live session must not be cut by a socket I/O timeout.
  GObjectPtr<SoupSession> session(soup_session_new_with_options("timeout", 0u, "user-agent", "geminilive", nullptr));
  if (database) soup_session_set_tls_database(session.get(), database);
  return session;
}

GObjectPtr<SoupMessage> handshake_request(const WebSocketOptions& options) {
  g_autoptr(GUri) uri = g_uri_parse(options.uri.c_str(), static_cast<GUriFlags>(SOUP_HTTP_URI_FLAGS), nullptr);
  GObjectPtr<SoupMessage> message(soup_message_new_from_uri(SOUP_METHOD_GET, uri));
  SoupMessageHeaders* headers = soup_message_get_request_headers(message.get());
  for (const auto& [name, value] : options.headers) {
    soup_message_headers_append(headers, name.c_str(), value.c_str());
  }
  if (!options.api_key.empty()) {
    soup_message_headers_replace(headers, "x-goog-api-key", options.api_key.c_str());
  }
  return message;
}

ConnectFailure describe_connect_failure(const GError* error, SoupMessage* request, bool timed_out, unsigned timeout_s,
                                        GTlsCertificateFlags tls_errors) {
  ConnectFailure failure;
  failure.reason = error ? error->message : "unknown error";
  const unsigned status = request ? soup_message_get_status(request) : 0;
  if (timed_out) {
    failure.reason = "connection timed out after " + std::to_string(timeout_s) + " s";
  } else if (tls_errors != 0) {
    failure.reason += ": " + describe_tls_errors(tls_errors);
  } else if (status != 0 && status != SOUP_STATUS_SWITCHING_PROTOCOLS) {
    failure.http_status = static_cast<int>(status);
    const char* phrase = soup_message_get_reason_phrase(request);
    failure.reason +=
        " (HTTP " + std::to_string(status) + (phrase && *phrase ? " " : "") + (phrase ? phrase : "") + ")";
  }
  return failure;
}

std::string websocket_uri_problem(const std::string& uri) {
  g_autoptr(GUri) parsed = g_uri_parse(uri.c_str(), static_cast<GUriFlags>(SOUP_HTTP_URI_FLAGS), nullptr);
  const char* scheme = parsed ? g_uri_get_scheme(parsed) : nullptr;
  const char* host = parsed ? g_uri_get_host(parsed) : nullptr;
  if (!scheme || !host || !*host || (g_ascii_strcasecmp(scheme, "ws") != 0 && g_ascii_strcasecmp(scheme, "wss") != 0))
    return "invalid WebSocket URI '" + redact_uri(uri) + "': it must be ws:// or wss:// with a host";
  return "";
}

std::string ca_file_problem(const std::string& ca_file) {
  g_autoptr(GError) error = nullptr;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new(ca_file.c_str(), &error);
  return database ? "" : "cannot load ca-file '" + ca_file + "': " + error->message;
}

}  // namespace geminilive::transport
