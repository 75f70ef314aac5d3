// SPDX-License-Identifier: LGPL-2.1-or-later
#include "lean_server.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <list>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace geminilive::mock {
namespace {

constexpr std::size_t kWholeFrame = 4096;  // frames up to this size are unmasked whole
constexpr std::size_t kPrefix = 64;        // of larger ones (media), only this much
constexpr char kWebSocketGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool read_exact(int fd, void* data, std::size_t size) {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::recv(fd, p, size, 0);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, const char* p, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// The 100 ms of 24 kHz silence every reply carries, then turnComplete.
std::string reply_chunk() {
  const std::string pcm(4800, '\0');
  g_autofree char* data = g_base64_encode(reinterpret_cast<const guchar*>(pcm.data()), pcm.size());
  return std::string(
             R"({"serverContent":{"modelTurn":{"parts":[{"inlineData":{"mimeType":"audio/pcm;rate=24000","data":")") +
         data + R"("}}]}}})";
}
constexpr char kTurnComplete[] = R"({"serverContent":{"generationComplete":true,"turnComplete":true}})";
constexpr char kSetupComplete[] = R"({"setupComplete":{}})";

}  // namespace

struct LeanServer::Impl {
  Options options;
  int listen_fd = -1;
  uint16_t port = 0;
  std::thread acceptor;
  std::mutex mutex;
  bool stopping = false;
  struct Connection {
    int fd;
    std::mutex write_lock;
    bool open = false;  // setupComplete sent
    LeanStats stats;    // this connection's (under the server's mutex)
  };
  std::list<std::shared_ptr<Connection>> connections;
  std::vector<std::thread> threads;
  LeanStats stats;
  FrameHook hook;
  const std::string reply = reply_chunk();

  bool send_frame(Connection& c, std::string_view payload, int opcode = 2) {
    char header[10];
    std::size_t n = 0;
    header[n++] = static_cast<char>(0x80 | opcode);
    if (payload.size() < 126) {
      header[n++] = static_cast<char>(payload.size());
    } else if (payload.size() < 65536) {
      header[n++] = 126;
      header[n++] = static_cast<char>(payload.size() >> 8);
      header[n++] = static_cast<char>(payload.size() & 0xff);
    } else {
      header[n++] = 127;
      for (int i = 7; i >= 0; --i) header[n++] = static_cast<char>((uint64_t{payload.size()} >> (8 * i)) & 0xff);
    }
    std::lock_guard<std::mutex> lock(c.write_lock);
    return write_all(c.fd, header, n) && write_all(c.fd, payload.data(), payload.size());
  }

