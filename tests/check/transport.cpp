// SPDX-License-Identifier: LGPL-2.1-or-later
// The WebSocket transport against the in-process Live server: bytes and close
// codes as a user of WebSocketClient sees them, and the event loop's
// lifetime. Connecting (refusals, timeouts, TLS, the API key) is in
// transport_connect.cpp; the shared helpers in transport_util.h.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "transport_util.h"

using namespace geminilive::testing;
using namespace std::chrono_literals;

namespace {

// Deterministic pseudo-random bytes (every value 0..255 occurs).
std::string random_bytes(std::size_t size, uint32_t seed) {
  std::string out(size, '\0');
  for (auto& c : out) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return out;
}

// Printable ASCII (no JSON escapes needed), for text frames.
std::string random_text(std::size_t size, uint32_t seed) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-_";
  std::string out(size, ' ');
  for (auto& c : out) {
    seed = seed * 1664525u + 1013904223u;
    c = kAlphabet[(seed >> 24) % (sizeof(kAlphabet) - 1)];
  }
  return out;
}

}  // namespace

GST_START_TEST(test_text_both_ways_in_order) {
  auto server = start_server();
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketClient client(loop, options_for(*server), rec.listener());

  // Sent before the socket exists: must go out first, in order.
  const std::vector<std::string> early = {text_message("early-1"), text_message("early-2")};
  fail_unless(client.send_text(kSetup));
  for (const auto& m : early) fail_unless(client.send_text(m));
  client.connect();
  fail_unless(rec.wait_open());
  fail_unless(rec.wait_containing("setupComplete"));

  // Two threads send concurrently; each one's messages must arrive in its order.
  constexpr int kPerThread = 300;
  std::vector<std::string> sent[2];
  for (int t = 0; t < 2; ++t)
    for (int i = 0; i < kPerThread; ++i)
      sent[t].push_back(text_message("thread" + std::to_string(t) + "-" + std::to_string(i)));
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& m : sent[t])
        if (!client.send_text(m)) ++refused;
    });
  }
  for (auto& th : threads) th.join();
  fail_unless_equals_int(refused.load(), 0);

  // The server to us: text and binary frames, in order, flags intact.
  constexpr int kFromServer = 300;
  for (int i = 0; i < kFromServer; ++i) server->send_raw("srv-" + std::to_string(i), i % 3 == 0);

  const std::size_t expected_total = 1 + early.size() + 2 * kPerThread;
  fail_unless(poll_until([&] { return server->received_messages().size() >= expected_total; }),
              "the server got %zu of %zu messages", server->received_messages().size(), expected_total);
  const auto received = server->received_messages();
  fail_unless_equals_int(received.size(), expected_total);
  fail_unless_equals_string(received[0].c_str(), kSetup);
  fail_unless_equals_string(received[1].c_str(), early[0].c_str());
  fail_unless_equals_string(received[2].c_str(), early[1].c_str());
  for (int t = 0; t < 2; ++t) {
    const auto got = messages_with(received, "thread" + std::to_string(t) + "-");
    fail_unless_equals_int(got.size(), kPerThread);
    for (int i = 0; i < kPerThread; ++i) fail_unless_equals_string(got[i].c_str(), sent[t][i].c_str());
  }
  fail_unless_equals_int(client.queued_bytes(), 0);

  fail_unless(rec.wait_containing("srv-" + std::to_string(kFromServer - 1)));
  std::vector<Frame> from_server;
  for (const auto& m : rec.frames())
    if (m.payload.rfind("srv-", 0) == 0) from_server.push_back(m);
  fail_unless_equals_int(from_server.size(), kFromServer);
  for (int i = 0; i < kFromServer; ++i) {
    const std::string expected = "srv-" + std::to_string(i);
    fail_unless_equals_string(from_server[i].payload.c_str(), expected.c_str());
    fail_unless_equals_int(from_server[i].binary, i % 3 == 0);
  }
  fail_unless_equals_int(rec.opens(), 1);
  fail_unless(rec.closes().empty());
}
GST_END_TEST;

GST_START_TEST(test_large_frames_intact) {
  auto server = start_server();
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketClient client(loop, options_for(*server), rec.listener());
  open_live_session(client, rec);

  uint32_t seed = 1;
  for (const std::size_t size : {std::size_t{1} << 20, std::size_t{8} << 20}) {
    // Client to server: one text frame carrying `size` bytes of text.
    const std::string up = text_message(random_text(size, seed++));
    const std::size_t before = server->received_messages().size();
    fail_unless(client.send_text(up));
    fail_unless(poll_until([&] { return server->received_messages().size() > before; }),
                "the server did not get the %zu byte frame", up.size());
    const auto received = server->received_messages();
    fail_unless_equals_int(received.back().size(), up.size());
    fail_unless(received.back() == up, "the %zu byte frame changed on the way", up.size());

    // Server to client: binary (all byte values) and text frames.
    const std::string marker = "big-text-" + std::to_string(size) + ":";
    const std::string down_binary = random_bytes(size, seed++);
    const std::string down_text = marker + random_text(size, seed++);
    server->send_raw(down_binary, true);
    server->send_raw(down_text, false);
    fail_unless(rec.wait_containing(marker), "the %zu byte frames did not arrive", size);
    const auto messages = rec.frames();
    fail_unless(messages.size() >= 2);
    const auto& got_binary = messages[messages.size() - 2];
    const auto& got_text = messages.back();
    fail_unless(got_binary.binary);
    fail_unless_equals_int(got_binary.payload.size(), down_binary.size());
    fail_unless(got_binary.payload == down_binary, "binary frame of %zu bytes changed", size);
    fail_unless(!got_text.binary);
    fail_unless(got_text.payload == down_text, "text frame of %zu bytes changed", size);
  }
  fail_unless_equals_int(client.queued_bytes(), 0);
  fail_unless(rec.closes().empty(), "the connection closed: %d %s", rec.closes()[0].code,
              rec.closes()[0].reason.c_str());
}
GST_END_TEST;

