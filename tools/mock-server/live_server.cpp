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
#include "upgrade_auth.h"

#define GST_CAT_DEFAULT geminilive::mock::mock_debug_category()

namespace geminilive::mock {
namespace {

// An HTTP answer with a JSON body.
void respond_json(SoupServerMessage* msg, int status, const std::string& body) {
  soup_server_message_set_status(msg, static_cast<guint>(status), nullptr);
  soup_server_message_set_response(msg, "application/json; charset=UTF-8", SOUP_MEMORY_COPY, body.data(), body.size());
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
  TokenStore tokens;
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

  void mint_token(SoupServerMessage* msg);
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
  const std::string method = soup_server_message_get_method(msg);
  if (method == "POST" && path && g_str_has_suffix(path, "/v1alpha/auth_tokens")) {
    self->mint_token(msg);
    return;
  }
  auto live = parse_live_path(path ? path : "");
  if (!live) {
    self->log("404 for " + method + " " + (path ? path : ""));
    soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, nullptr);
    return;
  }
  if (live->method == LivePath::Method::Vertex) {
    Admission admission = admit(self->options, self->tokens, *live, msg, g_get_real_time());
    if (admission.http_status) {
      self->log("401 for the Vertex AI upgrade on " + std::string(path) + " (" + admission.credential + ")");
      self->state.update([&](ServerStats& s) { s.bearer_tokens.push_back(admission.access_token); });
      respond_json(msg, admission.http_status, admission.http_body);
      return;
    }
  }
  // A Live path: no status here, so libsoup goes on with the WebSocket
  // handshake (and answers 400 itself to a request that is not one).
}

void LiveServer::Impl::mint_token(SoupServerMessage* msg) {
  if (auto refusal = rest_key_refusal(options, msg)) {
    log("refusing to mint a token: HTTP " + std::to_string(refusal->first));
    respond_json(msg, refusal->first, refusal->second);
    return;
  }
  g_autoptr(GBytes) body = soup_message_body_flatten(soup_server_message_get_request_body(msg));
  gsize size = 0;
  const char* data = static_cast<const char*>(g_bytes_get_data(body, &size));
  TokenStore::Minted minted = tokens.mint(std::string_view(data ? data : "", size), g_get_real_time());
  if (minted.http_status == 200) {
    state.update([](ServerStats& s) { ++s.tokens_minted; });
    log("minted an ephemeral token");
  } else {
    log("refusing to mint a token: HTTP " + std::to_string(minted.http_status) + " " + minted.body);
  }
  respond_json(msg, minted.http_status, minted.body);
}

void LiveServer::Impl::on_websocket(SoupServer*, SoupServerMessage* msg, const char* path, SoupWebsocketConnection* ws,
                                    gpointer data) {
  auto* self = static_cast<Impl*>(data);
  UpgradeInfo info;
  info.number = ++self->connection_count;
  const LivePath live = parse_live_path(path ? path : "").value_or(LivePath{LivePath::Method::Plain, "v1beta"});
  info.api_version = live.version;
  info.vertex = live.method == LivePath::Method::Vertex;
  Admission admission = admit(self->options, self->tokens, live, msg, g_get_real_time());
  info.key_ok = admission.close_reason.empty();
  info.refusal = admission.close_reason;
  info.token = admission.token;
  // The path only: the query may hold the key, which is never logged.
  std::string request_path = path ? path : "";
  self->state.connection_started(info.number);
  self->state.update([&](ServerStats& s) {
    ++s.connections;
    s.last_request_path = request_path;
    s.last_credential = admission.credential;
    if (info.vertex) s.bearer_tokens.push_back(admission.access_token);
  });
  self->log("connection " + std::to_string(info.number) + ": upgrade on " + request_path + " with " +
            admission.credential);

  ConnectionEnv env;
  env.options = &self->options;
  env.state = &self->state;
  env.sessions = &self->sessions;
  env.tokens = &self->tokens;
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
