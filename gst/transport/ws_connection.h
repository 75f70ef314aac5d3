// SPDX-License-Identifier: LGPL-2.1-or-later
// An open WebSocket connection, client side, on the loop thread: frames
// out (masked in place, several written with one system call, only while
// the socket takes them), frames in (pings answered), the close handshake,
// keepalive pings. Its I/O runs on the GMainContext it is made on. Internal
// to gst/transport: WebSocketClient drives it.
#pragma once

#include <gio/gio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/gobject_ptr.h"
#include "transport/ws_frame.h"

namespace geminilive::transport {

// How a connection ended.
struct WsEnd {
  int peer_code = 0;  // the peer's close code (1005: none given); 0 when no close frame came
  std::string peer_reason;
  bool we_closed = false;  // our close frame went out first
  int our_code = 0;        // the code of our close frame, if we sent one
  std::string our_reason;
  std::string error;  // what failed, when something did (I/O, the peer's framing)
};

class WsConnection {
 public:
  // Output past this waits in the client's queue, not here.
  static constexpr std::size_t kHighWater = 256 * 1024;
  // How long a close handshake may take, up to the server closing TCP
  // (libsoup's figure).
  static constexpr unsigned kCloseTimeoutMs = 5000;

  struct Events {
    std::function<void(std::string_view payload, bool binary)> message;
    std::function<void()> writable;  // after ready() said no, once output drained
    // Once, as the last thing the connection does: the handler may destroy it.
    std::function<void(const WsEnd&)> ended;
  };

  // `early` holds what arrived right after the upgrade answer. Nothing
  // happens before start().
  WsConnection(GObjectPtr<GIOStream> stream, std::string early, uint64_t max_incoming, Events events);
  // Closes the stream at once; no event after.
  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  void start();
  void set_events(Events events) { events_ = std::move(events); }
  // Sends a ping every `interval_ms` (0: none).
  void set_keepalive(unsigned interval_ms);

  // Whether more frames may be queued now; when not, `writable` follows.
  bool ready();
  // Queues a text frame; flush() writes what is queued.
  void send_text(std::string text);
  void flush();
  // A close frame after what is queued; `ended` follows once the peer has
  // answered and hung up, or after kCloseTimeoutMs.
  void close(int code, const std::string& reason);
  // Shuts the socket down now; no `ended`.
  void abort();

  // Neither side has sent a close frame.
  bool open() const { return !we_closed_ && !peer_closed_ && !ended_; }
  bool ended() const { return ended_; }
  // Monotonic time the last bytes arrived (pongs too), in µs.
  gint64 last_received_us() const { return last_received_us_; }

 private:
  struct Outgoing {
    uint8_t header[ws::kMaxHeader];
    std::size_t header_size = 0;
    std::string payload;
    std::size_t sent = 0;  // of header and payload
    std::size_t size() const { return header_size + payload.size(); }
  };

  void queue(ws::Opcode opcode, std::string payload);
  void read_some();
  void close_stream();
  void on_frame(const ws::ServerFrame& frame);
  void fail(std::string error);
  void protocol_error(int code, const std::string& error);
  void maybe_finish_close();
  void arm_close_timer();
  void finish();
  void stop_sources();
  void wait_writable();
  static gboolean on_readable(GObject*, gpointer data);
  static gboolean on_writable_source(GObject*, gpointer data);
  static gboolean on_close_timeout(gpointer data);
  static gboolean on_keepalive(gpointer data);

  GObjectPtr<GIOStream> stream_;
  GSocket* socket_;  // the stream's, for shutdown
  GPollableInputStream* in_;
  GPollableOutputStream* out_;
  std::string early_;
  ws::FrameReader reader_;
  Events events_;
  std::deque<Outgoing> outgoing_;
  std::size_t pending_ = 0;  // bytes queued and not yet written
  bool want_writable_ = false;
  bool we_closed_ = false;
  bool peer_closed_ = false;
  bool failing_ = false;  // the peer broke the protocol: ends once our close frame is out
  bool ended_ = false;
  WsEnd end_;
  gint64 last_received_us_ = 0;
  GSource* read_source_ = nullptr;
  GSource* write_source_ = nullptr;
  GSource* close_timer_ = nullptr;
  GSource* keepalive_ = nullptr;
  // Cleared when the connection dies, so code after a callback knows.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace geminilive::transport
