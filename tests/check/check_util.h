// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the gst-check suites: a string assertion that is safe
// with temporaries, test fixtures, the in-process Live server and a WebSocket
// listener that records what it sees for the test thread to wait on.
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <gst/check/gstcheck.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "assert_str.h"
#include "common/gobject_ptr.h"
#include "live_server.h"
#include "protocol/server_message.h"
#include "transport/event_loop_thread.h"
#include "transport/handshake.h"
#include "transport/websocket_client.h"

namespace geminilive::testing {

using mock::LiveServer;
using mock::ServerOptions;
using mock::ServerStats;
using transport::CloseInfo;
using transport::EventLoopThread;
using transport::WebSocketClient;
using transport::WebSocketListener;
using transport::WebSocketOptions;

inline constexpr char kLivePath[] = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";

// How long a test waits for something that should happen.
inline constexpr std::chrono::milliseconds kWait{15000};

// Set by the 'valgrind' test setup (tests/check/meson.build): the code runs
// tens of times slower, so bounds on real time (how late something may happen)
// cannot hold there. Only such upper bounds may be relaxed on it; what is
// checked about content, order and lower bounds of pacing stays the same.
inline bool under_valgrind() {
  static const bool on = g_getenv("GEMINILIVE_UNDER_VALGRIND") != nullptr;
  return on;
}

// ---- fixtures: tests/fixtures, passed in by meson as GST_CHECK_FIXTURES so
// tests run from any build directory ----

inline std::string fixture_path(const char* name) {
  const char* dir = g_getenv("GST_CHECK_FIXTURES");
  fail_unless(dir != nullptr, "GST_CHECK_FIXTURES is not set");
  g_autofree char* path = g_build_filename(dir, name, nullptr);
  return path;
}

inline std::string read_fixture(const char* name) {
  const std::string path = fixture_path(name);
  g_autofree char* contents = nullptr;
  gsize length = 0;
  g_autoptr(GError) error = nullptr;
  fail_unless(g_file_get_contents(path.c_str(), &contents, &length, &error), "cannot read %s: %s", path.c_str(),
              error ? error->message : "");
  return std::string(contents, length);
}

// ---- the in-process Live server ----

// Something that happens once on another thread (a probe saw EOS, a pad
// blocked): set() there, wait() here.
class Latch {
 public:
  void set() {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    cond_.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = kWait) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cond_.wait_for(lock, timeout, [this] { return done_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cond_;
  bool done_ = false;
};

inline std::unique_ptr<LiveServer> start_server(ServerOptions options = {}) {
  auto server = std::make_unique<LiveServer>(std::move(options));
  std::string error;
  fail_unless(server->start(&error), "the Live server did not start: %s", error.c_str());
  return server;
}

inline std::string live_uri(const LiveServer& server) { return server.uri() + kLivePath; }

// ---- a listener that records everything ----

struct Frame {
  std::string payload;
  bool binary = false;
  gint64 at_us = 0;  // g_get_monotonic_time() on arrival
};

// Records the opens, frames and closes a WebSocketClient reports through
// listener(); the wait helpers block the test thread until they show up.
// Must outlive the client it listens to.
class Recorder {
 public:
  Recorder() = default;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  WebSocketListener listener() {
    WebSocketListener l;
    l.on_open = [this] { notify([this] { ++opens_; }); };
    l.on_message = [this](std::string_view payload, bool binary) {
      notify([&] { frames_.push_back({std::string(payload), binary, g_get_monotonic_time()}); });
    };
    l.on_closed = [this](const CloseInfo& info) {
      notify([&] {
        if (closes_.empty()) closed_at_us_ = g_get_monotonic_time();
        closes_.push_back(info);
      });
    };
    return l;
  }

  // Waits until `pred` holds; it runs under the recorder's lock.
  bool wait(const std::function<bool()>& pred, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cond_.wait_for(lock, timeout, pred);
  }
  // True once open; false when the connection ended without opening.
  bool wait_open() {
    wait([this] { return opens_ > 0 || !closes_.empty(); });
    return opens() > 0;
  }
  // The (first) close, once it arrived.
  CloseInfo wait_closed() {
    fail_unless(wait([this] { return !closes_.empty(); }), "the connection did not end (on_closed was not called)");
    std::lock_guard<std::mutex> lock(mutex_);
    return closes_.front();
  }
  bool wait_frames(std::size_t n) {
    return wait([&] { return frames_.size() >= n; });
  }
  // Waits for a frame whose payload contains `needle`.
  bool wait_containing(const std::string& needle) {
    return wait([&] {
      for (const auto& f : frames_)
        if (f.payload.find(needle) != std::string::npos) return true;
      return false;
    });
  }

  // Index of the first server message at or after `from` that satisfies `pred`.
  std::size_t wait_message(const std::function<bool(const protocol::ServerMessage&)>& pred, std::size_t from = 0,
                           std::chrono::milliseconds timeout = kWait) {
    std::size_t found = SIZE_MAX;
    std::size_t checked = from;
    bool ok = wait(
        [&] {
          for (; checked < frames_.size(); ++checked) {
            auto m = protocol::decode_server_message(frames_[checked].payload);
            fail_unless(m.ok(), "undecodable server message: %s", frames_[checked].payload.c_str());
            if (pred(m.value())) {
              found = checked;
              return true;
            }
          }
          return false;
        },
        timeout);
    fail_unless(ok, "the expected server message did not arrive");
    return found;
  }

  // The i-th server message, once it has arrived.
  protocol::ServerMessage message(std::size_t i) {
    fail_unless(wait_frames(i + 1), "message %zu did not arrive", i);
    auto all = frames();
    fail_unless(i < all.size());
    auto m = protocol::decode_server_message(all[i].payload);
    fail_unless(m.ok(), "undecodable server message: %s", all[i].payload.c_str());
    return std::move(m).value();
  }

  int opens() {
    std::lock_guard<std::mutex> lock(mutex_);
    return opens_;
  }
  std::vector<Frame> frames() {
    std::lock_guard<std::mutex> lock(mutex_);
    return frames_;
  }
  std::size_t frame_count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return frames_.size();
  }
  std::vector<CloseInfo> closes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return closes_;
  }
  // When the first close arrived (g_get_monotonic_time()).
  gint64 closed_at_us() {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_at_us_;
  }

