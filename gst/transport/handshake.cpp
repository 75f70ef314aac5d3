// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/handshake.h"

#include <libsoup/soup.h>

#include <cstring>

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

// As libsoup parses HTTP URIs; ws:// and wss:// are checked by websocket_uri_problem().
constexpr int kUriFlags = SOUP_HTTP_URI_FLAGS;

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

std::string accept_for_key(const std::string& key) {
  // RFC 6455 4.2.2: base64 of the SHA-1 of the key and this GUID.
  const std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  guint8 digest[20];
  gsize size = sizeof digest;
  g_autoptr(GChecksum) sha1 = g_checksum_new(G_CHECKSUM_SHA1);
  g_checksum_update(sha1, reinterpret_cast<const guchar*>(text.data()), static_cast<gssize>(text.size()));
  g_checksum_get_digest(sha1, digest, &size);
  g_autofree char* b64 = g_base64_encode(digest, size);
  return b64;
}

bool websocket_uri_uses_tls(const std::string& uri) { return g_ascii_strncasecmp(uri.c_str(), "wss:", 4) == 0; }

std::string new_websocket_key() {
  guint8 raw[16];
  for (std::size_t i = 0; i < sizeof raw; i += 4) {
    const guint32 r = g_random_int();
    std::memcpy(raw + i, &r, 4);
  }
  g_autofree char* key = g_base64_encode(raw, sizeof raw);
  return key;
}

std::string upgrade_request(const WebSocketOptions& options, const std::string& key, std::string& error) {
  g_autoptr(GUri) uri = g_uri_parse(options.uri.c_str(), static_cast<GUriFlags>(kUriFlags), nullptr);
  const bool tls = websocket_uri_uses_tls(options.uri);
  const int port = g_uri_get_port(uri);
  std::string host = g_uri_get_host(uri);
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // an IPv6 literal
  if (port > 0 && port != default_websocket_port(tls)) host += ":" + std::to_string(port);
  const char* path = g_uri_get_path(uri);
  const char* query = g_uri_get_query(uri);

  std::string out = "GET ";
  out += (path && *path) ? path : "/";
  if (query) (out += '?') += query;
  out += " HTTP/1.1\r\nHost: " + host +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
         "Sec-WebSocket-Key: " +
         key + "\r\nUser-Agent: geminilive\r\n";
  auto add = [&](const std::string& name, const std::string& value) {
    // A line break would let a value write headers of its own.
    if (name.empty() || name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      error = "the header '" + (name.find_first_of("\r\n") == std::string::npos ? name : std::string("?")) +
              "' has a line break or is empty; it cannot be sent";
      return false;
    }
    out += name + ": " + value + "\r\n";
    return true;
  };
  for (const auto& [name, value] : options.headers) {
    if (g_ascii_strcasecmp(name.c_str(), "x-goog-api-key") == 0 && !options.api_key.empty()) continue;
    if (!add(name, value)) return "";
  }
  if (!options.api_key.empty() && !add("x-goog-api-key", options.api_key)) return "";
  out += "\r\n";
  return out;
}

UpgradeAnswer check_upgrade_answer(std::string_view head, const std::string& key) {
  UpgradeAnswer answer;
  const std::string text(head);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
  guint status = 0;
  g_autofree char* phrase = nullptr;
  if (!soup_headers_parse_response(text.c_str(), static_cast<int>(text.size()), headers, nullptr, &status, &phrase)) {
    answer.problem = "the server's answer to the WebSocket upgrade is not HTTP";
    return answer;
  }
  answer.status = static_cast<int>(status);
  if (status != SOUP_STATUS_SWITCHING_PROTOCOLS) {
    answer.problem = "The server did not accept the WebSocket handshake. (HTTP " + std::to_string(status) +
                     (phrase && *phrase ? std::string(" ") + phrase : std::string()) + ")";
    return answer;
  }
  const char* upgrade = soup_message_headers_get_one(headers, "Upgrade");
  const char* connection = soup_message_headers_get_list(headers, "Connection");
  const char* accept = soup_message_headers_get_one(headers, "Sec-WebSocket-Accept");
  if (!upgrade || g_ascii_strcasecmp(upgrade, "websocket") != 0 || !connection ||
      !soup_header_contains(connection, "upgrade")) {
    answer.problem = "the server's 101 answer does not upgrade to a WebSocket";
  } else if (!accept || accept_for_key(key) != accept) {
    answer.problem = "the server's Sec-WebSocket-Accept does not answer our key";
  } else if (soup_message_headers_get_one(headers, "Sec-WebSocket-Extensions")) {
    answer.problem = "the server chose a WebSocket extension we did not offer";
  }
  return answer;
}

GTlsDatabase* load_ca_file(const std::string& ca_file, std::string& error) {
  g_autoptr(GError) load_error = nullptr;
  GTlsDatabase* database = g_tls_file_database_new(ca_file.c_str(), &load_error);
  if (!database) error = "cannot load ca-file '" + ca_file + "': " + load_error->message;
  return database;
}

ConnectFailure describe_connect_failure(const GError* error, const UpgradeAnswer& answer, bool timed_out,
                                        unsigned timeout_s, GTlsCertificateFlags tls_errors) {
  ConnectFailure failure;
  if (timed_out) {
    failure.reason = "connection timed out after " + std::to_string(timeout_s) + " s";
  } else if (!answer.problem.empty()) {
    failure.reason = answer.problem;
    if (answer.status != SOUP_STATUS_SWITCHING_PROTOCOLS) failure.http_status = answer.status;
  } else {
    failure.reason = error ? error->message : "unknown error";
    if (tls_errors != 0) failure.reason += ": " + describe_tls_errors(tls_errors);
  }
  return failure;
}

std::string websocket_uri_problem(const std::string& uri) {
  g_autoptr(GUri) parsed = g_uri_parse(uri.c_str(), static_cast<GUriFlags>(kUriFlags), nullptr);
  const char* scheme = parsed ? g_uri_get_scheme(parsed) : nullptr;
  const char* host = parsed ? g_uri_get_host(parsed) : nullptr;
  if (!scheme || !host || !*host || (g_ascii_strcasecmp(scheme, "ws") != 0 && g_ascii_strcasecmp(scheme, "wss") != 0))
    return "invalid WebSocket URI '" + redact_uri(uri) + "': it must be ws:// or wss:// with a host";
  return "";
}

std::string ca_file_problem(const std::string& ca_file) {
  std::string error;
  g_autoptr(GTlsDatabase) database = load_ca_file(ca_file, error);
  return error;
}

}  // namespace geminilive::transport
