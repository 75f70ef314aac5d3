// SPDX-License-Identifier: LGPL-2.1-or-later
// Every way in, on the element (suite auth): gst-launch-1.0 with
// GEMINI_API_KEY=auth_tokens/... and with backend=vertex-ai answers through
// the local server, and its GST_DEBUG=*:6 log holds neither credential;
// need-access-token gives each connection a fresh bearer; the new
// properties' defaults and secrecy.
#include <gst/check/gstcheck.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "elements_util.h"
#include "log_capture.h"
#include "session/ephemeral_token.h"
#include "token_endpoint.h"

using namespace geminilive::testing;
using namespace std::chrono_literals;

namespace {

constexpr char kKey[] = "KEY-5ecret-c0ffee";
constexpr char kBearerA[] = "ya29.bearer-A-5ecret";
constexpr char kBearerB[] = "ya29.bearer-B-5ecret";

ServerOptions keyed() {
  ServerOptions o = fast();
  o.api_key = kKey;
  o.access_tokens = {kBearerA, kBearerB};
  return o;
}

struct Run {
  int status = -1;
  std::string answer;  // what geminilivesrc wrote
  std::string log;     // the GST_DEBUG=*:6 log
  std::string errors;  // gst-launch-1.0's stderr
};

// gst-launch-1.0 answering "What is the weather?" in text through
// geminilivesink `sink_args`, with `env` added to this process's
// environment (which names this build's plugin).
Run launch(TempDir& dir, const std::string& sink_args, const std::vector<std::pair<const char*, std::string>>& env) {
  const std::string question = dir.write("question.txt", "What is the weather?");
  const std::string answer = dir.file("answer.txt");
  const std::string log = dir.file("debug.log");
  g_autofree char* launch = g_find_program_in_path("gst-launch-1.0");
  fail_unless(launch != nullptr, "gst-launch-1.0 is not installed (gstreamer1.0-tools)");
  std::vector<std::string> args = {launch, "-q",     "filesrc",        "location=" + question,
                                   "!",    "s.text", "geminilivesink", "name=s"};
  g_auto(GStrv) extra = g_strsplit(sink_args.c_str(), " ", -1);
  for (char** p = extra; *p; ++p) args.emplace_back(*p);
  for (const char* a : {"geminilivesrc", "stream=text", "!", "filesink"}) args.emplace_back(a);
  args.push_back("location=" + answer);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  char** envp = g_get_environ();
  for (const char* name :
       {"GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_ACCESS_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS"})
    envp = g_environ_unsetenv(envp, name);
  envp = g_environ_setenv(envp, "GST_DEBUG", "*:6", TRUE);
  envp = g_environ_setenv(envp, "GST_DEBUG_FILE", log.c_str(), TRUE);
  envp = g_environ_setenv(envp, "GST_DEBUG_NO_COLOR", "1", TRUE);
  for (const auto& [name, value] : env) envp = g_environ_setenv(envp, name, value.c_str(), TRUE);

  Run run;
  g_autofree char* out = nullptr;
  g_autofree char* err = nullptr;
  g_autoptr(GError) error = nullptr;
  fail_unless(
      g_spawn_sync(nullptr, argv.data(), envp, G_SPAWN_DEFAULT, nullptr, nullptr, &out, &err, &run.status, &error),
      "gst-launch-1.0 did not run: %s", error ? error->message : "");
  g_strfreev(envp);
  run.errors = err ? err : "";
  if (g_file_test(answer.c_str(), G_FILE_TEST_EXISTS)) run.answer = read_file(answer);
  run.log = read_file(log);
  return run;
}

// The log lines holding `secret`.
std::vector<std::string> lines_with(const std::string& log, const std::string& secret) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while ((at = log.find(secret, at)) != std::string::npos) {
    const std::size_t begin = log.rfind('\n', at) == std::string::npos ? 0 : log.rfind('\n', at) + 1;
    const std::size_t end = log.find('\n', at);
    lines.push_back(log.substr(begin, end - begin));
    at = end;
  }
  return lines;
}

}  // namespace

