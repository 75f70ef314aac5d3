// SPDX-License-Identifier: LGPL-2.1-or-later
// The SoupServer front of the local Live server: listening (ws:// or wss://),
// which upgrade paths exist, API-key checks, and the set of live
// connections. The protocol itself is in live_connection.cpp.
#include "live_server.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>

#include "common/gobject_ptr.h"
#include "live_connection.h"
#include "mock_log.h"
#include "transport/event_loop_thread.h"

#define GST_CAT_DEFAULT geminilive::mock::mock_debug_category()

namespace geminilive::mock {
namespace {

// ".../ws/google.ai.generativelanguage.{v1alpha|v1beta}.GenerativeService.
// BidiGenerateContent[Constrained]"; anything before "/ws/" is ignored (the
// SDKs send "//ws/..."). Sets the API version.
bool parse_live_path(std::string_view path, std::string* version) {
  std::size_t at = path.find("/ws/");
  if (at == std::string_view::npos) return false;
  std::string_view rest = path.substr(at + 4);
  constexpr std::string_view kService = "google.ai.generativelanguage.";
  if (rest.substr(0, kService.size()) != kService) return false;
  rest.remove_prefix(kService.size());
  for (std::string_view v : {std::string_view("v1alpha"), std::string_view("v1beta")}) {
    if (rest.substr(0, v.size()) != v) continue;
    std::string_view method = rest.substr(v.size());
    if (method == ".GenerativeService.BidiGenerateContent" ||
        method == ".GenerativeService.BidiGenerateContentConstrained") {
      *version = std::string(v);
      return true;
    }
  }
  return false;
}

// Every credential the upgrade request carries, in any of the accepted forms.
std::vector<std::string> request_keys(SoupServerMessage* msg) {
  std::vector<std::string> keys;
  if (const char* query = g_uri_get_query(soup_server_message_get_uri(msg))) {
    GHashTable* form = soup_form_decode(query);
    for (const char* name : {"key", "access_token"}) {
      if (auto* value = static_cast<const char*>(g_hash_table_lookup(form, name))) keys.emplace_back(value);
    }
    g_hash_table_unref(form);
  }
  SoupMessageHeaders* headers = soup_server_message_get_request_headers(msg);
  if (const char* key = soup_message_headers_get_one(headers, "x-goog-api-key")) keys.emplace_back(key);
  if (const char* auth = soup_message_headers_get_one(headers, "Authorization")) {
    for (const char* scheme : {"Token ", "Bearer "}) {
      std::size_t n = strlen(scheme);
      if (g_ascii_strncasecmp(auth, scheme, n) == 0) keys.emplace_back(auth + n);
    }
  }
  return keys;
}

}  // namespace

struct LiveServer::Impl {
  explicit Impl(ServerOptions o) : options(std::move(o)) {}

  ServerOptions options;
  ServerState state;
  std::unique_ptr<transport::EventLoopThread> loop;
  uint16_t bound_port = 0;
  std::string bound_uri;

  // Server thread only.
  GObjectPtr<SoupServer> server;
  SessionStore sessions;
  std::map<unsigned, std::unique_ptr<LiveConnection>> connections;
  unsigned connection_count = 0;
  unsigned latest = 0;
  unsigned next_call_id = 0;
  transport::SourceTimer reaper;
  transport::SourceTimer dropper;  // options.drop_every
  // Posted hooks check this, so none runs once the server is gone.
  std::shared_ptr<int> alive = std::make_shared<int>(0);

  void log(const std::string& line) {
    GST_INFO("%s", line.c_str());
    if (options.log) options.log(line);
  }

  bool listen(std::string* error);
  void shutdown();
  void reap();
  LiveConnection* latest_connection();
  void drop_periodically() {
    dropper.start(loop->context(), options.drop_every, [this] {
      if (auto* c = latest_connection()) c->drop();
      drop_periodically();
    });
  }
  void post(std::function<void(Impl&)> fn);

