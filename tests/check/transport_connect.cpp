// SPDX-License-Identifier: LGPL-2.1-or-later
// Connecting with the WebSocket transport, as a user of WebSocketClient sees
// it: a refused connection, an HTTP refusal's status, the connect timeout,
// TLS with and without a trusted CA, and the API key sent in a header only
// (never logged). Part of the transport suite (tests/check/meson.build); the
// shared helpers are in transport_util.h.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "check_util.h"
#include "transport_util.h"

using namespace geminilive::testing;
using namespace std::chrono_literals;

namespace {

// A port on which nothing listens.
uint16_t closed_port() {
  g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  fail_unless(g_socket_bind(socket, any, FALSE, nullptr));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket, nullptr);
  const uint16_t port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  g_socket_close(socket, nullptr);
  return port;
}

}  // namespace

GST_START_TEST(test_refused_connection) {
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketOptions options;
  options.uri = "ws://127.0.0.1:" + std::to_string(closed_port()) + kLivePath;
  WebSocketClient client(loop, options, rec.listener());
  fail_unless(client.send_text(kSetup));
  client.connect();
  const CloseInfo info = wait_single_close(rec);
  fail_unless(info.kind == CloseInfo::Kind::ConnectFailed);
  fail_unless_equals_int(info.code, 1006);
  fail_unless_equals_int(info.http_status, 0);
  fail_unless(info.reason.find("refused") != std::string::npos, "reason: %s", info.reason.c_str());
  fail_unless_equals_int(rec.opens(), 0);
  // The setup that never left is dropped, not kept for later.
  fail_unless_equals_int(client.queued_bytes(), 0);
}
GST_END_TEST;

// A server that refuses the upgrade with an HTTP error: ConnectFailed carries
// the status, so a user can tell 403 from a network failure.
GST_START_TEST(test_http_refusal_reports_status) {
  auto server_loop = std::make_shared<EventLoopThread>("http-server");
  SoupServer* http = nullptr;
  std::string uri;
  server_loop->run_sync([&] {
    http = soup_server_new(nullptr, nullptr);
    soup_server_add_handler(
        http, nullptr,
        [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer) {
          soup_server_message_set_status(msg, SOUP_STATUS_FORBIDDEN, nullptr);
        },
        nullptr, nullptr);
    fail_unless(soup_server_listen_local(http, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, nullptr));
    GSList* uris = soup_server_get_uris(http);
    uri = "ws://127.0.0.1:" + std::to_string(g_uri_get_port(static_cast<GUri*>(uris->data)));
    g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
  });

  {
    auto loop = std::make_shared<EventLoopThread>("client");
    Recorder rec;
    WebSocketOptions options;
    options.uri = uri + kLivePath;
    WebSocketClient client(loop, options, rec.listener());
    client.connect();
    const CloseInfo info = wait_single_close(rec);
    fail_unless(info.kind == CloseInfo::Kind::ConnectFailed);
    fail_unless_equals_int(info.http_status, 403);
    fail_unless(info.reason.find("403") != std::string::npos, "reason: %s", info.reason.c_str());
  }
  server_loop->run_sync([&] { g_object_unref(http); });
}
GST_END_TEST;

// A server that accepts TCP and never answers: the connect timeout fires.
GST_START_TEST(test_connect_timeout) {
  g_autoptr(GSocket) socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, nullptr);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
  fail_unless(g_socket_bind(socket, any, FALSE, nullptr));
  fail_unless(g_socket_listen(socket, nullptr));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(socket, nullptr);
  const uint16_t port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));

  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketOptions options;
  options.uri = "ws://127.0.0.1:" + std::to_string(port) + kLivePath;
  options.connect_timeout_s = 1;
  WebSocketClient client(loop, options, rec.listener());
  const auto start = std::chrono::steady_clock::now();
  client.connect();
  const CloseInfo info = wait_single_close(rec);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  fail_unless(info.kind == CloseInfo::Kind::ConnectFailed);
  fail_unless(info.reason.find("timed out") != std::string::npos, "reason: %s", info.reason.c_str());
  fail_unless(elapsed >= 900ms && elapsed < 5s, "timed out after %lld ms",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}
GST_END_TEST;

GST_START_TEST(test_tls_untrusted_certificate_fails) {
  ServerOptions so;
  so.tls_cert_file = fixture_path("tls/cert.pem");
  so.tls_key_file = fixture_path("tls/key.pem");
  auto server = start_server(so);
  fail_unless(g_str_has_prefix(server->uri().c_str(), "wss://"), "uri %s", server->uri().c_str());

  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketClient client(loop, options_for(*server), rec.listener());
  fail_unless(client.send_text(kSetup));
  client.connect();
  const CloseInfo info = wait_single_close(rec);
  fail_unless(info.kind == CloseInfo::Kind::ConnectFailed);
  fail_unless(info.reason.find("TLS") != std::string::npos, "reason: %s", info.reason.c_str());
  fail_unless(info.reason.find("not trusted") != std::string::npos, "reason: %s", info.reason.c_str());
  fail_unless_equals_int(rec.opens(), 0);
  fail_unless_equals_int(server->stats().setups, 0);
}
GST_END_TEST;

