// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/auth_token_client.h"

#include <gst/gst.h>
#include <libsoup/soup.h>

#include <utility>

#include "common/gobject_ptr.h"
#include "transport/transport_debug.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {
namespace {

constexpr char kDefaultBase[] = "https://generativelanguage.googleapis.com";

struct Call {
  GObjectPtr<SoupSession> session;
  GObjectPtr<SoupMessage> message;
  std::function<void(HttpAnswer)> done;
};

void on_sent(GObject* source, GAsyncResult* result, gpointer data) {
  std::unique_ptr<Call> call(static_cast<Call*>(data));
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
  HttpAnswer answer;
  if (!body) {
    answer.error = error ? error->message : "unknown error";
  } else {
    answer.status = static_cast<int>(soup_message_get_status(call->message.get()));
    gsize size = 0;
    const char* bytes = static_cast<const char*>(g_bytes_get_data(body, &size));
    answer.body.assign(bytes ? bytes : "", size);
  }
  GST_INFO("POST auth_tokens: %s", answer.status ? std::to_string(answer.status).c_str() : answer.error.c_str());
  call->done(std::move(answer));
}

}  // namespace

std::string auth_tokens_url(const std::string& base_uri) {
  const std::string base = base_uri.empty() ? kDefaultBase : base_uri;
  g_autoptr(GUri) parsed = g_uri_parse(base.c_str(), G_URI_FLAGS_NONE, nullptr);
  if (!parsed || !g_uri_get_host(parsed) || !*g_uri_get_host(parsed)) return "";
  g_autofree char* lower = g_ascii_strdown(g_uri_get_scheme(parsed), -1);
  std::string scheme = lower;
  if (scheme == "ws") scheme = "http";
  if (scheme == "wss") scheme = "https";
  if (scheme != "http" && scheme != "https") return "";
  std::string path = g_uri_get_path(parsed);
  while (!path.empty() && path.back() == '/') path.pop_back();
  g_autoptr(GUri) url = g_uri_build(G_URI_FLAGS_NONE, scheme.c_str(), nullptr, g_uri_get_host(parsed),
                                    g_uri_get_port(parsed), (path + "/v1alpha/auth_tokens").c_str(), nullptr, nullptr);
  g_autofree char* text = g_uri_to_string(url);
  return text;
}

void post_auth_token(const std::shared_ptr<EventLoopThread>& loop, AuthTokenPost post,
                     std::function<void(HttpAnswer)> done) {
  loop->post([post = std::move(post), done = std::move(done)]() mutable {
    const std::string url = auth_tokens_url(post.base_uri);
    if (url.empty()) {
      done(HttpAnswer{0, {}, "not an http(s) or ws(s) URI with a host"});
      return;
    }
    auto call = std::make_unique<Call>();
    call->session.reset(soup_session_new_with_options("timeout", post.timeout_s, "user-agent", "geminilive", nullptr));
    if (!post.ca_file.empty()) {
      g_autoptr(GError) error = nullptr;
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new(post.ca_file.c_str(), &error);
      if (!database) {
        done(HttpAnswer{0, {}, "cannot load ca-file '" + post.ca_file + "': " + error->message});
        return;
      }
      soup_session_set_tls_database(call->session.get(), database);
    }
    call->message.reset(soup_message_new(SOUP_METHOD_POST, url.c_str()));
    if (!call->message) {
      done(HttpAnswer{0, {}, "not a usable URL"});
      return;
    }
    SoupMessageHeaders* headers = soup_message_get_request_headers(call->message.get());
    soup_message_headers_replace(headers, "x-goog-api-key", post.api_key.c_str());
    g_autoptr(GBytes) body = g_bytes_new(post.body.data(), post.body.size());
    soup_message_set_request_body_from_bytes(call->message.get(), "application/json", body);
    GST_INFO("POST %s (x-goog-api-key: <redacted>, %zu bytes)", url.c_str(), post.body.size());
    call->done = std::move(done);
    SoupSession* session = call->session.get();
    SoupMessage* message = call->message.get();
    soup_session_send_and_read_async(session, message, G_PRIORITY_DEFAULT, nullptr, on_sent, call.release());
  });
}

}  // namespace geminilive::transport