// The server closes with the codes and reasons the service uses.
static void check_server_close(int code, const char* reason) {
  auto server = start_server();
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketClient client(loop, options_for(*server), rec.listener());
  open_live_session(client, rec);

  server->close_connection(code, reason);
  const CloseInfo info = wait_single_close(rec);
  fail_unless(info.kind == CloseInfo::Kind::Closed);
  fail_unless_equals_int(info.code, code);
  fail_unless_equals_string(info.reason.c_str(), reason);
  fail_unless_equals_int(info.http_status, 0);
  // Closed means closed: nothing more is accepted.
  fail_unless(!client.send_text(text_message("after close")));
}

GST_START_TEST(test_server_close_1008_api_key) {
  check_server_close(1008, "API key not valid. Please pass a valid API key.");
}
GST_END_TEST;

GST_START_TEST(test_server_close_1011_internal) { check_server_close(1011, "Internal error encountered."); }
GST_END_TEST;

GST_START_TEST(test_server_drop_is_1006) {
  auto server = start_server();
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketClient client(loop, options_for(*server), rec.listener());
  open_live_session(client, rec);

  server->drop_connection();
  const CloseInfo info = wait_single_close(rec);
  fail_unless(info.kind == CloseInfo::Kind::Dropped, "kind %d, code %d, reason '%s'", static_cast<int>(info.kind),
              info.code, info.reason.c_str());
  fail_unless_equals_int(info.code, 1006);
  fail_unless(!info.reason.empty());
}
GST_END_TEST;

GST_START_TEST(test_client_close_1000) {
  auto server = start_server();
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketClient client(loop, options_for(*server), rec.listener());
  open_live_session(client, rec);

  // Queued before close(): still delivered, then the close frame.
  const std::string last = text_message("last words");
  fail_unless(client.send_text(last));
  client.close(1000, "bye");
  fail_unless(!client.send_text(text_message("too late")));

  const CloseInfo info = wait_single_close(rec);
  fail_unless(info.kind == CloseInfo::Kind::Closed);
  fail_unless_equals_int(info.code, 1000);
  const auto received = server->received_messages();
  fail_unless(!received.empty());
  fail_unless_equals_string(received.back().c_str(), last.c_str());
  fail_unless(messages_with(received, "too late").empty());
}
GST_END_TEST;

