// SPDX-License-Identifier: LGPL-2.1-or-later
// Every way in, on the element (suite auth): gst-launch-1.0 with
// GEMINI_API_KEY=auth_tokens/... and with backend=vertex-ai answers through
// the local server, and its GST_DEBUG=*:6 log holds neither credential;
// need-access-token gives each connection a fresh bearer; the new
// properties' defaults and secrecy.
#include <gst/check/gstcheck.h>

#include <atomic>
#include <string>
#include <vector>

#include "elements_util.h"
#include "session/ephemeral_token.h"

using namespace geminilive::testing;

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
  for (const char* name : {"GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_ACCESS_TOKEN"})
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
  tcase_add_test(tc, test_access_properties);
  return s;
}

GST_CHECK_MAIN(elements_auth);