GST_START_TEST(test_launch_with_ephemeral_token) {
  auto server = start_server(keyed());
  TempDir dir;
  geminilive::session::MintRequest m;
  m.base_uri = server->uri();
  m.api_key = kKey;
  auto token = geminilive::session::mint_ephemeral_token_sync(m);
  fail_unless(bool(token));
  Run run = launch(dir, "uri=" + server->uri(), {{"GEMINI_API_KEY", token.value()}});
  fail_unless_equals_int(run.status, 0);
  assert_str(run.answer, reply_to_text("What is the weather?"));
  assert_str(server->stats().last_request_path,
             "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");
  fail_unless(contains(run.log, "geminilive"), "no debug log was written");
  fail_unless(lines_with(run.log, token.value().substr(12)).empty(), "the token is in the debug log: %s",
              lines_with(run.log, token.value().substr(12))[0].c_str());
  fail_unless(lines_with(run.log, kKey).empty());
}
GST_END_TEST;

// backend=vertex-ai: the bearer from GOOGLE_CLOUD_ACCESS_TOKEN is in no
// line; given as access-token= on the command line, only gst-launch-1.0's
// own parser (GStreamer core) logs its command line, never geminilive.
GST_START_TEST(test_launch_with_vertex) {
  auto server = start_server(keyed());
  TempDir dir;
  const std::string vertex = "uri=" + server->uri() + " backend=vertex-ai project=my-proj location=us-central1";
  Run run = launch(dir, vertex, {{"GOOGLE_CLOUD_ACCESS_TOKEN", kBearerA}});
  fail_unless_equals_int(run.status, 0);
  assert_str(run.answer, reply_to_text("What is the weather?"));
  ServerStats s = server->stats();
  assert_str(s.last_request_path, "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent");
  fail_unless(contains(s.last_setup_json,
                       "\"model\":\"projects/my-proj/locations/us-central1/publishers/google/models/"
                       "gemini-3.8-live\""),
              "%s", s.last_setup_json.c_str());
  fail_unless(lines_with(run.log, kBearerA).empty(), "the bearer is in the debug log");

  run = launch(dir, vertex + " access-token=" + kBearerB, {});
  fail_unless_equals_int(run.status, 0);
  fail_unless(server->stats().bearer_tokens == (std::vector<int>{0, 1}));
  const auto lines = lines_with(run.log, kBearerB);
  fail_unless(!lines.empty(), "gst-launch-1.0 no longer logs its command line: tighten this test");
  for (const auto& line : lines)
    fail_unless(contains(line, "gstparse.c") || contains(line, "parse.l:") || contains(line, "gst_parse_unescape"),
                "a line outside GStreamer's parser holds the bearer: %s", line.c_str());

  // A bearer the service does not know: refused, with the hint.
  run = launch(dir, vertex + " access-token=ya29.unknown", {});
  fail_unless(run.status != 0);
  fail_unless(contains(run.errors, "HTTP 401") && contains(run.errors, "GOOGLE_CLOUD_ACCESS_TOKEN"), "%s",
              run.errors.c_str());
}
GST_END_TEST;

static gchar* on_need_access_token(GstElement*, gpointer data) {
  auto* calls = static_cast<std::atomic<int>*>(data);
  return g_strdup((*calls)++ == 0 ? kBearerA : kBearerB);
}

// need-access-token before each connection: after a drop the new
// connection carries the handler's new bearer.
GST_START_TEST(test_need_access_token_on_reconnection) {
  g_unsetenv("GOOGLE_CLOUD_ACCESS_TOKEN");
  auto server = start_server(keyed());
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  g_object_set(sink, "uri", server->uri().c_str(), "project", "my-proj", nullptr);
  gst_util_set_object_arg(G_OBJECT(sink), "backend", "vertex-ai");
  std::atomic<int> calls{0};
  g_signal_connect(sink, "need-access-token", G_CALLBACK(on_need_access_token), &calls);
  GstHarness* h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  server->drop_connection();
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 2; }, kWait), "no second setup");
  gst_harness_teardown(h);
  fail_unless(server->stats().bearer_tokens == (std::vector<int>{0, 1}), "the second connection had no new bearer");
  fail_unless_equals_int(calls.load(), 2);
}
GST_END_TEST;

