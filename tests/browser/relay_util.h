// SPDX-License-Identifier: LGPL-2.1-or-later
// What the relay suites share: the in-process local server and relay on
// this thread's main context, and a WebSocket client that speaks to the
// relay as a browser would (libsoup, on the same context).
#pragma once

#include <glib.h>
#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "assert_str.h"
#include "live_server.h"
#include "relay_server.h"

namespace geminilive::relay::testing {

inline constexpr char kLivePath[] = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";

// Runs this thread's default main context until `done` or `seconds` pass.
inline bool run_until(const std::function<bool()>& done, double seconds = 15) {
  const gint64 deadline = g_get_monotonic_time() + static_cast<gint64>(seconds * 1e6);
  while (!done()) {
    if (g_get_monotonic_time() > deadline) return false;
    if (!g_main_context_iteration(nullptr, FALSE)) g_usleep(1000);
  }
  return true;
}

// The local server (its own thread) and a relay in front of it.
struct Stack {
  std::unique_ptr<geminilive::mock::LiveServer> live;
  std::unique_ptr<RelayServer> relay;
  std::vector<std::string> live_log;  // the local server's event lines (its thread; read after waiting)
  GMutex log_mutex;

  explicit Stack(ServerConfig config = {}, geminilive::mock::ServerOptions live_options = {}) {
    g_mutex_init(&log_mutex);
    live_options.reply_speed = 0;  // whole answers at once: short tests
    live_options.log = [this](const std::string& line) {
      g_mutex_lock(&log_mutex);
      live_log.push_back(line);
      g_mutex_unlock(&log_mutex);
    };
    live = std::make_unique<geminilive::mock::LiveServer>(live_options);
    std::string error;
    fail_unless(live->start(&error), "local server: %s", error.c_str());
    config.port = 0;
    config.defaults.uri = live->uri() + kLivePath;
    config.defaults.api_key = "local";
    if (config.defaults.system_instruction.empty()) config.defaults.system_instruction = "Be a screen assistant.";
    relay = std::make_unique<RelayServer>(config);
    fail_unless(relay->start(&error), "relay: %s", error.c_str());
  }
  ~Stack() {
    relay.reset();
    live.reset();
    g_mutex_clear(&log_mutex);
  }
  std::string ws_url(const std::string& query = "") const {
    return "ws://127.0.0.1:" + std::to_string(relay->port()) + "/" + query;
  }
  bool live_logged(const std::string& part) {
    g_mutex_lock(&log_mutex);
    bool found = false;
    for (const auto& l : live_log) found = found || l.find(part) != std::string::npos;
    g_mutex_unlock(&log_mutex);
    return found;
  }
};

// A browser, as far as the relay can tell.
struct Client {
  SoupSession* session = soup_session_new();
  SoupWebsocketConnection* connection = nullptr;
  std::vector<std::string> received;
  bool failed = false;
  int http_status = 0;
  bool closed = false;
  int close_code = 0;

  ~Client() {
    if (connection) {
      g_signal_handlers_disconnect_by_data(connection, this);
      if (soup_websocket_connection_get_state(connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(connection, 1000, nullptr);
      g_object_unref(connection);
    }
    g_object_unref(session);
  }

  // True once open; otherwise `http_status` says why (401, 403...).
  bool connect(const std::string& url, const char* origin = nullptr) {
    SoupMessage* msg = soup_message_new("GET", url.c_str());
    if (origin) soup_message_headers_replace(soup_message_get_request_headers(msg), "Origin", origin);
    soup_session_websocket_connect_async(session, msg, nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr, on_connected,
                                         this);
    g_object_unref(msg);
    fail_unless(run_until([this] { return connection || failed; }), "no answer to the upgrade");
    return connection != nullptr;
  }
  static void on_connected(GObject* source, GAsyncResult* result, gpointer data) {
    auto* self = static_cast<Client*>(data);
    g_autoptr(GError) error = nullptr;
    SoupMessage* msg = soup_session_get_async_result_message(SOUP_SESSION(source), result);
    self->connection = soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
    if (!self->connection) {
      self->failed = true;
      self->http_status = msg ? static_cast<int>(soup_message_get_status(msg)) : 0;
      return;
    }
    soup_websocket_connection_set_max_incoming_payload_size(self->connection, 0);
    g_signal_connect(self->connection, "message", G_CALLBACK(on_message), self);
    g_signal_connect(self->connection, "closed", G_CALLBACK(on_closed), self);
  }
  static void on_message(SoupWebsocketConnection*, gint, GBytes* message, gpointer data) {
    gsize size = 0;
    const char* bytes = static_cast<const char*>(g_bytes_get_data(message, &size));
    static_cast<Client*>(data)->received.emplace_back(bytes, size);
  }
  static void on_closed(SoupWebsocketConnection* c, gpointer data) {
    auto* self = static_cast<Client*>(data);
    self->closed = true;
    self->close_code = soup_websocket_connection_get_close_code(c);
  }
  void send(const std::string& json) { soup_websocket_connection_send_text(connection, json.c_str()); }

  // Received messages that hold `key` at the top (e.g. "audio", "text", "type").
  std::vector<std::string> values(const char* key, const char* type = nullptr) const {
    std::vector<std::string> out;
    for (const auto& m : received) {
      g_autoptr(JsonParser) p = json_parser_new();
      if (!json_parser_load_from_data(p, m.c_str(), -1, nullptr)) continue;
      JsonObject* o = json_node_get_object(json_parser_get_root(p));
      if (type && g_strcmp0(json_object_get_string_member_with_default(o, "type", ""), type) != 0) continue;
      if (json_object_has_member(o, key)) {
        JsonNode* n = json_object_get_member(o, key);
        out.push_back(json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n) : "");
      }
    }
    return out;
  }
  bool got_type(const char* type) const { return !values("type", type).empty(); }
  std::string error_message() const {
    auto e = values("message", "error");
    return e.empty() ? "" : e.front();
  }
};

// 16 kHz S16LE: `seconds` of a 220 Hz tone loud enough to be speech, or silence.
inline std::string pcm16k(double seconds, bool tone) {
  const size_t n = static_cast<size_t>(seconds * 16000);
  std::string pcm(n * 2, '\0');
  for (size_t i = 0; tone && i < n; ++i) {
    auto s = static_cast<int16_t>(9000 * std::sin(2 * M_PI * 220 * i / 16000.0));
    pcm[2 * i] = static_cast<char>(s & 0xff);
    pcm[2 * i + 1] = static_cast<char>((s >> 8) & 0xff);
  }
  return pcm;
}

inline std::string b64(const std::string& bytes) {
  g_autofree char* s = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  return s;
}

inline std::string b64decode(const std::string& text) {
  gsize n = 0;
  g_autofree guchar* d = g_base64_decode(text.c_str(), &n);
  return std::string(reinterpret_cast<char*>(d), n);
}

inline std::string read_file(const std::string& path) {
  g_autofree char* contents = nullptr;
  gsize length = 0;
  fail_unless(g_file_get_contents(path.c_str(), &contents, &length, nullptr), "cannot read %s", path.c_str());
  return std::string(contents, length);
}

}  // namespace geminilive::relay::testing
