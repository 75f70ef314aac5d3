// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/close_codes.h"

#include "transport/websocket_client.h"

namespace geminilive::transport {

// A WebSocket close frame holds 125 payload bytes: 2 for the code, so 123 for
// the reason; cut on a UTF-8 boundary, as a torn character would make the
// frame invalid.
std::string truncate_reason(std::string reason) {
  constexpr std::size_t kMax = 123;
  if (reason.size() <= kMax) return reason;
  std::size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80) --end;
  reason.resize(end);
  return reason;
}

// Servers built on libsoup (the local server, the relay's browsers' peers)
// turn some valid codes (1012-1014) into a protocol error, and 1011 is the
// server's to send; only send codes every peer accepts.
int sendable_close_code(int code) {
  switch (code) {
    case 1000:
    case 1001:
    case 1002:
    case 1003:
    case 1005:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
      return code;
    default:
      return code >= 3000 && code <= 4999 ? code : 1000;
  }
}

const char* close_code_name(int code) {
  switch (code) {
    case 1000:
      return "normal closure";
    case 1001:
      return "going away";
    case 1002:
      return "protocol error";
    case 1003:
      return "unsupported data";
    case 1005:
      return "no status received";
    case 1006:
      return "abnormal closure";
    case 1007:
      return "invalid payload data";
    case 1008:
      return "policy violation";
    case 1009:
      return "message too big";
    case 1010:
      return "mandatory extension";
    case 1011:
      return "internal error";
    case 1012:
      return "service restart";
    case 1013:
      return "try again later";
    case 1014:
      return "bad gateway";
    case 1015:
      return "TLS handshake failure";
    default:
      if (code >= 4000 && code <= 4999) return "application-defined";
      if (code >= 3000 && code <= 3999) return "registered";
      return "unknown";
  }
}

}  // namespace geminilive::transport
