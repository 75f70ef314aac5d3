// SPDX-License-Identifier: LGPL-2.1-or-later
// Our own RFC 6455 framing and upgrade (gst/transport/ws_frame.h,
// handshake.h), byte by byte, and a client against a scripted peer that
// breaks the rules: the bytes a client frame carries, the server frames the
// reader joins or refuses (with the close code the RFC asks for), the
// upgrade answers the client refuses, pings answered, and an oversized
// message closed with 1009. Part of the transport suite.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "transport/handshake.h"
#include "transport/ws_frame.h"
#include "transport_util.h"

using namespace geminilive::testing;
using namespace geminilive::transport;
using namespace std::chrono_literals;
using geminilive::GObjectPtr;

namespace {

// A server frame as the wire carries it (unmasked).
std::string server_frame(uint8_t first_byte, const std::string& payload) {
  std::string out(1, static_cast<char>(first_byte));
  const uint64_t n = payload.size();
  if (n < 126) {
    out += static_cast<char>(n);
  } else if (n <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
  }
  return out + payload;
}

struct Seen {
  int kind = -1;  // ServerFrame::Kind, -1: none
  bool binary = false;
  std::string payload;
  int close_code = 0;
};

// Feeds `wire` to a reader `step` bytes at a time; returns what it said.
std::vector<Seen> read_all(ws::FrameReader& reader, const std::string& wire, std::size_t step, bool* ok) {
  std::vector<Seen> seen;
  *ok = true;
  for (std::size_t i = 0; i < wire.size() && *ok; i += step) {
    *ok = reader.feed(wire.data() + i, std::min(step, wire.size() - i), [&](const ws::ServerFrame& f) {
      seen.push_back({static_cast<int>(f.kind), f.binary, std::string(f.payload), f.close_code});
    });
  }
  return seen;
}

// The one client frame at the start of `wire`, unmasked; "" if incomplete.
struct ClientFrame {
  uint8_t opcode = 0;
  std::string payload;
  std::size_t size = 0;  // bytes of wire it took
};
ClientFrame parse_client_frame(const std::string& wire) {
  ClientFrame f;
  if (wire.size() < 2) return f;
  const auto* p = reinterpret_cast<const uint8_t*>(wire.data());
  fail_unless(p[0] & 0x80, "a client frame without FIN");
  fail_unless(p[1] & 0x80, "an unmasked client frame");
  uint64_t n = p[1] & 0x7F;
  std::size_t at = 2;
  if (n == 126) {
    if (wire.size() < 4) return f;
    n = (uint64_t{p[2]} << 8) | p[3];
    at = 4;
  } else if (n == 127) {
    if (wire.size() < 10) return f;
    n = 0;
    for (int i = 0; i < 8; ++i) n = (n << 8) | p[2 + i];
    at = 10;
  }
  if (wire.size() < at + 4 + n) return f;
  const uint8_t* mask = p + at;
  at += 4;
  f.opcode = p[0] & 0x0F;
  f.payload.resize(n);
  for (uint64_t i = 0; i < n; ++i) f.payload[i] = static_cast<char>(p[at + i] ^ mask[i % 4]);
  f.size = at + n;
  return f;
}

// One WebSocket connection on 127.0.0.1 whose server side the test scripts:
// it answers the upgrade with `answer` (a correct 101 when empty, then
// `early`), sends raw bytes when told and records the client's frames.
class ScriptedPeer {
 public:
  explicit ScriptedPeer(std::string answer = {}, std::string early = {})
      : answer_(std::move(answer)),
        early_(std::move(early)),
        listener_(listen_on_loopback(&port_)),
        thread_([this] { serve(); }) {}
  ~ScriptedPeer() {
    g_cancellable_cancel(cancel_.get());
    thread_.join();
  }