  bool handshake(int fd) {
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0 || request.size() > 65536) return false;
      request.append(buf, static_cast<std::size_t>(n));
    }
    std::string key;
    std::string lower = request;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return g_ascii_tolower(ch); });
    const auto at = lower.find("sec-websocket-key:");
    if (at == std::string::npos) return false;
    const auto end = request.find("\r\n", at);
    key = request.substr(at + 18, end - at - 18);
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    const std::string both = key + kWebSocketGuid;
    guint8 digest[20];
    gsize digest_len = sizeof digest;
    GChecksum* sha1 = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha1, reinterpret_cast<const guchar*>(both.data()), static_cast<gssize>(both.size()));
    g_checksum_get_digest(sha1, digest, &digest_len);
    g_checksum_free(sha1);
    g_autofree char* accept = g_base64_encode(digest, digest_len);
    const std::string response = std::string(
                                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                                     "Upgrade\r\nSec-WebSocket-Accept: ") +
                                 accept + "\r\n\r\n";
    return write_all(fd, response.data(), response.size());
  }

  void serve(std::shared_ptr<Connection> c) {
    const int one = 1;
    ::setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!handshake(c->fd)) return;
    std::vector<char> payload;
    bool setup_done = false;
    for (;;) {
      unsigned char h[2];
      if (!read_exact(c->fd, h, 2)) return;
      const int opcode = h[0] & 0x0f;
      uint64_t len = h[1] & 0x7f;
      if (len == 126) {
        unsigned char e[2];
        if (!read_exact(c->fd, e, 2)) return;
        len = (uint64_t{e[0]} << 8) | e[1];
      } else if (len == 127) {
        unsigned char e[8];
        if (!read_exact(c->fd, e, 8)) return;
        len = 0;
        for (unsigned char b : e) len = (len << 8) | b;
      }
      unsigned char mask[4] = {0, 0, 0, 0};
      if ((h[1] & 0x80) && !read_exact(c->fd, mask, 4)) return;
      if (len > (256u << 20)) return;
      payload.resize(len);
      if (!read_exact(c->fd, payload.data(), len)) return;
      const int64_t read_us = g_get_monotonic_time();
      const std::size_t shown = len <= kWholeFrame ? len : std::min<std::size_t>(len, kPrefix);
      for (std::size_t i = 0; i < shown; ++i) payload[i] = static_cast<char>(payload[i] ^ mask[i % 4]);
      if (opcode == 8) {  // close: answer it and end
        send_frame(*c, std::string_view(payload.data(), std::min<std::size_t>(len, 2)), 8);
        return;
      }
      if (opcode == 9) {
        send_frame(*c, std::string_view(payload.data(), shown), 10);
        continue;
      }
      if (opcode != 1 && opcode != 2 && opcode != 0) continue;
      if (!setup_done) {
        setup_done = true;
        if (!send_frame(*c, kSetupComplete)) return;
        {
          std::lock_guard<std::mutex> lock(mutex);
          c->open = true;
        }
        if (options.stop_reading) {
          // A stalled uplink: nothing more is read until the server stops.
          while (true) {
            {
              std::lock_guard<std::mutex> lock(mutex);
              if (stopping) return;
            }
            g_usleep(20000);
          }
        }
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        const std::string_view head(payload.data(), std::min<std::size_t>(shown, 32));
        const bool audio = head.rfind(R"({"realtimeInput":{"audio":)", 0) == 0;
        const bool video = head.rfind(R"({"realtimeInput":{"video":)", 0) == 0;
        for (LeanStats* s : {&stats, &c->stats}) {
          ++s->messages;
          s->bytes += len;
          s->audio += audio;
          s->video += video;
        }
      }
      if (hook) hook(payload.data(), shown, read_us);
      const std::string_view text(payload.data(), shown);
      if (len <= kWholeFrame &&
          (text.find("\"audioStreamEnd\"") != std::string_view::npos ||
           text.find("\"activityEnd\"") != std::string_view::npos || text.find("\"text\"") != std::string_view::npos ||
           text.find("\"turnComplete\":true") != std::string_view::npos)) {
        if (options.reply_delay_us > 0) g_usleep(static_cast<gulong>(options.reply_delay_us));
        if (!send_frame(*c, reply) || !send_frame(*c, kTurnComplete)) return;
        std::lock_guard<std::mutex> lock(mutex);
        ++stats.replies;
        ++c->stats.replies;
      }
    }
  }

  void accept_loop() {
    for (;;) {
      const int fd = ::accept(listen_fd, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) {
        ::close(fd);
        return;
      }
      auto c = std::make_shared<Connection>();
      c->fd = fd;
      connections.push_back(c);
      ++stats.connections;
      c->stats.connections = 1;
      threads.emplace_back([this, c] {
        serve(c);
        ::shutdown(c->fd, SHUT_RDWR);
        if (!options.on_connection_end) return;
        LeanStats s;
        {
          std::lock_guard<std::mutex> lock(mutex);
          s = c->stats;
        }
        options.on_connection_end(s);
      });
    }
  }
};

LeanServer::LeanServer(Options options) : impl_(std::make_shared<Impl>()) { impl_->options = std::move(options); }

LeanServer::~LeanServer() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
    if (impl_->listen_fd >= 0) ::shutdown(impl_->listen_fd, SHUT_RDWR);
    for (auto& c : impl_->connections) ::shutdown(c->fd, SHUT_RDWR);
  }
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    threads.swap(impl_->threads);
  }
  for (auto& t : threads) t.join();
  for (auto& c : impl_->connections) ::close(c->fd);
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
}

bool LeanServer::start(std::string* error) {
  Impl& i = *impl_;
  i.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(i.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(i.options.port);
  if (::inet_pton(AF_INET, i.options.host.c_str(), &addr.sin_addr) != 1) {
    if (error) *error = "lean mode takes an IPv4 --host";
    return false;
  }
  if (::bind(i.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(i.listen_fd, 512) != 0) {
    if (error) *error = std::string("cannot listen: ") + g_strerror(errno);
    return false;
  }
  socklen_t len = sizeof addr;
  ::getsockname(i.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  i.port = ntohs(addr.sin_port);
  i.acceptor = std::thread([impl = impl_.get()] { impl->accept_loop(); });
  return true;
}

std::string LeanServer::uri() const { return "ws://" + impl_->options.host + ":" + std::to_string(impl_->port); }

LeanStats LeanServer::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

void LeanServer::set_frame_hook(FrameHook hook) { impl_->hook = std::move(hook); }

int64_t LeanServer::broadcast(const std::string& json) {
  std::vector<std::shared_ptr<Impl::Connection>> open;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (auto& c : impl_->connections)
      if (c->open) open.push_back(c);
  }
  const int64_t now = g_get_monotonic_time();
  for (auto& c : open) impl_->send_frame(*c, json);
  return now;
}

}  // namespace geminilive::mock
