// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/socket_activity.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace geminilive::transport {

GSocket* underlying_socket(GIOStream* stream) {
  // SoupIOStream names its base "base-iostream", GTlsConnection
  // "base-io-stream"; a handful of levels at most.
  for (int depth = 0; stream && depth < 8; ++depth) {
    if (G_IS_SOCKET_CONNECTION(stream)) return g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream));
    GObjectClass* klass = G_OBJECT_GET_CLASS(stream);
    const char* property = g_object_class_find_property(klass, "base-iostream")    ? "base-iostream"
                           : g_object_class_find_property(klass, "base-io-stream") ? "base-io-stream"
                                                                                   : nullptr;
    if (!property) return nullptr;
    GIOStream* base = nullptr;
    g_object_get(stream, property, &base, nullptr);
    // The wrapper keeps its base alive as long as itself.
    if (base) g_object_unref(base);
    stream = base;
  }
  return nullptr;
}

std::optional<std::chrono::milliseconds> since_last_data_received(GSocket* socket) {
  // Sockets from GSocketClient say "default" protocol: TCP is a stream
  // socket of an IP family (getsockopt fails on anything else).
  if (!socket || g_socket_get_socket_type(socket) != G_SOCKET_TYPE_STREAM) return std::nullopt;
  const GSocketFamily family = g_socket_get_family(socket);
  if (family != G_SOCKET_FAMILY_IPV4 && family != G_SOCKET_FAMILY_IPV6) return std::nullopt;
  struct tcp_info info {};
  socklen_t size = sizeof info;
  if (getsockopt(g_socket_get_fd(socket), IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return std::nullopt;
  return std::chrono::milliseconds(info.tcpi_last_data_recv);
}

}  // namespace geminilive::transport