// need-access-token that takes its time for every connection after the
// first, as a handler that refreshes on demand does: the session's network
// thread waits for it.
static gchar* on_need_access_token_slowly(GstElement*, gpointer data) {
  auto* calls = static_cast<std::atomic<int>*>(data);
  if ((*calls)++ == 0) return g_strdup(kBearerA);
  g_usleep(300 * 1000);
  return g_strdup(kBearerB);
}

// Quiet (no turn starts) and distinct sample by sample, so order shows.
static std::string quiet_distinct_pcm(double seconds) {
  std::string pcm(static_cast<std::size_t>(seconds * 16000) * 2, '\0');
  for (std::size_t i = 0; i < pcm.size() / 2; ++i) {
    const auto sample = static_cast<int16_t>((static_cast<uint32_t>(i * 2654435761u) >> 24) % 201) - 100;
    pcm[2 * i] = static_cast<char>(static_cast<uint16_t>(sample) & 0xFF);
    pcm[2 * i + 1] = static_cast<char>(static_cast<uint16_t>(sample) >> 8);
  }
  return pcm;
}

// A goAway switch while need-access-token takes its time: the next
// connection opens once the handler answers, with its new bearer; live
// input sent meanwhile reaches the resumed state once, in order
// (transparent resumption); neither bearer is in any debug line.
GST_START_TEST(test_go_away_switch_waits_for_the_new_token) {
  g_unsetenv("GOOGLE_CLOUD_ACCESS_TOKEN");
  ServerOptions o = keyed();
  o.go_away_after = 400ms;  // every connection, from its setupComplete
  o.go_away_time_left = 3000ms;
  auto server = start_server(o);
  LogCapture log;
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  g_object_set(sink, "uri", server->uri().c_str(), "project", "my-proj", "session-resumption-transparent", TRUE,
               nullptr);
  gst_util_set_object_arg(G_OBJECT(sink), "backend", "vertex-ai");
  std::atomic<int> calls{0};
  g_signal_connect(sink, "need-access-token", G_CALLBACK(on_need_access_token_slowly), &calls);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  wait_setup_complete(bus);

  // 20 ms chunks in real time until the second connection has the session
  // and a little after.
  const std::string pcm = quiet_distinct_pcm(4.0);
  const std::size_t chunk = 640;
  std::size_t sent = 0;
  gint64 switched_at = 0;
  for (; sent + chunk <= pcm.size(); sent += chunk) {
    push_pcm(h, pcm.substr(sent, chunk), 16000, 0.02, gst_util_uint64_scale(sent / 2, GST_SECOND, 16000));
    g_usleep(20 * 1000);
    if (!switched_at && server->stats().setups >= 2) switched_at = g_get_monotonic_time();
    if (switched_at && g_get_monotonic_time() - switched_at > 200 * 1000) {
      sent += chunk;
      break;
    }
  }
  fail_unless(switched_at != 0, "no second setup while 4 s of audio went in");
  const std::string expected = pcm.substr(0, sent);
  const bool all_in = server->wait_for(
      [&](const ServerStats& s) { return s.setups >= 2 && s.session_audio_bytes >= expected.size(); }, kWait);
  const ServerStats s = server->stats();
  fail_unless(all_in, "the resumed state holds %" G_GUINT64_FORMAT " of %zu bytes", s.session_audio_bytes,
              expected.size());
  std::fprintf(stderr,
               "switch waiting for a token: %zu bytes sent, %" G_GUINT64_FORMAT
               " in the resumed state, %" G_GUINT64_FORMAT " received over %u connections\n",
               expected.size(), s.session_audio_bytes, s.audio_bytes, s.connections);
  fail_unless_equals_uint64(s.session_audio_bytes, expected.size());
  assert_str(s.session_audio_sha256, sha256_hex(expected));
  fail_unless(s.resumed >= 1);
  // The first connection had the first bearer; each one after it the
  // handler's new one.
  fail_unless(s.bearer_tokens.size() >= 2 && s.bearer_tokens[0] == 0, "bearers: %zu", s.bearer_tokens.size());
  for (std::size_t i = 1; i < s.bearer_tokens.size(); ++i) fail_unless_equals_int(s.bearer_tokens[i], 1);
  fail_unless_equals_int(calls.load(), static_cast<int>(s.bearer_tokens.size()));
  gst_harness_teardown(h);
  release_bus(bus);

  const std::string text = log.text();
  fail_unless(contains(text, "need-access-token gave a token"), "the debug log was not captured");
  for (const char* bearer : {kBearerA, kBearerB})
    fail_unless(lines_with(text, bearer).empty(), "a bearer is in the debug log: %s",
                lines_with(text, bearer)[0].c_str());
}
GST_END_TEST;

