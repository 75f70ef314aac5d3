// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/oauth_refresh.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <libsoup/soup.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "common/gobject_ptr.h"
#include "protocol/oauth.h"

GST_DEBUG_CATEGORY_STATIC(oauth_debug);
#define GST_CAT_DEFAULT oauth_debug

namespace geminilive::transport {

namespace {

// A token this close to its expiry is refreshed instead of handed out.
constexpr std::chrono::seconds kExpiryMargin{60};
constexpr guint kRequestTimeoutS = 30;

void init_debug() {
  static std::once_flag once;
  std::call_once(once, [] { GST_DEBUG_CATEGORY_INIT(oauth_debug, "geminilive-oauth", 0, "OAuth token refresh"); });
}

}  // namespace

struct AdcCredentials::State {
  protocol::AuthorizedUser user;
  std::string path;  // for messages
  std::mutex mutex;
  Token kept;
};

namespace {

struct Job {
  std::shared_ptr<AdcCredentials::State> state;
  AdcCredentials::Callback done;
  GMainContext* context = nullptr;  // a reference
  std::chrono::seconds min_validity{kExpiryMargin};
  GObjectPtr<SoupSession> session;
  GObjectPtr<SoupMessage> message;

  ~Job() { g_main_context_unref(context); }
  void finish(const AdcCredentials::Token& token, const std::string& error) {
    if (!error.empty()) GST_WARNING("token refresh failed: %s", error.c_str());
    done(token, error);
    delete this;
  }
};

void on_answer(GObject* source, GAsyncResult* result, gpointer data) {
  auto* job = static_cast<Job*>(data);
  g_autoptr(GError) error = nullptr;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
  if (!body) {
    // libsoup's words name the host, never the form body.
    return job->finish({}, std::string("could not reach the token endpoint: ") + error->message);
  }
  gsize size = 0;
  const char* data_ptr = static_cast<const char*>(g_bytes_get_data(body, &size));
  auto token = protocol::parse_token_response(soup_message_get_status(job->message.get()),
                                              std::string_view(data_ptr ? data_ptr : "", size), job->state->user);
  if (!token) return job->finish({}, token.error());
  AdcCredentials::Token fresh{token->token, AdcCredentials::Clock::now() + token->expires_in};
  {
    std::lock_guard<std::mutex> lock(job->state->mutex);
    job->state->kept = fresh;
  }
  GST_INFO("access token refreshed, valid for %llds", static_cast<long long>(token->expires_in.count()));
  job->finish(fresh, "");
}

gboolean start(gpointer data) {
  auto* job = static_cast<Job*>(data);
  std::optional<AdcCredentials::Token> kept;
  {
    std::lock_guard<std::mutex> lock(job->state->mutex);
    const auto& token = job->state->kept;
    if (!token.value.empty() && token.expiry - AdcCredentials::Clock::now() >= job->min_validity) kept = token;
  }
  // Outside the lock: `done` may ask for the token again.
  if (kept) {
    job->finish(*kept, "");
    return G_SOURCE_REMOVE;
  }
  // libsoup 3 binds a session to the thread-default context of its creator.
  g_main_context_push_thread_default(job->context);
  job->session.reset(soup_session_new_with_options("timeout", kRequestTimeoutS, nullptr));
  job->message.reset(soup_message_new("POST", job->state->user.token_uri.c_str()));
  if (job->message) {
    const std::string form = protocol::refresh_request_body(job->state->user);
    g_autoptr(GBytes) body = g_bytes_new(form.data(), form.size());
    soup_message_set_request_body_from_bytes(job->message.get(), "application/x-www-form-urlencoded", body);
    soup_message_headers_replace(soup_message_get_request_headers(job->message.get()), "Accept", "application/json");
    soup_session_send_and_read_async(job->session.get(), job->message.get(), G_PRIORITY_DEFAULT, nullptr, on_answer,
                                     job);
  }
  g_main_context_pop_thread_default(job->context);
  if (!job->message) job->finish({}, "the credentials' token_uri is not a valid URI");
  return G_SOURCE_REMOVE;
}

std::optional<std::string> read_file(const std::string& path, std::string& error) {
  g_autofree char* contents = nullptr;
  gsize size = 0;
  g_autoptr(GError) read_error = nullptr;
  if (!g_file_get_contents(path.c_str(), &contents, &size, &read_error)) {
    error = read_error->message;
    return std::nullopt;
  }
  return std::string(contents, size);
}

}  // namespace

std::string AdcCredentials::default_path() {
  if (const char* path = g_getenv("GOOGLE_APPLICATION_CREDENTIALS"); path && *path) return path;
  g_autofree char* path =
      g_build_filename(g_get_home_dir(), ".config", "gcloud", "application_default_credentials.json", nullptr);
  return path;
}

std::optional<AdcCredentials> AdcCredentials::load(std::string& error) { return from_file(default_path(), error); }

std::optional<AdcCredentials> AdcCredentials::from_file(const std::string& path, std::string& error) {
  init_debug();
  std::string why;
  auto text = read_file(path, why);
  if (!text) {
    error = "no Application Default Credentials (" + why + ")";
    return std::nullopt;
  }
  auto user = protocol::parse_adc_file(*text);
  if (!user) {
    error = "Application Default Credentials " + path + ": " + user.error();
    return std::nullopt;
  }
  auto state = std::make_shared<State>();
  state->user = std::move(user).value();
  state->path = path;
  GST_INFO("Application Default Credentials from %s (authorized_user)", path.c_str());
  return AdcCredentials(std::move(state));
}

std::optional<AdcCredentials::Token> AdcCredentials::kept() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (state_->kept.value.empty() || state_->kept.expiry - Clock::now() < kExpiryMargin) return std::nullopt;
  return state_->kept;
}

void AdcCredentials::fetch(GMainContext* context, Callback done, std::chrono::seconds min_validity) const {
  auto* job = new Job{state_, std::move(done), g_main_context_ref(context), std::max(min_validity, kExpiryMargin)};
  g_main_context_invoke_full(context, G_PRIORITY_DEFAULT, start, job, nullptr);
}

std::optional<AdcCredentials::Token> AdcCredentials::fetch_sync(std::string& error) const {
  // The request is the only thing on this context, bounded by the session's
  // timeout; fetch() starts it at once, the context being free.
  GMainContextPtr context(g_main_context_new());
  // libsoup starts later steps on the thread-default context.
  g_main_context_push_thread_default(context.get());
  bool finished = false;
  Token token;
  fetch(context.get(), [&](const Token& t, const std::string& e) {
    finished = true;
    token = t;
    error = e;
  });
  while (!finished) g_main_context_iteration(context.get(), TRUE);
  g_main_context_pop_thread_default(context.get());
  if (!error.empty()) return std::nullopt;
  return token;
}

}  // namespace geminilive::transport
