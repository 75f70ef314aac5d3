// SPDX-License-Identifier: LGPL-2.1-or-later
// What the relay does with a browser that reads too slowly or sends too
// much, seen from a raw TCP client (a socket with a small receive buffer
// that completes the WebSocket handshake and then reads only when told):
// what waits for it stays within the budget (counted bytes), the oldest
// audio goes first and the rest arrives whole, with a warning saying how
// much went; one that reads nothing is closed; an oversized message, in one
// frame far past the limit or in several frames, gets the error message and
// the close frame 1009 before the connection ends.
#include <arpa/inet.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "relay_util.h"
#include "reply_synth.h"

using namespace geminilive::relay;
using namespace geminilive::relay::testing;

namespace {

constexpr char kSetup[] = R"({"setup":{"generation_config":{"response_modalities":["AUDIO"]}}})";

// A WebSocket client on a bare non-blocking socket; the relay runs on this
// thread's main context, so every wait iterates it.
struct RawClient {
  int fd = -1;
  std::string in;  // bytes read, not yet parsed into frames
  std::vector<std::string> texts;
  int close_code = 0;  // from the relay's close frame
  bool eof = false;

  std::string response;  // the upgrade's

  explicit RawClient(uint16_t port, int receive_buffer = 0, const std::string& extra_headers = "") {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    // Before connect, so the window offered is small from the start.
    if (receive_buffer) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fail_unless(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0, "connect: %s",
                strerror(errno));
    fcntl_nonblock();
    write_all(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        extra_headers + "\r\n");
    fail_unless(run_until([&] {
      read_some(1);  // byte by byte: nothing past the response's end is taken
      return in.find("\r\n\r\n") != std::string::npos || eof;
    }));
    fail_unless(g_str_has_prefix(in.c_str(), "HTTP/1.1 101"), "no upgrade: %s", in.c_str());
    response.swap(in);
  }
  ~RawClient() { close(fd); }

  void fcntl_nonblock() {
    g_autoptr(GError) error = nullptr;
    fail_unless(g_unix_set_fd_nonblocking(fd, TRUE, &error));
  }

  void write_all(const std::string& bytes) {
    size_t done = 0;
    fail_unless(run_until([&] {
                  ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
                  if (n > 0) done += static_cast<size_t>(n);
                  return done == bytes.size() || (n < 0 && errno != EAGAIN);
                }),
                "could not send %zu bytes", bytes.size());
    fail_unless(done == bytes.size(), "sent %zu of %zu bytes: %s", done, bytes.size(), strerror(errno));
  }

  // A masked client frame (RFC 6455 5.2).
  void send_frame(const std::string& payload, int opcode, bool fin = true) {
    std::string frame;
    frame += static_cast<char>((fin ? 0x80 : 0) | opcode);
    const uint64_t n = payload.size();
    if (n < 126) {
      frame += static_cast<char>(0x80 | n);
    } else if (n < 65536) {
      frame += static_cast<char>(0x80 | 126);
      frame += static_cast<char>(n >> 8);
      frame += static_cast<char>(n & 0xff);
    } else {
      frame += static_cast<char>(0x80 | 127);
      for (int i = 7; i >= 0; --i) frame += static_cast<char>((n >> (8 * i)) & 0xff);
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (size_t i = 0; i < n; ++i) frame += static_cast<char>(payload[i] ^ mask[i & 3]);
    write_all(frame);
  }
  void send_text(const std::string& text) { send_frame(text, 0x1); }

  // Reads what is there (at most `limit` bytes), then parses whole frames.
  void read_some(size_t limit = 1 << 20) {
    char buffer[65536];
    while (limit > 0 && !eof) {
      ssize_t n = recv(fd, buffer, std::min(sizeof buffer, limit), 0);
      if (n > 0) {
        in.append(buffer, static_cast<size_t>(n));
        limit -= static_cast<size_t>(n);
      } else if (n == 0 || errno != EAGAIN) {
        eof = true;
      } else {
        break;
      }
    }
  }
  void parse_frames() {
    for (;;) {
      if (in.size() < 2) return;
      const auto* b = reinterpret_cast<const uint8_t*>(in.data());
      size_t at = 2;
      uint64_t n = b[1] & 0x7f;
      if (n == 126) {
        if (in.size() < 4) return;
        n = (uint64_t{b[2]} << 8) | b[3];
        at = 4;
      } else if (n == 127) {
        if (in.size() < 10) return;
        n = 0;
        for (int i = 0; i < 8; ++i) n = (n << 8) | b[2 + i];
        at = 10;
      }
      if (in.size() < at + n) return;
      const int opcode = b[0] & 0x0f;
      std::string payload = in.substr(at, n);
      in.erase(0, at + n);
      if (opcode == 0x1) texts.push_back(payload);
      if (opcode == 0x8 && payload.size() >= 2 && !close_code) {
        close_code = (static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1]);
        // The answering close frame with the code, as a browser sends it
        // (libsoup 3.2 waits 5 s for the end after an empty one).
        const char answer[8] = {'\x88', '\x82', 0, 0, 0, 0, payload[0], payload[1]};
        send(fd, answer, sizeof answer, MSG_NOSIGNAL);
      }
    }
  }
  // Reads and parses until `done` or the end of the connection.
  bool read_until(const std::function<bool()>& done, double seconds = 15) {
    return run_until(
        [&] {
          read_some();
          parse_frames();
          return done() || eof;
        },
        seconds);
  }
  std::vector<std::string> values(const char* key, const char* type = nullptr) const {
    Client view;  // its parser, over what this socket got
    view.received = texts;
    return view.values(key, type);
  }
};

OutboxStats only_session(Stack& stack) {
  auto all = stack.relay->send_stats();
  ck_assert_uint_eq(all.size(), 1);
  return all.front();
}

}  // namespace