  static void on_request(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer data);
  static void on_websocket(SoupServer*, SoupServerMessage* msg, const char* path, SoupWebsocketConnection* ws,
                           gpointer data);
};

bool LiveServer::Impl::listen(std::string* error) {
  GError* err = nullptr;
  GTlsCertificate* cert = nullptr;
  if (!options.tls_cert_file.empty()) {
    const std::string& key = options.tls_key_file.empty() ? options.tls_cert_file : options.tls_key_file;
    cert = g_tls_certificate_new_from_files(options.tls_cert_file.c_str(), key.c_str(), &err);
    if (!cert) {
      *error = std::string("TLS certificate: ") + err->message;
      g_error_free(err);
      return false;
    }
  }
  server.reset(static_cast<SoupServer*>(
      g_object_new(SOUP_TYPE_SERVER, "server-header", "geminilive-mock-server ", "tls-certificate", cert, nullptr)));
  if (cert) g_object_unref(cert);

  soup_server_add_handler(server.get(), nullptr, &Impl::on_request, this, nullptr);
  soup_server_add_websocket_handler(server.get(), nullptr, nullptr, nullptr, &Impl::on_websocket, this, nullptr);

  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string(host.c_str());
  if (!address) {
    *error = "host must be an IP address: " + options.host;
    return false;
  }
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new(address, options.port);
  SoupServerListenOptions listen_options =
      cert || !options.tls_cert_file.empty() ? SOUP_SERVER_LISTEN_HTTPS : static_cast<SoupServerListenOptions>(0);
  if (!soup_server_listen(server.get(), socket_address, listen_options, &err)) {
    *error = std::string("listen: ") + err->message;
    g_error_free(err);
    return false;
  }

  GSList* listeners = soup_server_get_listeners(server.get());
  if (listeners) {
    g_autoptr(GSocketAddress) local = g_socket_get_local_address(G_SOCKET(listeners->data), nullptr);
    if (local && G_IS_INET_SOCKET_ADDRESS(local))
      bound_port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
  }
  g_slist_free(listeners);

  bool v6 = host.find(':') != std::string::npos;
  bound_uri = std::string(options.tls_cert_file.empty() ? "ws://" : "wss://") + (v6 ? "[" : "") + host +
              (v6 ? "]" : "") + ":" + std::to_string(bound_port);
  return true;
}

void LiveServer::Impl::shutdown() {
  alive.reset();
  reaper.cancel();
  dropper.cancel();
  connections.clear();
  if (server) {
    soup_server_disconnect(server.get());
    server.reset();
  }
}

void LiveServer::Impl::reap() {
  for (auto it = connections.begin(); it != connections.end();) {
    if (it->second->finished())
      it = connections.erase(it);
    else
      ++it;
  }
}

LiveConnection* LiveServer::Impl::latest_connection() {
  auto it = connections.find(latest);
  return it == connections.end() || it->second->finished() ? nullptr : it->second.get();
}

void LiveServer::Impl::post(std::function<void(Impl&)> fn) {
  if (!loop) return;
  std::weak_ptr<int> token = alive;
  loop->post([this, token, fn = std::move(fn)] {
    if (token.lock()) fn(*this);
  });
}

void LiveServer::Impl::on_request(SoupServer*, SoupServerMessage* msg, const char* path, GHashTable*, gpointer data) {
  auto* self = static_cast<Impl*>(data);
  std::string version;
  if (!parse_live_path(path ? path : "", &version)) {
    self->log(std::string("404 for ") + soup_server_message_get_method(msg) + " " + (path ? path : ""));
    soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, nullptr);
    return;
  }
  // A Live path: no status here, so libsoup goes on with the WebSocket
  // handshake (and answers 400 itself to a request that is not one).
}