// What the token endpoint gives: kBearerA, for an hour.
static std::string token_answer() { return std::string(R"({"access_token":")") + kBearerA + R"(","expires_in":3599})"; }

// Neither the client secret, the refresh token nor the bearer in `text`.
static void assert_no_adc_secret(const std::string& text, const char* where) {
  for (const char* secret : {kSecret, kRefresh, kBearerA})
    fail_unless(lines_with(text, secret).empty(), "%s holds a secret: %s", where, lines_with(text, secret)[0].c_str());
}

// Application Default Credentials, no token: gst-launch-1.0 with a
// vertex-ai sink answers over the Vertex path with the bearer the token
// endpoint gave, after one refresh POST; no secret in the GST_DEBUG=*:6 log.
GST_START_TEST(test_launch_with_adc) {
  auto server = start_server(keyed());
  TokenEndpoint endpoint;
  endpoint.answer(200, token_answer());
  TempDir dir;
  const std::string adc = dir.write("adc.json", endpoint.adc_file());
  Run run = launch(dir, "uri=" + server->uri() + " backend=vertex-ai project=my-proj",
                   {{"GOOGLE_APPLICATION_CREDENTIALS", adc}});
  fail_unless_equals_int(run.status, 0);
  assert_str(run.answer, reply_to_text("What is the weather?"));
  ServerStats s = server->stats();
  assert_str(s.last_request_path, "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent");
  fail_unless(s.bearer_tokens == (std::vector<int>{0}), "the connection did not carry the refreshed bearer");
  fail_unless_equals_int(endpoint.requests(), 1);
  assert_str(endpoint.form_field("grant_type"), "refresh_token");
  fail_unless(contains(run.log, "Application Default Credentials"), "no debug log about the credentials");
  assert_no_adc_secret(run.log, "the debug log");
}
GST_END_TEST;

// The token kept (an hour) serves the reconnection after a drop: one
// refresh POST for both connections.
GST_START_TEST(test_adc_token_kept_across_reconnection) {
  g_unsetenv("GOOGLE_CLOUD_ACCESS_TOKEN");
  auto server = start_server(keyed());
  TokenEndpoint endpoint;
  endpoint.answer(200, token_answer());
  TempDir dir;
  g_setenv("GOOGLE_APPLICATION_CREDENTIALS", dir.write("adc.json", endpoint.adc_file()).c_str(), TRUE);
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  g_object_set(sink, "uri", server->uri().c_str(), "project", "my-proj", nullptr);
  gst_util_set_object_arg(G_OBJECT(sink), "backend", "vertex-ai");
  GstHarness* h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  g_unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  server->drop_connection();
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 2; }, kWait), "no second setup");
  gst_harness_teardown(h);
  fail_unless(server->stats().bearer_tokens == (std::vector<int>{0, 0}), "a connection lacked the kept bearer");
  fail_unless_equals_int(endpoint.requests(), 1);
}
GST_END_TEST;