  std::string uri() const { return "ws://127.0.0.1:" + std::to_string(port_) + kLivePath; }
  uint16_t port() const { return port_; }
  void send_raw(const std::string& bytes) {
    GObjectPtr<GSocket> socket;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cond_.wait_for(lock, 10s, [&] { return socket_ != nullptr; });
      fail_unless(socket_ != nullptr, "no connection to send on");
      socket.reset(G_SOCKET(g_object_ref(socket_.get())));
    }
    g_socket_send(socket.get(), bytes.data(), bytes.size(), nullptr, nullptr);
  }
  // Waits for a client frame with `opcode`; its payload, or nullopt.
  std::optional<std::string> wait_frame(uint8_t opcode) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::optional<std::string> found;
    cond_.wait_for(lock, 10s, [&] {
      for (const auto& f : frames_)
        if (f.opcode == opcode) found = f.payload;
      return found.has_value();
    });
    return found;
  }

 private:
  void serve() {
    GSocket* raw = g_socket_accept(listener_.get(), cancel_.get(), nullptr);
    if (!raw) return;
    GObjectPtr<GSocket> socket(raw);
    std::string in;
    const std::string request = read_upgrade_request(socket.get(), cancel_.get(), &in);
    if (request.empty()) return;
    std::string answer = answer_.empty() ? upgrade_answer_for(request) : answer_;
    answer += early_;
    g_socket_send(socket.get(), answer.data(), answer.size(), nullptr, nullptr);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      socket_.reset(G_SOCKET(g_object_ref(socket.get())));
    }
    cond_.notify_all();
    char buf[4096];
    for (;;) {
      for (ClientFrame f = parse_client_frame(in); f.size > 0; f = parse_client_frame(in)) {
        in.erase(0, f.size);
        std::lock_guard<std::mutex> lock(mutex_);
        frames_.push_back(std::move(f));
        cond_.notify_all();
      }
      const gssize n = g_socket_receive(socket.get(), buf, sizeof buf, cancel_.get(), nullptr);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
  }

  const std::string answer_;
  const std::string early_;
  uint16_t port_ = 0;
  GObjectPtr<GSocket> listener_;
  GObjectPtr<GCancellable> cancel_{g_cancellable_new()};
  std::mutex mutex_;
  std::condition_variable cond_;
  GObjectPtr<GSocket> socket_;
  std::vector<ClientFrame> frames_;
  std::thread thread_;  // last: starts once the rest is made
};

CloseInfo connect_and_wait_close(const std::string& uri, Recorder& rec, uint64_t max_incoming = 64u << 20) {
  auto loop = std::make_shared<EventLoopThread>("client");
  WebSocketOptions o;
  o.uri = uri;
  o.connect_timeout_s = 10;
  o.max_incoming_payload = max_incoming;
  WebSocketClient client(loop, o, rec.listener());
  client.connect();
  return wait_single_close(rec);
}

}  // namespace

// The header of a client frame: FIN, the opcode, the mask bit, the length
// in 7, 16 or 64 bits (the RFC's three forms), then the mask.
GST_START_TEST(test_client_frame_header_bytes) {
  uint8_t out[ws::kMaxHeader];
  const uint32_t mask = 0x44332211;  // memory order 11 22 33 44 on x86
  struct Case {
    uint64_t size;
    std::vector<uint8_t> expected;
  };
  for (const Case& c : std::vector<Case>{
           {0, {0x81, 0x80}},
           {125, {0x81, 0x80 | 125}},
           {126, {0x81, 0x80 | 126, 0x00, 126}},
           {65535, {0x81, 0x80 | 126, 0xFF, 0xFF}},
           {65536, {0x81, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0, 0}},
       }) {
    const std::size_t n = ws::client_frame_header(ws::kText, c.size, mask, out);
    fail_unless_equals_int(n, c.expected.size() + 4);
    fail_unless(std::memcmp(out, c.expected.data(), c.expected.size()) == 0, "header of a %lu byte frame",
                static_cast<unsigned long>(c.size));
    fail_unless(std::memcmp(out + c.expected.size(), &mask, 4) == 0);
  }
  fail_unless_equals_int(ws::client_frame_header(ws::kClose, 2, mask, out), 6);
  fail_unless_equals_int(out[0], 0x88);
}
GST_END_TEST;