// Destroying a client while frames flow both ways: no listener call after the
// destructor returns, and no crash.
GST_START_TEST(test_destroy_while_flowing) {
  auto server = start_server();
  auto loop = std::make_shared<EventLoopThread>("client");
  for (int round = 0; round < 10; ++round) {
    std::atomic<bool> destroyed{false};
    std::atomic<int> late_calls{0};
    std::atomic<int> received{0};
    std::atomic<bool> opened{false};
    WebSocketListener listener;
    listener.on_open = [&] {
      if (destroyed) ++late_calls;
      opened = true;
    };
    listener.on_message = [&](std::string_view, bool) {
      if (destroyed) ++late_calls;
      ++received;
      // Slow the loop a little so frames pile up behind this call.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    };
    listener.on_closed = [&](const CloseInfo&) {
      if (destroyed) ++late_calls;
    };

    auto client = std::make_unique<WebSocketClient>(loop, options_for(*server), listener);
    fail_unless(client->send_text(kSetup));
    client->connect();
    for (int i = 0; i < 200 && !opened; ++i) std::this_thread::sleep_for(10ms);
    fail_unless(opened, "round %d did not open", round);

    std::atomic<bool> stop{false};
    std::thread pusher([&] {
      // Paced, so the server's own queue stays small.
      const std::string chunk(16 * 1024, 'x');
      while (!stop) {
        server->send_raw(chunk, true);
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
    });
    const std::string big = text_message(random_text(256 * 1024, round));
    for (int i = 0; i < 20; ++i) client->send_text(big);
    for (int i = 0; i < 200 && received < 20; ++i) std::this_thread::sleep_for(5ms);
    fail_unless(received >= 20, "round %d: frames were not flowing", round);

    std::this_thread::sleep_for(std::chrono::milliseconds(round * 3));
    client.reset();
    destroyed = true;
    std::this_thread::sleep_for(150ms);
    stop = true;
    pusher.join();
    fail_unless_equals_int(late_calls.load(), 0);
  }
  // The loop still works after all that.
  Recorder rec;
  WebSocketClient client(loop, options_for(*server), rec.listener());
  open_live_session(client, rec);
}
GST_END_TEST;

// Opens `n` clients to `uri` on a loop of their own, destroys them (each
// starts its close handshake) and the loop right after. Returns how long
// destroying the loop took, in ms.
static gint64 destroy_loop_right_after_clients(const std::string& uri, uint16_t port, int n) {
  auto loop = std::make_shared<EventLoopThread>("client");
  std::vector<std::unique_ptr<Recorder>> recorders;  // outlive their clients
  std::vector<std::unique_ptr<WebSocketClient>> clients;
  WebSocketOptions o;
  o.uri = uri;
  for (int i = 0; i < n; ++i) {
    recorders.push_back(std::make_unique<Recorder>());
    clients.push_back(std::make_unique<WebSocketClient>(loop, o, recorders.back()->listener()));
    clients.back()->connect();
    fail_unless(recorders.back()->wait_open(), "client %d did not open", i);
  }
  fail_unless_equals_int(client_sockets_to(port), n);
  clients.clear();
  const gint64 t0 = g_get_monotonic_time();
  loop.reset();
  return (g_get_monotonic_time() - t0) / 1000;
}

// When the loop is gone, so are its connections: none of our sockets stays
// open (in CLOSE_WAIT once the server has closed its side).
GST_START_TEST(test_loop_shutdown_ends_closing_connections) {
  auto server = start_server();
  for (int round = 0; round < 10; ++round) {
    destroy_loop_right_after_clients(live_uri(*server), server->port(), 8);
    fail_unless_equals_int(client_sockets_to(server->port()), 0);
  }
}
GST_END_TEST;

// A peer that never answers our close frame: stopping the loop still ends
// the connections, within its bound and well before libsoup's own 5 s.
GST_START_TEST(test_loop_shutdown_aborts_unanswered_closes) {
  MutePeer peer;
  const gint64 ms = destroy_loop_right_after_clients(peer.live_uri(), peer.port(), 4);
  fail_unless(ms < 3000, "stopping the loop took %" G_GINT64_FORMAT " ms", ms);
  fail_unless_equals_int(client_sockets_to(peer.port()), 0);
}
GST_END_TEST;

GST_START_TEST(test_close_code_names) {
  using geminilive::transport::close_code_name;
  fail_unless_equals_string(close_code_name(1000), "normal closure");
  fail_unless_equals_string(close_code_name(1006), "abnormal closure");
  fail_unless_equals_string(close_code_name(1007), "invalid payload data");
  fail_unless_equals_string(close_code_name(1008), "policy violation");
  fail_unless_equals_string(close_code_name(1011), "internal error");
  for (int code : {1001, 1002, 1003, 1005, 1009, 1010, 1012, 1013, 1014, 1015})
    fail_unless(strcmp(close_code_name(code), "unknown") != 0, "no name for %d", code);
  fail_unless_equals_string(close_code_name(1004), "unknown");
}
GST_END_TEST;

GST_START_TEST(test_event_loop_thread) {
  EventLoopThread loop("t");
  fail_unless(!loop.is_current());
  bool on_loop = false;
  loop.run_sync([&] { on_loop = loop.is_current(); });
  fail_unless(on_loop);
  // post() runs tasks in order and never waits for them.
  std::vector<int> order;
  std::mutex m;
  for (int i = 0; i < 100; ++i)
    loop.post([&, i] {
      std::lock_guard<std::mutex> lock(m);
      order.push_back(i);
    });
  loop.run_sync([] {});
  std::lock_guard<std::mutex> lock(m);
  fail_unless_equals_int(order.size(), 100);
  for (int i = 0; i < 100; ++i) fail_unless_equals_int(order[i], i);
  // run_sync() from the loop thread runs inline instead of deadlocking.
  int nested = 0;
  loop.run_sync([&] { loop.run_sync([&] { nested = 1; }); });
  fail_unless_equals_int(nested, 1);
}
GST_END_TEST;

static Suite* transport_suite(void) {
  Suite* s = suite_create("transport");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_event_loop_thread);
  tcase_add_test(tc, test_close_code_names);
  tcase_add_test(tc, test_text_both_ways_in_order);
  tcase_add_test(tc, test_large_frames_intact);
  tcase_add_test(tc, test_server_close_1008_api_key);
  tcase_add_test(tc, test_server_close_1011_internal);
  tcase_add_test(tc, test_server_drop_is_1006);
  tcase_add_test(tc, test_client_close_1000);
  tcase_add_test(tc, test_destroy_while_flowing);
  tcase_add_test(tc, test_loop_shutdown_ends_closing_connections);
  tcase_add_test(tc, test_loop_shutdown_aborts_unanswered_closes);
  return s;
}

GST_CHECK_MAIN(transport);