 private:
  template <typename F>
  void notify(F&& change) {
    std::lock_guard<std::mutex> lock(mutex_);
    change();
    cond_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable cond_;
  int opens_ = 0;
  std::vector<Frame> frames_;
  std::vector<CloseInfo> closes_;
  gint64 closed_at_us_ = 0;
};

// ---- peers that never answer ----

// A TCP socket listening on 127.0.0.1, on a free port.
inline GObjectPtr<GSocket> listen_on_loopback(uint16_t* port) {
  GObjectPtr<GSocket> socket(g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr));
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  fail_unless(g_socket_bind(socket.get(), any, FALSE, nullptr));
  fail_unless(g_socket_listen(socket.get(), nullptr));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket.get(), nullptr);
  *port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  return socket;
}

// Listens on 127.0.0.1 and accepts TCP (the kernel's backlog does) but never
// reads or answers: a handshake there waits until a timeout fires.
class SilentListener {
 public:
  SilentListener() : socket_(listen_on_loopback(&port_)) {}
  uint16_t port() const { return port_; }
  std::string live_uri() const { return "ws://127.0.0.1:" + std::to_string(port_) + kLivePath; }

 private:
  uint16_t port_ = 0;
  GObjectPtr<GSocket> socket_;
};

// The HTTP upgrade request a client sends on `socket`, up to its blank
// line ("" when the connection ends first); what came after it goes to `rest`.
inline std::string read_upgrade_request(GSocket* socket, GCancellable* cancel, std::string* rest) {
  std::string in;
  char buf[4096];
  while (in.find("\r\n\r\n") == std::string::npos) {
    const gssize n = g_socket_receive(socket, buf, sizeof buf, cancel, nullptr);
    if (n <= 0) return "";
    in.append(buf, static_cast<std::size_t>(n));
  }
  const std::size_t head = in.find("\r\n\r\n") + 4;
  *rest = in.substr(head);
  return in.substr(0, head);
}