GST_START_TEST(test_tls_with_ca_file_connects) {
  ServerOptions so;
  so.tls_cert_file = fixture_path("tls/cert.pem");
  so.tls_key_file = fixture_path("tls/key.pem");
  auto server = start_server(so);

  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketOptions options = options_for(*server);
  options.ca_file = fixture_path("tls/cert.pem");
  WebSocketClient client(loop, options, rec.listener());
  open_live_session(client, rec);
  const std::string hello = text_message("over TLS");
  fail_unless(client.send_text(hello));
  fail_unless(poll_until([&] { return !messages_with(server->received_messages(), "over TLS").empty(); }));
  const auto over_tls = messages_with(server->received_messages(), "over TLS");
  fail_unless_equals_string(over_tls[0].c_str(), hello.c_str());
  fail_unless(rec.closes().empty());
}
GST_END_TEST;

GST_START_TEST(test_tls_bad_ca_file_refuses) {
  auto loop = std::make_shared<EventLoopThread>("client");
  Recorder rec;
  WebSocketOptions options;
  options.uri = std::string("wss://127.0.0.1:") + std::to_string(closed_port()) + kLivePath;
  options.ca_file = fixture_path("tls/does-not-exist.pem");
  WebSocketClient client(loop, options, rec.listener());
  client.connect();
  const CloseInfo info = wait_single_close(rec);
  fail_unless(info.kind == CloseInfo::Kind::ConnectFailed);
  fail_unless(info.reason.find("ca-file") != std::string::npos, "reason: %s", info.reason.c_str());
}
GST_END_TEST;

// Collects every geminilive debug line, to prove the key is never logged.
static void collect_log(GstDebugCategory* category, GstDebugLevel, const gchar*, const gchar*, gint, GObject*,
                        GstDebugMessage* message, gpointer data) {
  if (!g_str_has_prefix(gst_debug_category_get_name(category), "geminilive")) return;
  auto* lines = static_cast<std::pair<std::mutex, std::vector<std::string>>*>(data);
  std::lock_guard<std::mutex> lock(lines->first);
  lines->second.emplace_back(gst_debug_message_get(message));
}

GST_START_TEST(test_api_key_in_header_only) {
  constexpr char kKey[] = "AIzaTestKey-0123456789-secret";
  std::pair<std::mutex, std::vector<std::string>> lines;
  gst_debug_set_active(TRUE);
  gst_debug_set_threshold_for_name("geminilive*", GST_LEVEL_MEMDUMP);
  gst_debug_add_log_function(collect_log, &lines, nullptr);

  ServerOptions so;
  so.api_key = kKey;
  auto server = start_server(so);
  auto loop = std::make_shared<EventLoopThread>("client");
  {
    // The right key: accepted, so the server read it from x-goog-api-key.
    Recorder rec;
    WebSocketOptions options = options_for(*server);
    options.api_key = kKey;
    WebSocketClient client(loop, options, rec.listener());
    open_live_session(client, rec);
    const ServerStats stats = server->stats();
    fail_unless_equals_int(stats.setups, 1);
    fail_unless(stats.last_request_path.find(kLivePath) != std::string::npos, "path %s",
                stats.last_request_path.c_str());
    fail_unless(stats.last_request_path.find("key") == std::string::npos, "path %s", stats.last_request_path.c_str());
    fail_unless(stats.last_request_path.find(kKey) == std::string::npos);
    std::this_thread::sleep_for(200ms);
    fail_unless(rec.closes().empty(), "closed: %d %s", rec.closes()[0].code, rec.closes()[0].reason.c_str());
  }
  {
    // A wrong key: the service's answer reaches the user verbatim.
    Recorder rec;
    WebSocketOptions options = options_for(*server);
    options.api_key = "wrong-key";
    WebSocketClient client(loop, options, rec.listener());
    fail_unless(client.send_text(kSetup));
    client.connect();
    const CloseInfo info = wait_single_close(rec);
    fail_unless(info.kind == CloseInfo::Kind::Closed);
    fail_unless_equals_int(info.code, 1008);
    fail_unless_equals_string(info.reason.c_str(), "API key not valid. Please pass a valid API key.");
  }

  gst_debug_remove_log_function(collect_log);
  std::lock_guard<std::mutex> lock(lines.first);
  fail_unless(!lines.second.empty(), "no debug lines were collected");
  bool saw_redacted = false;
  for (const auto& line : lines.second) {
    fail_unless(line.find(kKey) == std::string::npos, "the key was logged: %s", line.c_str());
    fail_unless(line.find("wrong-key") == std::string::npos, "a key was logged: %s", line.c_str());
    if (line.find("x-goog-api-key: <redacted>") != std::string::npos) saw_redacted = true;
  }
  fail_unless(saw_redacted, "the connect line does not say a key was sent");
}
GST_END_TEST;

static Suite* transport_connect_suite(void) {
  Suite* s = suite_create("transport_connect");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_refused_connection);
  tcase_add_test(tc, test_http_refusal_reports_status);
  tcase_add_test(tc, test_connect_timeout);
  tcase_add_test(tc, test_tls_untrusted_certificate_fails);
  tcase_add_test(tc, test_tls_with_ca_file_connects);
  tcase_add_test(tc, test_tls_bad_ca_file_refuses);
  tcase_add_test(tc, test_api_key_in_header_only);
  return s;
}

GST_CHECK_MAIN(transport_connect);
