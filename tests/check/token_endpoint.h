// SPDX-License-Identifier: LGPL-2.1-or-later
// A loopback OAuth token endpoint standing in for oauth2.googleapis.com
// (suites transport and auth): answers POST /token as told, counts the
// requests and keeps the last form; and the authorized_user ADC file whose
// secrets the tests look for in logs and errors.
#pragma once

#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "transport/event_loop_thread.h"

namespace geminilive::testing {

inline constexpr char kSecret[] = "s3cr&t=/x";
inline constexpr char kRefresh[] = "1//refresh-token+value";

// A token endpoint on its own loop thread: answers POST /token with `status`
// and `body`, and keeps the form it got.
class TokenEndpoint {
 public:
  TokenEndpoint() : thread_("token-endpoint") {
    thread_.run_sync([this] {
      g_main_context_push_thread_default(thread_.context());
      server_ = soup_server_new(nullptr, nullptr);
      soup_server_add_handler(server_, "/token", handle, this, nullptr);
      g_autoptr(GError) error = nullptr;
      fail_unless(soup_server_listen_local(server_, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error), "listen failed");
      GSList* uris = soup_server_get_uris(server_);
      g_autofree char* uri = g_uri_to_string(static_cast<GUri*>(uris->data));
      uri_ = std::string(uri) + "token";
      g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
      g_main_context_pop_thread_default(thread_.context());
    });
  }
  ~TokenEndpoint() {
    thread_.run_sync([this] { g_object_unref(server_); });
  }

  void answer(unsigned status, std::string body) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    body_ = std::move(body);
  }
  const std::string& uri() const { return uri_; }
  int requests() const { return requests_; }
  std::string form_field(const char* name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = form_.find(name);
    return it == form_.end() ? std::string("<absent>") : it->second;
  }
  std::string content_type() {
    std::lock_guard<std::mutex> lock(mutex_);
    return content_type_;
  }

  // The ADC file a user of this endpoint has.
  std::string adc_file() const {
    return std::string(R"({"client_id":"123.apps.googleusercontent.com","client_secret":")") + kSecret +
           R"(","refresh_token":")" + kRefresh + R"(","type":"authorized_user","token_uri":")" + uri_ + "\"}";
  }

 private:
  static void handle(SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer data) {
    auto* self = static_cast<TokenEndpoint*>(data);
    std::lock_guard<std::mutex> lock(self->mutex_);
    ++self->requests_;
    if (g_strcmp0(soup_server_message_get_method(msg), "POST") != 0) {
      soup_server_message_set_status(msg, 405, nullptr);
      return;
    }
    SoupMessageBody* body = soup_server_message_get_request_body(msg);
    g_autofree char* text = g_strndup(body->data, body->length);
    GHashTable* form = soup_form_decode(text);
    self->form_.clear();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, form);
    while (g_hash_table_iter_next(&it, &key, &value)) self->form_[static_cast<char*>(key)] = static_cast<char*>(value);
    g_hash_table_unref(form);
    const char* type = soup_message_headers_get_content_type(soup_server_message_get_request_headers(msg), nullptr);
    self->content_type_ = type ? type : "";
    soup_server_message_set_status(msg, self->status_, nullptr);
    soup_server_message_set_response(msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY, self->body_.data(),
                                     self->body_.size());
  }

  transport::EventLoopThread thread_;
  SoupServer* server_ = nullptr;
  std::string uri_;
  std::mutex mutex_;
  unsigned status_ = 200;
  std::string body_;
  std::map<std::string, std::string> form_;
  std::string content_type_;
  std::atomic<int> requests_{0};
};

}  // namespace geminilive::testing
