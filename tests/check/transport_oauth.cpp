// SPDX-License-Identifier: LGPL-2.1-or-later
// Application Default Credentials (authorized_user): the file, the refresh
// POST as a token endpoint receives it (a loopback soup server standing in
// for oauth2.googleapis.com), the token kept until a minute before expiry,
// the endpoint's refusal in words without any secret, and the kinds we refuse.
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <libsoup/soup.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "check_util.h"
#include "protocol/oauth.h"
#include "token_endpoint.h"
#include "transport/event_loop_thread.h"
#include "transport/oauth_refresh.h"

using namespace geminilive;
using testing::kRefresh;
using testing::kSecret;
using testing::TokenEndpoint;
using transport::AdcCredentials;

namespace {

// `contents` in a file of its own; removed with the object.
struct TempFile {
  explicit TempFile(const std::string& contents) {
    g_autoptr(GError) error = nullptr;
    int fd = g_file_open_tmp("adc-XXXXXX.json", &path_, &error);
    fail_unless(fd >= 0);
    close(fd);
    fail_unless(g_file_set_contents(path_, contents.c_str(), -1, nullptr));
  }
  ~TempFile() {
    g_unlink(path_);
    g_free(path_);
  }
  std::string path() const { return path_; }
  char* path_ = nullptr;
};

AdcCredentials credentials(const std::string& file_contents) {
  TempFile file(file_contents);
  std::string error;
  auto adc = AdcCredentials::from_file(file.path(), error);
  fail_unless(adc.has_value(), "refused: %s", error.c_str());
  return *adc;
}

void assert_no_secret(const std::string& text) {
  fail_if(text.find(kSecret) != std::string::npos, "the client secret leaked: %s", text.c_str());
  fail_if(text.find(kRefresh) != std::string::npos, "the refresh token leaked: %s", text.c_str());
  fail_if(text.find("refresh-token") != std::string::npos, "part of the refresh token leaked: %s", text.c_str());
}

}  // namespace

GST_START_TEST(test_refresh_posts_the_form_and_keeps_the_token) {
  TokenEndpoint endpoint;
  endpoint.answer(200, R"({"access_token":"ya29.fresh","expires_in":3599,"scope":"x","token_type":"Bearer"})");
  AdcCredentials adc = credentials(endpoint.adc_file());
  std::string error;
  const auto before = AdcCredentials::Clock::now();
  auto token = adc.fetch_sync(error);
  fail_unless(token.has_value(), "%s", error.c_str());
  assert_str(token->value, "ya29.fresh");
  const auto valid = std::chrono::duration_cast<std::chrono::seconds>(token->expiry - before).count();
  fail_unless(valid >= 3590 && valid <= 3600, "valid for %llds", static_cast<long long>(valid));
  // The refresh grant, every value form-encoded on the way.
  fail_unless_equals_int(endpoint.requests(), 1);
  assert_str(endpoint.content_type(), "application/x-www-form-urlencoded");
  assert_str(endpoint.form_field("grant_type"), "refresh_token");
  assert_str(endpoint.form_field("client_id"), "123.apps.googleusercontent.com");
  assert_str(endpoint.form_field("client_secret"), kSecret);
  assert_str(endpoint.form_field("refresh_token"), kRefresh);

  fail_unless(adc.kept().has_value());
  assert_str(adc.kept()->value, "ya29.fresh");
  // Kept: the next fetch asks nobody.
  endpoint.answer(200, R"({"access_token":"ya29.second","expires_in":3599})");
  assert_str(adc.fetch_sync(error)->value, "ya29.fresh");
  fail_unless_equals_int(endpoint.requests(), 1);
  // A callback may ask for the token again (no lock is held while it runs).
  GMainContextPtr context(g_main_context_new());
  g_main_context_push_thread_default(context.get());
  bool asked = false;
  adc.fetch(context.get(), [&](const AdcCredentials::Token&, const std::string&) { asked = adc.kept().has_value(); });
  while (!asked) g_main_context_iteration(context.get(), TRUE);
  g_main_context_pop_thread_default(context.get());
}
GST_END_TEST;