GST_START_TEST(slow_browser_keeps_to_its_budget) {
  ServerConfig config;
  config.max_queued_ms = 1000;       // 64000 bytes: more than one of the local server's audio messages
  config.socket_send_buffer = 4096;  // the kernel (which doubles it) holds little, so the relay's budget is what counts
  std::vector<std::string> log;
  config.log = [&](const std::string& line) { log.push_back(line); };
  Stack stack(config);
  const uint64_t budget = 1000 * kAudioJsonBytesPerMs;
  RawClient slow(stack.relay->port(), 4096);
  slow.send_text(kSetup);
  slow.send_text(R"({"realtime_input":{"text":"Describe my screen."}})");

  // Not reading: the whole answer reaches the relay, most of it is dropped.
  const std::string reply = "You wrote: Describe my screen.";
  const std::string voice = geminilive::mock::synthesize_reply_pcm(reply);
  fail_unless(run_until([&] { return only_session(stack).audio_posted_bytes == voice.size(); }),
              "the answer did not reach the relay: %llu of %zu bytes",
              static_cast<unsigned long long>(only_session(stack).audio_posted_bytes), voice.size());
  const OutboxStats stalled = only_session(stack);
  fail_unless(stalled.peak_queued_bytes <= budget, "%llu bytes waited, over the budget of %llu",
              static_cast<unsigned long long>(stalled.peak_queued_bytes), static_cast<unsigned long long>(budget));
  fail_unless(stalled.audio_dropped_bytes > 0, "nothing dropped of %zu bytes", voice.size());

  // Reading again: the warnings, the newest audio, every text and event
  // (the text source's last words may trail the bus's turn_complete).
  const auto all_text = [&] {
    std::string text;
    for (const auto& t : slow.values("text")) text += t;
    return text;
  };
  fail_unless(slow.read_until([&] {
    return !slow.values("type", "turn_complete").empty() && all_text() == reply &&
           only_session(stack).warnings_sent == slow.values("message", "warning").size() &&
           only_session(stack).queued_bytes == 0;
  }));
  const OutboxStats after = only_session(stack);
  ck_assert_uint_eq(after.audio_dropped_bytes, stalled.audio_dropped_bytes);
  fail_unless(after.peak_queued_bytes <= budget, "%llu bytes waited",
              static_cast<unsigned long long>(after.peak_queued_bytes));
  // The warnings say, together, what went.
  uint64_t said_bytes = 0;
  for (const auto& w : slow.values("message", "warning")) {
    unsigned long long bytes = 0, messages = 0;
    const char* at = std::strstr(w.c_str(), "audio (");
    fail_unless(at && std::sscanf(at, "audio (%llu bytes of PCM in %llu message", &bytes, &messages) == 2,
                "warning \"%s\"", w.c_str());
    said_bytes += bytes;
    bool logged = false;
    const std::string amount(at, std::strchr(at, ')') + 1);
    for (const auto& line : log) logged = logged || line.find(amount) != std::string::npos;
    fail_unless(logged, "the relay did not log \"%s\"", amount.c_str());
  }
  ck_assert_uint_eq(said_bytes, after.audio_dropped_bytes);
  // What arrived is the answer's own audio, whole messages, in order (the
  // newest goes too when no older audio waits to be dropped).
  size_t got = 0, at = 0;
  for (const auto& a : slow.values("audio")) {
    const std::string chunk = b64decode(a);
    const size_t found = voice.find(chunk, at);
    fail_unless(found != std::string::npos, "an audio message that is not the answer's, or out of order");
    at = found + chunk.size();
    got += chunk.size();
  }
  ck_assert_uint_eq(got + after.audio_dropped_bytes, voice.size());
  g_print(
      "slow browser: budget %llu bytes, at most %llu waited; %zu bytes of PCM in the answer, %llu dropped in %llu "
      "messages, %zu warnings\n",
      (unsigned long long)budget, (unsigned long long)after.peak_queued_bytes, voice.size(),
      (unsigned long long)after.audio_dropped_bytes, (unsigned long long)after.audio_dropped_messages,
      slow.values("message", "warning").size());
  assert_str(all_text(), reply);  // text is never dropped
}
GST_END_TEST;

