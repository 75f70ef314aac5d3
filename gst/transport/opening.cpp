// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/opening.h"

#include <gst/gst.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "transport/transport_debug.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {
namespace {

// An answer to the upgrade is a status line and a few headers; anything
// longer is not a WebSocket server.
constexpr std::size_t kMaxAnswer = 64 * 1024;

// What an asynchronous call holds: the opening stays alive until it returns.
struct Call {
  std::shared_ptr<Opening> opening;
};

}  // namespace

Opening::Opening(const WebSocketOptions& options, Done done)
    : timeout_s_(options.connect_timeout_s), done_(std::move(done)) {}

Opening::~Opening() {
  if (client_) g_signal_handlers_disconnect_by_data(client_.get(), this);
  if (tls_) g_signal_handlers_disconnect_by_data(tls_.get(), this);
  if (released_) released_();
}

std::shared_ptr<Opening> Opening::start(const WebSocketOptions& options, Done done) {
  std::shared_ptr<Opening> opening(new Opening(options, std::move(done)));
  opening->begin(options);
  return opening;
}

void Opening::begin(const WebSocketOptions& options) {
  std::string error;
  key_ = new_websocket_key();
  request_ = upgrade_request(options, key_, error);
  if (!error.empty()) return fail_soon(error);
  if (!options.ca_file.empty()) {
    database_.reset(load_ca_file(options.ca_file, error));
    if (!database_) return fail_soon(error);
  }
  const bool tls = websocket_uri_uses_tls(options.uri);
  // Proxy settings are looked up by the connectable's scheme: http and https,
  // as libsoup maps ws and wss, so an https_proxy applies to wss://.
  const std::string as_http = (tls ? "https" : "http") + options.uri.substr(options.uri.find("://"));
  g_autoptr(GSocketConnectable) address =
      g_network_address_parse_uri(as_http.c_str(), default_websocket_port(tls), nullptr);
  if (!address) return fail_soon("cannot read the host and port of " + redact_uri(options.uri));

  client_.reset(g_socket_client_new());
  g_socket_client_set_tls(client_.get(), tls);
  g_signal_connect(client_.get(), "event", G_CALLBACK(on_client_event), this);
  g_socket_client_connect_async(
      client_.get(), address, cancellable_.get(),
      [](GObject* source, GAsyncResult* result, gpointer data) {
        std::unique_ptr<Call> call(static_cast<Call*>(data));
        GError* error = nullptr;
        GSocketConnection* connection = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, &error);
        call->opening->connected(connection, error);
      },
      new Call{shared_from_this()});
}

void Opening::fail_soon(std::string reason) {
  // Reported from the loop, as every other outcome, never from inside start().
  upgrade_.problem = std::move(reason);
  GSource* source = g_idle_source_new();
  g_source_set_callback(
      source,
      [](gpointer data) {
        static_cast<Call*>(data)->opening->finish(nullptr);
        return G_SOURCE_REMOVE;
      },
      new Call{shared_from_this()}, [](gpointer data) { delete static_cast<Call*>(data); });
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default();
  g_source_attach(source, context);
  g_source_unref(source);
}

void Opening::connected(GSocketConnection* connection, GError* error) {
  if (!connection) return finish(error);
  stream_.reset(G_IO_STREAM(connection));
  // Live audio goes out as it comes, not held back by Nagle until the
  // previous segment's ACK (libsoup set it too).
  g_socket_set_option(g_socket_connection_get_socket(connection), IPPROTO_TCP, TCP_NODELAY, 1, nullptr);
  GST_DEBUG("TCP%s connected; sending the upgrade request", tls_ ? " and TLS" : "");
  g_output_stream_write_all_async(
      g_io_stream_get_output_stream(stream_.get()), request_.data(), request_.size(), G_PRIORITY_DEFAULT,
      cancellable_.get(),
      [](GObject* source, GAsyncResult* result, gpointer data) {
        std::unique_ptr<Call> call(static_cast<Call*>(data));
        GError* error = nullptr;
        g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, nullptr, &error);
        call->opening->request_written(error);
      },
      new Call{shared_from_this()});
}

void Opening::request_written(GError* error) {
  // The request holds the credentials: not kept longer than needed.
  std::fill(request_.begin(), request_.end(), '\0');
  request_.clear();
  if (error) return finish(error);
  read_answer();
}

void Opening::read_answer() {
  g_input_stream_read_async(
      g_io_stream_get_input_stream(stream_.get()), chunk_, sizeof chunk_, G_PRIORITY_DEFAULT, cancellable_.get(),
      [](GObject* source, GAsyncResult* result, gpointer data) {
        std::unique_ptr<Call> call(static_cast<Call*>(data));
        GError* error = nullptr;
        const gssize size = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);
        call->opening->answer_read(size, error);
      },
      new Call{shared_from_this()});
}

void Opening::answer_read(gssize size, GError* error) {
  if (size < 0) return finish(error);
  if (size == 0) {
    upgrade_.problem = "the server closed the connection before answering the WebSocket upgrade";
    return finish(nullptr);
  }
  const std::size_t searched_from = answer_.size() > 3 ? answer_.size() - 3 : 0;
  answer_.append(chunk_, static_cast<std::size_t>(size));
  const auto end = answer_.find("\r\n\r\n", searched_from);
  if (end == std::string::npos) {
    if (answer_.size() <= kMaxAnswer) return read_answer();
    upgrade_.problem = "the server's answer to the WebSocket upgrade is over 64 KiB of headers";
    return finish(nullptr);
  }
  upgrade_ = check_upgrade_answer(std::string_view(answer_).substr(0, end + 4), key_);
  answer_.erase(0, end + 4);
  finish(nullptr);
}

void Opening::finish(GError* error) {
  g_autoptr(GError) owned = error;
  if (tls_) {
    g_signal_handlers_disconnect_by_data(tls_.get(), this);
    tls_.reset();
  }
  if (!done_) return;  // abandoned
  OpenedStream out;
  if (!error && upgrade_.problem.empty() && stream_) {
    out.stream = std::move(stream_);
    out.early_bytes = std::move(answer_);
  } else {
    out.failure = describe_connect_failure(error, upgrade_, timed_out_, timeout_s_, tls_errors_);
    stream_.reset();
  }
  Done done = std::move(done_);
  done_ = nullptr;
  done(std::move(out));
}

void Opening::abandon() {
  done_ = nullptr;
  g_cancellable_cancel(cancellable_.get());
  if (stream_)
    g_socket_shutdown(g_socket_connection_get_socket(G_SOCKET_CONNECTION(stream_.get())), TRUE, TRUE, nullptr);
}

void Opening::time_out() {
  timed_out_ = true;
  g_cancellable_cancel(cancellable_.get());
}

void Opening::on_client_event(GSocketClient*, GSocketClientEvent event, GSocketConnectable*, GIOStream* connection,
                              gpointer data) {
  auto* self = static_cast<Opening*>(data);
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING || !G_IS_TLS_CONNECTION(connection)) return;
  self->tls_.reset(G_TLS_CONNECTION(g_object_ref(connection)));
  if (self->database_) g_tls_connection_set_database(self->tls_.get(), self->database_.get());
  g_signal_connect(connection, "accept-certificate", G_CALLBACK(on_accept_certificate), self);
}

gboolean Opening::on_accept_certificate(GTlsConnection*, GTlsCertificate*, GTlsCertificateFlags errors, gpointer data) {
  // Only remembered for the failure reason; the certificate is refused.
  static_cast<Opening*>(data)->tls_errors_ = errors;
  return FALSE;
}

}  // namespace geminilive::transport