// Word-wise masking gives the RFC's byte-wise result for every length and
// alignment, and masking twice gives the payload back.
GST_START_TEST(test_mask_matches_the_rfc) {
  const uint32_t mask = 0xA1B2C3D4;
  const auto* m = reinterpret_cast<const uint8_t*>(&mask);
  std::string source(300, '\0');
  for (std::size_t i = 0; i < source.size(); ++i) source[i] = static_cast<char>(i * 7 + 3);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t size = 0; size + offset <= 100; ++size) {
      std::string data = source;
      ws::apply_mask(data.data() + offset, size, mask);
      for (std::size_t i = 0; i < data.size(); ++i) {
        const bool inside = i >= offset && i < offset + size;
        const char expected = inside ? static_cast<char>(source[i] ^ m[(i - offset) % 4]) : source[i];
        fail_unless(data[i] == expected, "byte %zu of %zu at offset %zu", i, size, offset);
      }
      ws::apply_mask(data.data() + offset, size, mask);
      fail_unless(data == source);
    }
  }
}
GST_END_TEST;

// A close frame's payload: the code big-endian, the reason cut to 123 bytes
// without tearing a character; 1005 sends none.
GST_START_TEST(test_close_payload) {
  fail_unless(ws::close_payload(1000, "bye") == std::string("\x03\xE8"
                                                            "bye",
                                                            5));
  fail_unless(ws::close_payload(1005, "ignored").empty());
  std::string long_reason;
  while (long_reason.size() < 200) long_reason += "\xC3\xA9";  // é, two bytes
  const std::string cut = ws::close_payload(4000, long_reason);
  fail_unless_equals_int(cut.size(), 2 + 122);  // 61 whole characters; 123 would tear one
  fail_unless(g_utf8_validate(cut.data() + 2, static_cast<gssize>(cut.size() - 2), nullptr));
}
GST_END_TEST;

// Messages and control frames arrive whole however the bytes are cut, and
// fragments are joined around a ping between them.
GST_START_TEST(test_reader_joins_and_splits) {
  const std::string big(70000, 'x');
  const std::string wire = server_frame(0x81, "{\"a\":1}") + server_frame(0x82, std::string("\0\1\2", 3)) +
                           server_frame(0x01, "frag") + server_frame(0x89, "are you there") +
                           server_frame(0x00, "ment") + server_frame(0x80, "ed") + server_frame(0x81, big) +
                           server_frame(0x8A, "") + server_frame(0x88, std::string("\x03\xE9", 2) + "going");
  for (std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{1000}, wire.size()}) {
    ws::FrameReader reader(1u << 20);
    bool ok = false;
    const auto seen = read_all(reader, wire, step, &ok);
    fail_unless(ok, "step %zu: %s", step, reader.error().c_str());
    fail_unless_equals_int(seen.size(), 7);
    fail_unless_equals_string(seen[0].payload.c_str(), "{\"a\":1}");
    fail_unless(seen[1].binary && seen[1].payload == std::string("\0\1\2", 3));
    fail_unless_equals_int(seen[2].kind, static_cast<int>(ws::ServerFrame::Kind::Ping));
    fail_unless_equals_string(seen[2].payload.c_str(), "are you there");
    fail_unless_equals_string(seen[3].payload.c_str(), "fragmented");
    fail_unless(!seen[3].binary);
    fail_unless(seen[4].payload == big);
    fail_unless_equals_int(seen[5].kind, static_cast<int>(ws::ServerFrame::Kind::Pong));
    fail_unless_equals_int(seen[6].kind, static_cast<int>(ws::ServerFrame::Kind::Close));
    fail_unless_equals_int(seen[6].close_code, 1001);
    fail_unless_equals_string(seen[6].payload.c_str(), "going");
  }
  // An empty close frame means "no status" (1005).
  ws::FrameReader reader(100);
  bool ok = false;
  const auto seen = read_all(reader, server_frame(0x88, ""), 1, &ok);
  fail_unless(ok && seen.size() == 1);
  fail_unless_equals_int(seen[0].close_code, 1005);
}
GST_END_TEST;