GST_START_TEST(browser_that_reads_nothing_is_closed) {
  ServerConfig config;
  config.max_queued_ms = 250;
  config.socket_send_buffer = 4096;
  config.stall_close_seconds = 1;
  std::vector<std::string> log;
  config.log = [&](const std::string& line) { log.push_back(line); };
  Stack stack(config);
  RawClient stuck(stack.relay->port(), 4096);
  stuck.send_text(kSetup);
  // Three answers: more than the sockets hold, so something waits.
  for (int i = 0; i < 3; ++i) stuck.send_text(R"({"realtime_input":{"text":"Describe my screen."}})");
  // Closed after the stall (1 s) and libsoup's wait for the close frame to
  // go out (5 s): the session and what waited for it are gone.
  fail_unless(run_until([&] { return stack.relay->sessions_started() == 1 && stack.relay->sessions() == 0; }, 20),
              "the stalled browser is still open");
  bool logged = false;
  for (const auto& line : log) logged = logged || line.find("read nothing for 1 s") != std::string::npos;
  fail_unless(logged, "no line says why it was closed");
  // What the sockets still held arrives, then the end.
  fail_unless(stuck.read_until([] { return false; }) && stuck.eof, "the connection did not end");
  // (It ends inside the message libsoup was writing when it gave up: the
  // close frame behind it never went, so a browser sees 1006.)
}
GST_END_TEST;

GST_START_TEST(oversize_gets_the_error_then_1009) {
  ServerConfig config;
  config.max_message = 64 * 1024;
  Stack stack(config);
  const std::string over = "message of more than 65536 bytes is over this relay's limit of 65536 bytes";
  struct Case {
    const char* what;
    size_t size;      // of the message
    size_t fragment;  // bytes per frame; 0: one frame
    std::string error;
  };
  const Case cases[] = {
      {"just over, one frame", 64 * 1024 + 1, 0, over},
      {"ten times over, one frame", 640 * 1024, 0, over},
      // More than the sockets hold: the browser is still sending when the
      // relay refuses; the relay reads on and drops the rest (it would
      // reset the connection otherwise, and the browser lose the error).
      {"256 times over, one frame", 16 * 1024 * 1024, 0, over},
      {"three frames under the limit, the message over", 150 * 1024, 50 * 1024,
       "message of 153600 bytes is over this relay's limit of 65536 bytes"},
  };
  // (The relay completes upgrades itself: a browser still gets permessage-deflate.)
  {
    RawClient browser(stack.relay->port(), 0,
                      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    fail_unless(browser.response.find("\r\nSec-WebSocket-Extensions: permessage-deflate") != std::string::npos,
                "no permessage-deflate: %s", browser.response.c_str());
  }
  fail_unless(run_until([&] { return stack.relay->sessions() == 0; }));
  for (const Case& c : cases) {
    RawClient client(stack.relay->port());
    client.send_text(kSetup);
    const std::string message = std::string(c.size, ' ');
    if (!c.fragment) {
      client.send_frame(message, 0x1);
    } else {
      for (size_t at = 0; at < message.size(); at += c.fragment)
        client.send_frame(message.substr(at, c.fragment), at == 0 ? 0x1 : 0x0, at + c.fragment >= message.size());
    }
    fail_unless(client.read_until([&] { return client.close_code != 0; }), "%s: nothing", c.what);
    ck_assert_int_eq(client.close_code, 1009);
    const auto errors = client.values("message", "error");
    fail_unless(errors.size() == 1 && g_str_has_prefix(errors[0].c_str(), c.error.c_str()), "%s: error \"%s\"", c.what,
                errors.empty() ? "" : errors[0].c_str());
    fail_unless(run_until([&] { return stack.relay->sessions() == 0; }), "%s: its session stayed", c.what);
  }
}
GST_END_TEST;

static Suite* relay_backpressure_suite() {
  Suite* s = suite_create("relay_backpressure");
  TCase* relay = tcase_create("relay");
  tcase_set_timeout(relay, 60);
  suite_add_tcase(s, relay);
  tcase_add_test(relay, slow_browser_keeps_to_its_budget);
  tcase_add_test(relay, browser_that_reads_nothing_is_closed);
  tcase_add_test(relay, oversize_gets_the_error_then_1009);
  return s;
}

GST_CHECK_MAIN(relay_backpressure);
