// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-relay's front: a libsoup 3 SoupServer on the caller's
// thread-default main context that serves our page (embedded, GResource) at
// "/" and accepts WebSocket upgrades on any path, checking the token and
// the Origin (access_policy.h) and the session limit. Each connection is a
// BrowserSession with its own pipeline.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "access_policy.h"
#include "browser_session.h"
#include "observed_stream.h"
#include "outbox.h"

namespace geminilive::relay {

struct ServerConfig {
  std::string listen = "127.0.0.1";  // "127.0.0.1" (the default): 127.0.0.1 and ::1
  uint16_t port = 9083;              // 0 picks a free one
  AccessPolicy access;
  size_t max_message = 4 * 1024 * 1024;  // bytes of one browser message
  // What may wait to be sent to one browser: kMaxQueuedMs of the answer's
  // audio as {"audio"} messages (outbox.h says what happens past it).
  unsigned max_queued_ms = kDefaultMaxQueuedMs;
  unsigned stall_close_seconds =
      kDefaultStallCloseSeconds;  // a browser that reads nothing this long while messages wait is closed
  int socket_send_buffer = 0;     // SO_SNDBUF of a browser's socket; 0: the kernel's own (autotuned)
  unsigned max_sessions = 64;
  SessionDefaults defaults;
  std::function<void(const std::string&)> log;  // one line per event; never given a key or token
};

class RelayServer {
 public:
  explicit RelayServer(ServerConfig config);
  ~RelayServer();  // closes every browser; their pipelines go to NULL

  RelayServer(const RelayServer&) = delete;
  RelayServer& operator=(const RelayServer&) = delete;

  bool start(std::string* error);
  uint16_t port() const { return port_; }
  // http://127.0.0.1:PORT/; the listen address otherwise (the host name for 0.0.0.0 or ::).
  std::string page_url() const;
  unsigned sessions() const { return static_cast<unsigned>(sessions_.size()); }
  unsigned sessions_started() const { return next_id_; }
  // What waits for each open browser, what was dropped (outbox.h).
  std::vector<OutboxStats> send_stats() const;

 private:
  static void on_request(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable* query, gpointer self);
  static void on_upgraded(SoupServerMessage* msg, gpointer pending_upgrade);
  void accept(SoupWebsocketConnection* connection, std::shared_ptr<WriteMeter> meter);
  void serve_file(SoupServerMessage* msg, const char* path);
  void ended(BrowserSession* session);
  void log(const std::string& line) const;

  ServerConfig config_;
  SoupServer* server_ = nullptr;
  uint16_t port_ = 0;
  unsigned next_id_ = 0;
  std::map<BrowserSession*, std::unique_ptr<BrowserSession>> sessions_;
  std::set<GSource*> pending_;            // idle deletions not yet run
  GPtrArray* extension_types_ = nullptr;  // the WebSocket extensions offered (permessage-deflate, as libsoup's)
};

}  // namespace geminilive::relay
