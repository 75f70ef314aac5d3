// SPDX-License-Identifier: LGPL-2.1-or-later
// Opens the stream of a WebSocket connection: TCP (through the system's
// proxy settings, as GSocketClient finds them), TLS for wss:// (the
// system's CAs or the options' ca_file), and the HTTP upgrade. Runs on the
// thread-default GMainContext of the thread that starts it (the client's
// loop thread). Internal to gst/transport.
#pragma once

#include <gio/gio.h>

#include <functional>
#include <memory>
#include <string>

#include "common/gobject_ptr.h"
#include "transport/handshake.h"
#include "transport/websocket_client.h"

namespace geminilive::transport {

struct OpenedStream {
  GObjectPtr<GIOStream> stream;  // null on failure
  std::string early_bytes;       // what the server sent right after its 101 answer
  ConnectFailure failure;        // why not, when stream is null
};

class Opening : public std::enable_shared_from_this<Opening> {
 public:
  using Done = std::function<void(OpenedStream)>;

  // Starts opening; `done` runs once on this thread's default context,
  // unless abandon() comes first. The URI must pass websocket_uri_problem().
  static std::shared_ptr<Opening> start(const WebSocketOptions& options, Done done);

  // No `done` call from here on; what is under way is cancelled (a socket
  // already connected is shut down, so that its pending I/O ends at once).
  void abandon();
  // Runs when the opening is freed: its last pending call has come back.
  void set_released(std::function<void()> released) { released_ = std::move(released); }
  // Gives up now; `done` hears "connection timed out".
  void time_out();

  ~Opening();
  Opening(const Opening&) = delete;
  Opening& operator=(const Opening&) = delete;

 private:
  Opening(const WebSocketOptions& options, Done done);
  void begin(const WebSocketOptions& options);
  void connected(GSocketConnection* connection, GError* error);
  void request_written(GError* error);
  void read_answer();
  void answer_read(gssize size, GError* error);
  void finish(GError* error);
  void fail_soon(std::string reason);
  static void on_client_event(GSocketClient*, GSocketClientEvent event, GSocketConnectable*, GIOStream* connection,
                              gpointer data);
  static gboolean on_accept_certificate(GTlsConnection*, GTlsCertificate*, GTlsCertificateFlags errors, gpointer data);

  const unsigned timeout_s_;
  Done done_;
  std::function<void()> released_;
  std::string key_;
  std::string request_;
  std::string answer_;  // the server's bytes so far
  char chunk_[4096];
  UpgradeAnswer upgrade_;
  GObjectPtr<GCancellable> cancellable_{g_cancellable_new()};
  GObjectPtr<GSocketClient> client_;
  GObjectPtr<GTlsDatabase> database_;
  GObjectPtr<GIOStream> stream_;
  GObjectPtr<GTlsConnection> tls_;  // while its certificate is checked
  GTlsCertificateFlags tls_errors_ = GTlsCertificateFlags(0);
  bool timed_out_ = false;
};

}  // namespace geminilive::transport