void LiveServer::Impl::on_websocket(SoupServer*, SoupServerMessage* msg, const char* path, SoupWebsocketConnection* ws,
                                    gpointer data) {
  auto* self = static_cast<Impl*>(data);
  UpgradeInfo info;
  info.number = ++self->connection_count;
  if (!parse_live_path(path ? path : "", &info.api_version)) info.api_version = "v1beta";
  if (self->options.api_key) {
    auto keys = request_keys(msg);
    info.key_ok = std::find(keys.begin(), keys.end(), *self->options.api_key) != keys.end();
  }
  // The path only: the query may hold the key, which is never logged.
  std::string request_path = path ? path : "";
  self->state.connection_started(info.number);
  self->state.update([&](ServerStats& s) {
    ++s.connections;
    s.last_request_path = request_path;
  });
  self->log("connection " + std::to_string(info.number) + ": upgrade on " + request_path);

  ConnectionEnv env;
  env.options = &self->options;
  env.state = &self->state;
  env.sessions = &self->sessions;
  env.context = self->loop->context();
  env.next_call_id = &self->next_call_id;
  env.on_finished = [self](LiveConnection*) {
    // Never delete a connection inside its own signal handler.
    self->reaper.start(self->loop->context(), std::chrono::milliseconds(0), [self] { self->reap(); });
  };
  unsigned number = info.number;
  self->connections.emplace(number, std::make_unique<LiveConnection>(std::move(env), std::move(info), ws,
                                                                     soup_server_message_get_socket(msg)));
  self->latest = number;
}

LiveServer::LiveServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  mock_debug_category();
}

LiveServer::~LiveServer() {
  if (impl_->loop) {
    impl_->loop->run_sync([this] { impl_->shutdown(); });
    impl_->loop.reset();
  }
}

bool LiveServer::start(std::string* error) {
  std::string message;
  if (impl_->loop) {
    message = "already started";
  } else {
    impl_->loop = std::make_unique<transport::EventLoopThread>("geminilive-mock");
    bool ok = false;
    impl_->loop->run_sync([&] {
      // Listening sockets and every connection attach to the thread-default
      // context at creation: make sure it is the server thread's.
      GMainContext* context = impl_->loop->context();
      bool push = g_main_context_get_thread_default() != context;
      if (push) g_main_context_push_thread_default(context);
      ok = impl_->listen(&message);
      if (!ok) impl_->shutdown();
      if (push) g_main_context_pop_thread_default(context);
    });
    if (ok && impl_->options.drop_every.count() > 0) impl_->loop->run_sync([this] { impl_->drop_periodically(); });
    if (ok) {
      impl_->log("listening on " + impl_->bound_uri);
      return true;
    }
    impl_->loop.reset();
  }
  if (error) *error = message;
  return false;
}

std::string LiveServer::uri() const { return impl_->bound_uri; }

uint16_t LiveServer::port() const { return impl_->bound_port; }

ServerStats LiveServer::stats() const { return impl_->state.snapshot(); }

std::vector<std::string> LiveServer::received_messages() const { return impl_->state.messages(); }

bool LiveServer::wait_for(const std::function<bool(const ServerStats&)>& pred,
                          std::chrono::milliseconds timeout) const {
  return impl_->state.wait_for(pred, timeout);
}

void LiveServer::send_raw(std::string payload, bool binary) {
  impl_->post([payload = std::move(payload), binary](Impl& impl) {
    if (auto* c = impl.latest_connection()) c->send_raw(payload, binary);
  });
}

void LiveServer::close_connection(int code, std::string reason) {
  impl_->post([code, reason = std::move(reason)](Impl& impl) {
    if (auto* c = impl.latest_connection()) c->close(code, reason);
  });
}

void LiveServer::drop_connection() {
  impl_->post([](Impl& impl) {
    if (auto* c = impl.latest_connection()) c->drop();
  });
}

void LiveServer::stall(std::chrono::milliseconds duration) {
  impl_->post([duration](Impl& impl) {
    impl.log("stalling for " + std::to_string(duration.count()) + " ms");
    g_usleep(static_cast<gulong>(duration.count()) * 1000);
    impl.log("stall over");
  });
}

void LiveServer::forget_handles() {
  impl_->post([](Impl& impl) { impl.sessions.forget_handles(); });
}

}  // namespace geminilive::mock
