// SPDX-License-Identifier: LGPL-2.1-or-later
#include "vertex_token.h"

#include <glib.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "transport/oauth_refresh.h"

namespace geminilive::assistant {

namespace {

constexpr char kEnvironment[] = "GOOGLE_CLOUD_ACCESS_TOKEN";

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && g_ascii_isspace(s.back())) s.pop_back();
  return s;
}

// gcloud's first line of complaint ("ERROR: (gcloud.auth.print-access-token)
// You do not currently have an active account selected.").
std::string first_line(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    std::string line = trimmed(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start).c_str());
    if (!line.empty()) return line;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return "";
}

std::string fetch_from_gcloud(std::string* error) {
  const char* argv[] = {"gcloud", "auth", "print-access-token", nullptr};
  g_autofree char* out = nullptr;
  g_autofree char* err = nullptr;
  int status = 0;
  g_autoptr(GError) spawn_error = nullptr;
  if (!g_spawn_sync(nullptr, const_cast<char**>(argv), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr, &out, &err,
                    &status, &spawn_error)) {
    *error = std::string("cannot run gcloud: ") + spawn_error->message;
    return "";
  }
  std::string token = trimmed(out);
  if (!g_spawn_check_wait_status(status, nullptr) || token.empty() || token.find('\n') != std::string::npos) {
    const std::string why = first_line(err ? err : "");
    *error = "`gcloud auth print-access-token` gave no token" + (why.empty() ? std::string() : ": " + why) +
             " (run `gcloud auth login`)";
    return "";
  }
  return token;
}

}  // namespace

TokenSource find_token_source() {
  TokenSource source;
  if (const char* token = g_getenv(kEnvironment); token && *token) {
    source.kind = TokenSource::Kind::Environment;
    source.description = kEnvironment;
    return source;
  }
  const std::string adc_path = transport::AdcCredentials::default_path();
  std::string adc_problem;
  if (transport::AdcCredentials::load(adc_problem)) {
    source.kind = TokenSource::Kind::Adc;
    source.description = "Application Default Credentials (" + adc_path + ")";
    return source;
  }
  // A file that is there but unusable is worth saying; a missing one is not.
  if (g_file_test(adc_path.c_str(), G_FILE_TEST_EXISTS)) source.problem = adc_problem;
  if (g_autofree char* gcloud = g_find_program_in_path("gcloud")) {
    source.kind = TokenSource::Kind::Gcloud;
    source.description = std::string("`gcloud auth print-access-token` (") + gcloud + ")";
    return source;
  }
  source.problem = std::string("--vertex needs an OAuth access token: set ") + kEnvironment +
                   ", run `gcloud auth application-default login`, or install the gcloud CLI" +
                   (source.problem.empty() ? std::string() : " (" + source.problem + ")");
  return source;
}

std::string fetch_access_token(const TokenSource& source, std::string* error, std::unique_ptr<AdcTokenKeeper>* keeper) {
  switch (source.kind) {
    case TokenSource::Kind::Environment:
      return trimmed(g_getenv(kEnvironment));
    case TokenSource::Kind::Adc: {
      std::string why;
      auto adc = transport::AdcCredentials::load(why);
      std::optional<transport::AdcCredentials::Token> token;
      if (adc) token = adc->fetch_sync(why);
      if (!token) {
        *error = "Application Default Credentials: " + why;
        return "";
      }
      *keeper = std::make_unique<AdcTokenKeeper>(*adc);
      return token->value;
    }
    case TokenSource::Kind::Gcloud:
      return fetch_from_gcloud(error);
    case TokenSource::Kind::None:
      break;
  }
  *error = source.problem;
  return "";
}

namespace {

// Refresh when less than this is left: well ahead of the hour a token lasts.
constexpr std::chrono::seconds kRefreshAhead{300};

}  // namespace

AdcTokenKeeper::~AdcTokenKeeper() {
  *alive_ = false;
  if (timer_) g_source_remove(timer_);
  if (sink_) {
    g_signal_handler_disconnect(sink_, handler_);
    gst_object_unref(sink_);
  }
}

void AdcTokenKeeper::attach(GstElement* pipeline) {
  GstIterator* it = gst_bin_iterate_all_by_element_factory_name(GST_BIN(pipeline), "geminilivesink");
  GValue item = G_VALUE_INIT;
  if (it && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    sink_ = GST_ELEMENT(g_value_dup_object(&item));
    g_value_unset(&item);
  }
  if (it) gst_iterator_free(it);
  if (!sink_) return;
  handler_ = g_signal_connect(sink_, "need-access-token", G_CALLBACK(on_need_token), this);
  schedule();
}

gchar* AdcTokenKeeper::on_need_token(GstElement*, gpointer self) {
  auto token = static_cast<AdcTokenKeeper*>(self)->adc_.kept();
  return token ? g_strdup(token->value.c_str()) : nullptr;  // NULL: the access-token property's
}

void AdcTokenKeeper::schedule() {
  using std::chrono::milliseconds;
  auto token = adc_.kept();
  milliseconds wait = std::chrono::seconds(30);  // after a failed refresh
  if (token) {
    wait = std::chrono::duration_cast<milliseconds>(token->expiry - transport::AdcCredentials::Clock::now() -
                                                    kRefreshAhead);
    wait = std::max(wait, milliseconds(1000));
  }
  // Milliseconds, not g_timeout_add_seconds(): its coarse wakeups could
  // leave a token past its refresh time for up to another second.
  timer_ = g_timeout_add(static_cast<guint>(wait.count()), on_check, this);
}

gboolean AdcTokenKeeper::on_check(gpointer data) {
  auto* self = static_cast<AdcTokenKeeper*>(data);
  self->timer_ = 0;
  std::weak_ptr<bool> alive = self->alive_;
  self->adc_.fetch(
      g_main_context_default(),
      [self, alive](const transport::AdcCredentials::Token&, const std::string& error) {
        if (alive.expired() || !*alive.lock()) return;
        if (!error.empty()) std::printf("[warning] could not refresh the access token: %s\n", error.c_str());
        self->schedule();
      },
      kRefreshAhead);
  return G_SOURCE_REMOVE;
}

}  // namespace geminilive::assistant