// The token endpoint refuses the refresh (revoked): the pipeline fails
// with an ERROR saying so in words, and no secret anywhere.
GST_START_TEST(test_adc_refusal) {
  auto server = start_server(keyed());
  TokenEndpoint endpoint;
  endpoint.answer(400, R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
  TempDir dir;
  const std::string adc = dir.write("adc.json", endpoint.adc_file());
  Run run = launch(dir, "uri=" + server->uri() + " backend=vertex-ai project=my-proj",
                   {{"GOOGLE_APPLICATION_CREDENTIALS", adc}});
  fail_unless(run.status != 0);
  fail_unless(contains(run.errors, "Application Default Credentials") && contains(run.errors, "invalid_grant") &&
                  contains(run.errors, "expired or revoked") &&
                  contains(run.errors, "gcloud auth application-default login"),
              "%s", run.errors.c_str());
  fail_unless_equals_int(server->stats().setups, 0);
  assert_no_adc_secret(run.errors, "the error");
  assert_no_adc_secret(run.log, "the debug log");
}
GST_END_TEST;

// Credentials that can't be used fail READY->PAUSED in words: a
// service_account file, and a GOOGLE_APPLICATION_CREDENTIALS naming no file.
GST_START_TEST(test_adc_unusable) {
  TempDir dir;
  const std::string service_account = dir.write("sa.json", R"({"type":"service_account","private_key":"k"})");
  struct Case {
    std::string file;
    const char* expected;
  };
  for (const Case& c : {Case{service_account, "service_account credentials need a signed JWT"},
                        Case{dir.file("none.json"), "No Application Default Credentials"}}) {
    g_setenv("GOOGLE_APPLICATION_CREDENTIALS", c.file.c_str(), TRUE);
    g_unsetenv("GOOGLE_CLOUD_ACCESS_TOKEN");
    GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
    g_object_set(sink, "uri", "ws://127.0.0.1:9", "project", "my-proj", nullptr);
    gst_util_set_object_arg(G_OBJECT(sink), "backend", "vertex-ai");
    GstBus* bus = gst_bus_new();
    gst_element_set_bus(sink, bus);
    fail_unless_equals_int(gst_element_set_state(sink, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
    GstMessage* error = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    fail_unless(error != nullptr);
    GError* gerror = nullptr;
    gst_message_parse_error(error, &gerror, nullptr);
    fail_unless(contains(gerror->message, c.expected), "%s", gerror->message);
    g_error_free(gerror);
    gst_message_unref(error);
    gst_element_set_state(sink, GST_STATE_NULL);
    gst_object_unref(bus);
    gst_object_unref(sink);
  }
  g_unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
}
GST_END_TEST;

GST_START_TEST(test_access_properties) {
  g_setenv("GOOGLE_CLOUD_ACCESS_TOKEN", kBearerA, TRUE);
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  g_unsetenv("GOOGLE_CLOUD_ACCESS_TOKEN");
  assert_str(string_property(sink, "access-token"), "***");  // from the environment, never readable
  assert_str(string_property(sink, "location"), "global");
  assert_str(string_property(sink, "project"), "(null)");
  gint backend = -1;
  g_object_get(sink, "backend", &backend, nullptr);
  fail_unless_equals_int(backend, 0);
  g_object_set(sink, "access-token", kBearerB, "location", "", nullptr);
  assert_str(string_property(sink, "access-token"), "***");
  assert_str(string_property(sink, "location"), "global");  // empty restores the default
  GParamSpec* spec = g_object_class_find_property(G_OBJECT_GET_CLASS(sink), "access-token");
  fail_unless(g_param_spec_get_default_value(spec) && !g_value_get_string(g_param_spec_get_default_value(spec)));
  gst_object_unref(sink);
}
GST_END_TEST;

static Suite* elements_auth_suite() {
  Suite* s = suite_create("elements_auth");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_launch_with_ephemeral_token);
  tcase_add_test(tc, test_launch_with_vertex);
  tcase_add_test(tc, test_need_access_token_on_reconnection);
  tcase_add_test(tc, test_go_away_switch_waits_for_the_new_token);
  tcase_add_test(tc, test_access_properties);
  tcase_add_test(tc, test_launch_with_adc);
  tcase_add_test(tc, test_adc_token_kept_across_reconnection);
  tcase_add_test(tc, test_adc_refusal);
  tcase_add_test(tc, test_adc_unusable);
  return s;
}

GST_CHECK_MAIN(elements_auth);