// What a server must not send, and the close code the client answers with.
GST_START_TEST(test_reader_refuses_violations) {
  struct Case {
    const char* what;
    std::string wire;
    int code;
    const char* words;
  };
  std::string masked = server_frame(0x81, "hi");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  masked.insert(2, "\0\0\0\0", 4);
  const std::vector<Case> cases = {
      {"masked", masked, 1002, "masked"},
      {"reserved bits", server_frame(0xC1, "hi"), 1002, "reserved bits"},
      {"continuation first", server_frame(0x80, "hi"), 1002, "never started"},
      {"message inside a message", server_frame(0x01, "a") + server_frame(0x81, "b"), 1002, "inside another"},
      {"unknown opcode", server_frame(0x83, "hi"), 1002, "unknown opcode 3"},
      {"unknown control opcode", server_frame(0x8B, ""), 1002, "unknown control opcode 11"},
      {"fragmented ping", server_frame(0x09, ""), 1002, "control frame"},
      {"long ping", server_frame(0x89, std::string(126, 'p')), 1002, "control frame"},
      {"one-byte close", server_frame(0x88, "x"), 1002, "one byte"},
      {"close with 1005 on the wire", server_frame(0x88, "\x03\xED"), 1002, "invalid code 1005"},
      {"text not UTF-8", server_frame(0x81, "\xFF\xFE"), 1007, "not UTF-8"},
      {"fragmented text not UTF-8", server_frame(0x01, "\xC3") + server_frame(0x80, "("), 1007, "not UTF-8"},
      {"over the limit", server_frame(0x82, std::string(101, 'b')), 1009, "more than 100 bytes"},
      {"fragments over the limit", server_frame(0x02, std::string(60, 'b')) + server_frame(0x80, std::string(60, 'b')),
       1009, "max-incoming-payload"},
  };
  for (const Case& c : cases) {
    ws::FrameReader reader(100);
    bool ok = true;
    const auto seen = read_all(reader, c.wire, 1, &ok);
    fail_unless(!ok, "%s: accepted", c.what);
    fail_unless(seen.empty(), "%s: delivered a frame", c.what);
    fail_unless_equals_int(reader.error_code(), c.code);
    fail_unless(reader.error().find(c.words) != std::string::npos, "%s: '%s'", c.what, reader.error().c_str());
    // Once broken, it takes nothing more.
    fail_unless(!reader.feed("\x81\x00", 2, [](const ws::ServerFrame&) { fail("a frame after the error"); }));
  }
  // A message over the limit is refused from its header, before its bytes come.
  ws::FrameReader reader(1000);
  const std::string header = server_frame(0x82, std::string(5000, 'b')).substr(0, 4);
  fail_unless(!reader.feed(header.data(), header.size(), [](const ws::ServerFrame&) {}));
  fail_unless_equals_int(reader.error_code(), 1009);
}
GST_END_TEST;

