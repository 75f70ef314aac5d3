// SPDX-License-Identifier: LGPL-2.1-or-later
// A WebSocket client: GIO's socket client and TLS, our own RFC 6455 framing
// (transport/ws_frame.h says why), libsoup's HTTP header parser. All I/O runs
// on an EventLoopThread; any thread may send: messages go through a queue
// and the loop thread writes them, so a streaming thread never waits on the
// network.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "transport/event_loop_thread.h"
#include "transport/send_queue.h"

namespace geminilive::transport {

// Why a connection ended (or never started).
struct CloseInfo {
  enum class Kind {
    ConnectFailed,  // DNS, TCP, TLS or HTTP upgrade failure: nothing was exchanged
    Closed,         // the peer (or we) sent a close frame
    Dropped,        // the connection ended without a close frame (wire code 1006)
  };
  Kind kind = Kind::Closed;
  int code = 0;         // close code (1000..4999); 1006 when dropped or not connected
  std::string reason;   // the peer's close reason, or what failed
  int http_status = 0;  // the upgrade's HTTP status when the server refused it
};

struct WebSocketOptions {
  std::string uri;      // ws:// or wss://; must not carry the API key
  std::string api_key;  // sent as the x-goog-api-key header; never logged
  std::vector<std::pair<std::string, std::string>> headers;
  std::string ca_file;  // PEM CAs trusted for wss:// instead of the system store (a proxy's, a test's)
  uint64_t max_incoming_payload = 64 * 1024 * 1024;  // a larger message closes with 1009
  unsigned keepalive_interval_s = 0;                 // 0: no WebSocket pings (but see stall_timeout)
  // A connection from which nothing arrives for this long, not even the
  // pong to our pings, is aborted and reported Dropped (1006). Pings go out
  // every third of it, so a quiet but healthy peer is never taken for a
  // stalled one. 0: off.
  std::chrono::milliseconds stall_timeout{0};
  unsigned connect_timeout_s = 20;
  // The budget for what waits to be sent. Frames go to the connection only
  // while the socket takes data, so its own queue holds about 256 KiB; the
  // rest waits here. Past the budget, droppable messages (live media) make room
  // by dropping the oldest droppable ones; others are never dropped.
  std::size_t max_queued_bytes = 8u * 1024 * 1024;
};

// How a message is offered.
struct Offer {
  bool known_utf8 = false;  // built of ASCII (base64 media): not checked again
  bool droppable = false;   // may be dropped, oldest first, past the budget
  uint64_t tag = 0;         // reported in QueueDrops::tags when it is
};

// Called on the loop thread. on_closed runs exactly once per connect().
struct WebSocketListener {
  std::function<void()> on_open;
  std::function<void(std::string_view payload, bool binary)> on_message;
  std::function<void(const CloseInfo&)> on_closed;
};

class WebSocketClient {
 public:
  WebSocketClient(std::shared_ptr<EventLoopThread> loop, WebSocketOptions options, WebSocketListener listener);
  // Aborts the connection; no listener call happens after it returns.
  // Must not run inside a listener call of this client.
  ~WebSocketClient();

  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Starts connecting in the background. Messages sent before the connection
  // opens are written once it does.
  void connect();
  // connect() with `headers` in place of the options' (a credential that
  // became known after the client was made: an access token fetched
  // meanwhile). Values are secret, as the options'.
  void connect(std::vector<std::pair<std::string, std::string>> headers);
  // Queues one text frame. Any thread; never blocks. False once closed.
  bool send_text(std::string message);
  // Like send_text(), but takes `message` only when it accepts it: on false
  // (the connection is closing or closed) the caller still has it, to send
  // on another connection.
  bool offer_text(std::string& message, Offer offer = {}, QueueDrops* drops = nullptr);
  // Sends a close frame after the queued messages. Any thread.
  void close(int code = 1000, std::string reason = {});

  // Bytes accepted by send_text() and not yet handed to the socket.
  std::size_t queued_bytes() const;
  std::size_t max_queued_bytes() const;
  // Whether the queue is below half its budget: input that can wait (a
  // file) waits while it is not, so it never reaches the point of drops.
  bool has_room() const;
  // Called on the loop thread when the queue falls below half its budget
  // after it reached it (and has_room() was false). Any thread; it must
  // only post or signal.
  void set_room_callback(std::function<void()> room);

 private:
  struct Impl;
  // Held here, not in Impl: Impl may die on the loop thread (a late libsoup
  // completion holds the last reference), and the loop must not join itself.
  std::shared_ptr<EventLoopThread> loop_;
  std::shared_ptr<Impl> impl_;
};

// Text for a close code, for messages users read ("1008 policy violation").
const char* close_code_name(int code);

// What keeps `uri` from being a WebSocket endpoint (not ws:// or wss://, no
// host), in words with any query left out; "" when it is one. No I/O.
std::string websocket_uri_problem(const std::string& uri);
// Why the PEM file of CAs `ca_file` can't be used for wss://; "" when it can.
std::string ca_file_problem(const std::string& ca_file);

}  // namespace geminilive::transport
