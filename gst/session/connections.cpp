// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/connections.h"

#include <algorithm>
#include <utility>

#include "session/endpoint.h"

namespace geminilive::session {

std::optional<Role> Connections::role_of(uint64_t generation) const {
  if (generation == 0) return std::nullopt;
  if (generation == current.generation) return Role::Current;
  if (generation == next.generation) return Role::Next;
  if (std::any_of(draining_.begin(), draining_.end(), [&](const Link& l) { return l.generation == generation; }))
    return Role::Draining;
  return std::nullopt;
}

std::shared_ptr<transport::WebSocketClient> Connections::end_draining(uint64_t generation) {
  auto it = std::find_if(draining_.begin(), draining_.end(), [&](const Link& l) { return l.generation == generation; });
  if (it == draining_.end()) return nullptr;
  std::shared_ptr<transport::WebSocketClient> client = std::move(it->client);
  draining_.erase(it);
  return client;
}

transport::WebSocketOptions websocket_options(const SessionConfig& config) {
  transport::WebSocketOptions o;
  // On the loop thread before each connection: a fresh bearer each time.
  Endpoint endpoint = session_endpoint(config, next_access_token(config));
  o.uri = std::move(endpoint.uri);
  o.api_key = std::move(endpoint.api_key);
  o.headers = std::move(endpoint.headers);
  o.ca_file = config.ca_file;
  o.max_incoming_payload = 64u * 1024 * 1024;
  o.stall_timeout = config.stall_timeout;
  const auto ms = config.connect_timeout.count();
  o.connect_timeout_s = ms > 0 ? static_cast<unsigned>((ms + 999) / 1000) : 0;
  return o;
}

}  // namespace geminilive::session