// The upgrade request: method, path and query kept, Host with a port that
// is not the default, the key in x-goog-api-key only; a header with a line
// break is refused rather than sent.
GST_START_TEST(test_upgrade_request) {
  WebSocketOptions o;
  o.uri = "ws://example.test:8080/ws/live?alt=x";
  o.api_key = "secret-key";
  o.headers = {{"Authorization", "Bearer t"}};
  std::string error;
  const std::string key = new_websocket_key();
  gsize key_bytes = 0;
  g_autofree guchar* raw = g_base64_decode(key.c_str(), &key_bytes);
  fail_unless_equals_int(key_bytes, 16);  // RFC 6455 4.1: 16 random bytes
  const std::string request = upgrade_request(o, key, error);
  fail_unless(error.empty(), "%s", error.c_str());
  fail_unless(g_str_has_prefix(request.c_str(), "GET /ws/live?alt=x HTTP/1.1\r\nHost: example.test:8080\r\n"), "%s",
              request.c_str());
  for (const char* line : {"Upgrade: websocket\r\n", "Connection: Upgrade\r\n", "Sec-WebSocket-Version: 13\r\n",
                           "Authorization: Bearer t\r\n", "x-goog-api-key: secret-key\r\n"})
    fail_unless(request.find(line) != std::string::npos, "no '%s' in %s", line, request.c_str());
  fail_unless(request.find("Sec-WebSocket-Key: " + key + "\r\n") != std::string::npos);
  fail_unless(g_str_has_suffix(request.c_str(), "\r\n\r\n"));
  fail_unless(new_websocket_key() != key, "the key is not fresh");

  o.uri = "wss://example.test/ws";
  fail_unless(upgrade_request(o, key, error).find("Host: example.test\r\n") != std::string::npos);
  o.headers = {{"X-Evil", "a\r\nx-goog-api-key: stolen"}};
  fail_unless(upgrade_request(o, key, error).empty());
  fail_unless(error.find("line break") != std::string::npos, "%s", error.c_str());
  fail_unless(error.find("stolen") == std::string::npos, "the value was shown: %s", error.c_str());
}
GST_END_TEST;