// A correct 101 answer to `request`.
inline std::string upgrade_answer_for(const std::string& request) {
  const std::string name = "sec-websocket-key:";
  g_autofree char* lower = g_ascii_strdown(request.c_str(), -1);
  const char* at = std::strstr(lower, name.c_str());
  if (!at) return "HTTP/1.1 400 Bad Request\r\n\r\n";
  const std::size_t begin = static_cast<std::size_t>(at - lower) + name.size();
  std::string key = request.substr(begin, request.find("\r\n", begin) - begin);
  key.erase(0, key.find_first_not_of(' '));
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         transport::accept_for_key(key) + "\r\n\r\n";
}

// Accepts WebSocket upgrades on 127.0.0.1, then neither reads nor writes:
// a client's close frame is never answered, so its close handshake lasts
// until the client gives up. Connections stay open until destruction.
class MutePeer {
 public:
  MutePeer() : listener_(listen_on_loopback(&port_)), thread_([this] { serve(); }) {}
  ~MutePeer() {
    g_cancellable_cancel(cancel_.get());
    thread_.join();
  }
  MutePeer(const MutePeer&) = delete;
  MutePeer& operator=(const MutePeer&) = delete;

  uint16_t port() const { return port_; }
  std::string live_uri() const { return "ws://127.0.0.1:" + std::to_string(port_) + kLivePath; }

 private:
  void serve() {
    while (GSocket* raw = g_socket_accept(listener_.get(), cancel_.get(), nullptr)) {
      accepted_.emplace_back(raw);
      answer_upgrade(raw);
    }
  }

  void answer_upgrade(GSocket* socket) {
    std::string rest;
    const std::string request = read_upgrade_request(socket, cancel_.get(), &rest);
    if (request.empty()) return;
    const std::string response = upgrade_answer_for(request);
    g_socket_send(socket, response.data(), response.size(), nullptr, nullptr);
  }

  uint16_t port_ = 0;
  GObjectPtr<GSocket> listener_;
  GObjectPtr<GCancellable> cancel_{g_cancellable_new()};
  std::vector<GObjectPtr<GSocket>> accepted_;  // the serving thread's
  std::thread thread_;                         // last: starts once the rest is made
};

// ---- sockets ----

// This process's descriptors that are TCP connections to `port` (the
// client side; the in-process server's accepted sockets have it as their
// local port); client_sockets_to() counts them.
inline std::vector<int> client_socket_fds_to(uint16_t port) {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
    g_autofree char* text = nullptr;
    if (!g_file_get_contents(table, &text, nullptr, nullptr)) continue;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char** line = lines + 1; line && *line; ++line) {
      g_auto(GStrv) f = g_strsplit_set(g_strstrip(*line), " ", -1);
      std::vector<std::string> fields;
      for (char** x = f; *x; ++x)
        if (**x) fields.emplace_back(*x);
      if (fields.size() < 10) continue;  // rem_address is field 2, inode field 9
      const std::string& remote = fields[2];
      const auto colon = remote.rfind(':');
      if (colon != std::string::npos && std::stoul(remote.substr(colon + 1), nullptr, 16) == port)
        inodes.insert("socket:[" + fields[9] + "]");
    }
  }
  std::vector<int> fds;
  if (GDir* dir = g_dir_open("/proc/self/fd", 0, nullptr)) {
    while (const char* name = g_dir_read_name(dir)) {
      g_autofree char* path = g_build_filename("/proc/self/fd", name, nullptr);
      g_autofree char* target = g_file_read_link(path, nullptr);
      if (target && inodes.count(target)) fds.push_back(std::atoi(name));
    }
    g_dir_close(dir);
  }
  return fds;
}
inline int client_sockets_to(uint16_t port) { return static_cast<int>(client_socket_fds_to(port).size()); }

// ---- text ----

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- bytes ----

// Lower-case hex SHA-256, as ServerStats::audio_sha256 has it.
inline std::string sha256_hex(const std::string& bytes) {
  g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(c, reinterpret_cast<const guchar*>(bytes.data()), static_cast<gssize>(bytes.size()));
  return g_checksum_get_string(c);
}

}  // namespace geminilive::testing