// A token within a minute of its expiry is refreshed; fetch() answers on the
// thread of the context it was given.
GST_START_TEST(test_refresh_near_expiry_on_a_loop_thread) {
  TokenEndpoint endpoint;
  endpoint.answer(200, R"({"access_token":"ya29.short","expires_in":30})");
  AdcCredentials adc = credentials(endpoint.adc_file());
  transport::EventLoopThread loop("oauth-client");
  fail_if(adc.kept().has_value());  // nothing fetched yet
  for (const char* want : {"ya29.short", "ya29.next"}) {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false, on_loop = false;
    std::string got, error;
    adc.fetch(loop.context(), [&](const AdcCredentials::Token& t, const std::string& e) {
      std::lock_guard<std::mutex> lock(mutex);
      on_loop = loop.is_current();
      got = t.value;
      error = e;
      done = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(mutex);
    fail_unless(cv.wait_for(lock, std::chrono::seconds(20), [&] { return done; }), "no answer");
    fail_unless(error.empty(), "%s", error.c_str());
    fail_unless(on_loop, "the callback ran off the loop thread");
    assert_str(got, want);
    // 30 s left is within the refresh margin: not handed out as kept.
    if (std::string(want) == "ya29.short") fail_if(adc.kept().has_value());
    endpoint.answer(200, R"({"access_token":"ya29.next","expires_in":3599})");
  }
  fail_unless_equals_int(endpoint.requests(), 2);
  fail_unless(adc.kept().has_value());
}
GST_END_TEST;

// The endpoint's refusal, in its words and with a hint; no secret in it even
// when the endpoint echoes one.
GST_START_TEST(test_refusal_in_words_without_secrets) {
  TokenEndpoint endpoint;
  endpoint.answer(400,
                  std::string(R"({"error":"invalid_grant","error_description":"Token has been expired or revoked: )") +
                      kRefresh + "\"}");
  AdcCredentials adc = credentials(endpoint.adc_file());
  std::string error;
  fail_if(adc.fetch_sync(error).has_value());
  fail_unless(error.find("HTTP 400 invalid_grant: Token has been expired or revoked") != std::string::npos, "%s",
              error.c_str());
  fail_unless(error.find("gcloud auth application-default login") != std::string::npos, "%s", error.c_str());
  assert_no_secret(error);

  endpoint.answer(503, "<html>busy</html>");
  fail_if(adc.fetch_sync(error).has_value());
  fail_unless(error.find("HTTP 503") != std::string::npos, "%s", error.c_str());
  endpoint.answer(200, R"({"token_type":"Bearer"})");
  fail_if(adc.fetch_sync(error).has_value());
  assert_str(error, "the token endpoint's answer has no access_token");

  // Nobody listening.
  std::string file = endpoint.adc_file();
  const auto port_at = file.find("127.0.0.1:");
  file.replace(port_at, file.find("/token") - port_at, "127.0.0.1:1");
  fail_if(credentials(file).fetch_sync(error).has_value());
  fail_unless(error.rfind("could not reach the token endpoint: ", 0) == 0, "%s", error.c_str());
  assert_no_secret(error);
}
GST_END_TEST;

// The files we read, the kinds we refuse, where we look.
GST_START_TEST(test_adc_files) {
  const std::pair<const char*, const char*> refused[] = {
      {R"({"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----","client_email":"a@b"})",
       "service_account credentials need a signed JWT, unsupported: use `gcloud auth application-default login` or "
       "pass access-token"},
      {R"({"type":"external_account","audience":"x"})",
       "external_account credentials are not supported (only authorized_user): run `gcloud auth "
       "application-default login`, or pass an access token"},
      {R"({"client_id":"c","client_secret":"s","refresh_token":"r"})",
       "credentials without a type are not supported (only authorized_user): run `gcloud auth "
       "application-default login`, or pass an access token"},
      {R"({"type":"authorized_user","client_id":"c","client_secret":"s"})",
       "the authorized_user credentials lack refresh_token: run `gcloud auth application-default login`, or pass an "
       "access token"},
      {R"({"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r",)"
       R"("token_uri":"http://evil.example/token"})",
       "the credentials' token_uri must be https:// (or http:// on the loopback)"},
      {R"({"type":"authorized_user","client_id":7})",
       "the credentials file: client_id: expected a string, got a number"},
  };
  for (const auto& [text, want] : refused) {
    auto user = protocol::parse_adc_file(text);
    fail_if(user.ok(), "accepted: %s", text);
    assert_str(user.error(), want);
  }
  auto user = protocol::parse_adc_file(
      R"({"account":"","client_id":"c.apps","client_secret":"cs","quota_project_id":"q","refresh_token":"rt",)"
      R"("type":"authorized_user","universe_domain":"googleapis.com"})");
  fail_unless(user.ok(), "%s", user.ok() ? "" : user.error().c_str());
  assert_str(user->token_uri, "https://oauth2.googleapis.com/token");
  const std::string form = protocol::refresh_request_body(user.value());
  assert_str(form, "grant_type=refresh_token&client_id=c.apps&client_secret=cs&refresh_token=rt");

  // GOOGLE_APPLICATION_CREDENTIALS first; the file's path names what is wrong.
  TempFile service_account(R"({"type":"service_account"})");
  g_setenv("GOOGLE_APPLICATION_CREDENTIALS", service_account.path().c_str(), TRUE);
  assert_str(AdcCredentials::default_path(), service_account.path().c_str());
  std::string error;
  fail_if(AdcCredentials::load(error).has_value());
  fail_unless(error.find(service_account.path()) != std::string::npos && error.find("signed JWT") != std::string::npos,
              "%s", error.c_str());
  g_setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json", TRUE);
  fail_if(AdcCredentials::load(error).has_value());
  fail_unless(error.rfind("no Application Default Credentials (", 0) == 0, "%s", error.c_str());
  g_unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  fail_unless(
      g_str_has_suffix(AdcCredentials::default_path().c_str(), "/.config/gcloud/application_default_credentials.json"));
}
GST_END_TEST;

static Suite* transport_oauth_suite(void) {
  Suite* s = suite_create("transport_oauth");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_refresh_posts_the_form_and_keeps_the_token);
  tcase_add_test(tc, test_refresh_near_expiry_on_a_loop_thread);
  tcase_add_test(tc, test_refusal_in_words_without_secrets);
  tcase_add_test(tc, test_adc_files);
  return s;
}

GST_CHECK_MAIN(transport_oauth);