// The server's answer: a correct 101, and the ways one can be wrong.
GST_START_TEST(test_upgrade_answers) {
  const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 1.3's example
  const std::string good =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  UpgradeAnswer a = check_upgrade_answer(good, key);
  fail_unless_equals_int(a.status, 101);
  fail_unless(a.problem.empty(), "%s", a.problem.c_str());

  a = check_upgrade_answer("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", key);
  fail_unless_equals_int(a.status, 403);
  fail_unless_equals_string(a.problem.c_str(),
                            "The server did not accept the WebSocket handshake. (HTTP 403 Forbidden)");
  std::string wrong = good;
  wrong.replace(wrong.find("s3pP"), 4, "AAAA");
  fail_unless(check_upgrade_answer(wrong, key).problem.find("Sec-WebSocket-Accept") != std::string::npos);
  std::string no_upgrade = good;
  no_upgrade.replace(no_upgrade.find("Upgrade: websocket"), 18, "Upgrade: h2c");
  fail_unless(check_upgrade_answer(no_upgrade, key).problem.find("does not upgrade") != std::string::npos);
  std::string extension = good;
  extension.insert(extension.size() - 2, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
  fail_unless(check_upgrade_answer(extension, key).problem.find("extension") != std::string::npos);
  fail_unless(check_upgrade_answer("SSH-2.0-OpenSSH\r\n\r\n", key).problem.find("not HTTP") != std::string::npos);
}
GST_END_TEST;

// A server whose 101 does not answer our key: the connection never opens,
// and the reason says why.
GST_START_TEST(test_client_refuses_a_wrong_accept) {
  ScriptedPeer peer(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");
  Recorder rec;
  const CloseInfo info = connect_and_wait_close(peer.uri(), rec);
  fail_unless(info.kind == CloseInfo::Kind::ConnectFailed);
  fail_unless(info.reason.find("Sec-WebSocket-Accept") != std::string::npos, "%s", info.reason.c_str());
  fail_unless_equals_int(rec.opens(), 0);
}
GST_END_TEST;

// Frames the server sends in the same segment as its 101 are not lost; a
// ping is answered with a pong carrying its payload; Nagle is off, so a
// small live frame is not held back waiting for the peer's ACK.
GST_START_TEST(test_early_frames_and_pings) {
  ScriptedPeer peer({}, server_frame(0x81, "{\"early\":true}") + server_frame(0x89, "ping-1"));
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketOptions o;
  o.uri = peer.uri();
  WebSocketClient client(loop, o, rec.listener());
  client.connect();
  fail_unless(rec.wait_containing("early"), "the frame sent with the 101 was lost");
  const std::vector<int> fds = client_socket_fds_to(peer.port());
  fail_unless_equals_int(fds.size(), 1);
  int nodelay = 0;
  socklen_t size = sizeof nodelay;
  fail_unless(getsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &nodelay, &size) == 0);
  fail_unless(nodelay != 0, "TCP_NODELAY is not set on the connection");
  const auto pong = peer.wait_frame(ws::kPong);
  fail_unless(pong.has_value(), "no pong");
  fail_unless_equals_string(pong->c_str(), "ping-1");
  fail_unless(client.send_text("{\"after\":1}"));
  const auto text = peer.wait_frame(ws::kText);
  fail_unless(text.has_value());
  fail_unless_equals_string(text->c_str(), "{\"after\":1}");
  fail_unless(rec.closes().empty());
}
GST_END_TEST;

// A message over max_incoming_payload: the client closes with 1009 (the
// peer sees the close frame) and the report says which limit.
GST_START_TEST(test_oversized_message_closes_1009) {
  ScriptedPeer peer;
  Recorder rec;
  auto loop = std::make_shared<EventLoopThread>("client");
  WebSocketOptions o;
  o.uri = peer.uri();
  o.max_incoming_payload = 1000;
  WebSocketClient client(loop, o, rec.listener());
  client.connect();
  fail_unless(rec.wait_open());
  peer.send_raw(server_frame(0x81, "{\"fits\":1}") + server_frame(0x81, std::string(5000, 'x')));
  const auto close = peer.wait_frame(ws::kClose);
  fail_unless(close.has_value(), "no close frame");
  fail_unless(close->size() >= 2);
  fail_unless_equals_int((static_cast<uint8_t>((*close)[0]) << 8) | static_cast<uint8_t>((*close)[1]), 1009);
  const CloseInfo info = wait_single_close(rec);
  fail_unless(info.kind == CloseInfo::Kind::Closed);
  fail_unless_equals_int(info.code, 1009);
  fail_unless(info.reason.find("max-incoming-payload") != std::string::npos, "%s", info.reason.c_str());
  fail_unless_equals_int(rec.frame_count(), 1);  // the one that fitted
}
GST_END_TEST;

// A masked server frame is a protocol error: 1002.
GST_START_TEST(test_masked_server_frame_closes_1002) {
  std::string masked = server_frame(0x81, "hi");
  masked[1] = static_cast<char>(masked[1] | 0x80);
  masked.insert(2, "\0\0\0\0", 4);
  ScriptedPeer peer({}, masked);
  Recorder rec;
  const CloseInfo info = connect_and_wait_close(peer.uri(), rec);
  fail_unless_equals_int(info.code, 1002);
  fail_unless(info.reason.find("masked") != std::string::npos, "%s", info.reason.c_str());
}
GST_END_TEST;

static Suite* transport_frames_suite() {
  Suite* s = suite_create("transport_frames");
  TCase* tc = tcase_create("frames");
  tcase_add_test(tc, test_client_frame_header_bytes);
  tcase_add_test(tc, test_mask_matches_the_rfc);
  tcase_add_test(tc, test_close_payload);
  tcase_add_test(tc, test_reader_joins_and_splits);
  tcase_add_test(tc, test_reader_refuses_violations);
  tcase_add_test(tc, test_upgrade_request);
  tcase_add_test(tc, test_upgrade_answers);
  suite_add_tcase(s, tc);
  TCase* wire = tcase_create("scripted peer");
  tcase_add_test(wire, test_client_refuses_a_wrong_accept);
  tcase_add_test(wire, test_early_frames_and_pings);
  tcase_add_test(wire, test_oversized_message_closes_1009);
  tcase_add_test(wire, test_masked_server_frame_closes_1002);
  suite_add_tcase(s, wire);
  return s;
}

GST_CHECK_MAIN(transport_frames);
