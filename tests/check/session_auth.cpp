// SPDX-License-Identifier: LGPL-2.1-or-later
// Every way in (suite auth): the endpoint a configuration builds (host-only
// and full URIs; API key, ephemeral token, Vertex bearer and express), its
// checks and refusal hints, the redaction of tokens, and sessions through
// the in-process server on the Constrained method (tokens minted over REST)
// and the Vertex path (a fresh bearer per connection), with the whole debug
// log captured and searched for the secrets.
#include <gst/check/gstcheck.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "log_capture.h"
#include "protocol/auth_token_request.h"
#include "session/close_errors.h"
#include "session/endpoint.h"
#include "session/ephemeral_token.h"
#include "session/session_error.h"
#include "session_util.h"
#include "token_store.h"
#include "transport/handshake.h"

using namespace geminilive::testing;
using Kind = SessionError::Kind;

namespace {

constexpr char kKey[] = "KEY-5ecret-c0ffee";
constexpr char kBearerA[] = "ya29.bearer-A-5ecret";
constexpr char kBearerB[] = "ya29.bearer-B-5ecret";

SessionConfig vertex_config(const std::string& uri) {
  SessionConfig c;
  c.uri = uri;
  c.backend = protocol::Backend::VertexAi;
  c.project = "my-proj";
  c.location = "us-central1";
  c.access_token = kBearerA;
  c.setup.model = kModel;
  return c;
}

std::string mint(const LiveServer& server, protocol::AuthTokenRequest request = {}) {
  MintRequest m;
  m.base_uri = server.uri();
  m.api_key = kKey;
  m.token = std::move(request);
  auto token = mint_ephemeral_token_sync(std::move(m));
  fail_unless(bool(token), "minting failed: %s", token ? "" : token.error().c_str());
  return token.value();
}

ServerOptions keyed() {
  ServerOptions o = opts();
  o.api_key = kKey;
  o.access_tokens = {kBearerA, kBearerB};
  return o;
}

// A text question answered in text on a session of `config`; the answer.
std::string ask(SessionConfig config, const std::shared_ptr<Events>& events, const char* question = "hello") {
  config.setup.generation_config = protocol::GenerationConfig{};
  config.setup.generation_config->response_modalities = {"TEXT"};
  config.connect_timeout = 5s;
  auto session = start_session(config, events);
  events->wait_state(SessionState::Ready);
  session->send(protocol::RealtimeInput::with_text(question));
  events->wait_message(is_turn_complete);
  session->stop();
  return events->reply_text();
}

}  // namespace

// ---- endpoints, names, checks ----

GST_START_TEST(test_endpoint_table) {
  SessionConfig c;
  c.api_key = "AIza-key";
  struct Row {
    const char* uri;
    const char* expected;
  };
  // API key: host-only URIs get the v1beta path; full URLs stay.
  for (Row r : {Row{"ws://127.0.0.1:9",
                    "ws://127.0.0.1:9/ws/google.ai.generativelanguage.v1beta.GenerativeService."
                    "BidiGenerateContent"},
                Row{"wss://example.test/",
                    "wss://example.test/ws/google.ai.generativelanguage.v1beta."
                    "GenerativeService.BidiGenerateContent"},
                Row{kDefaultUri, kDefaultUri}, Row{"ws://h:1/custom/path", "ws://h:1/custom/path"}}) {
    c.uri = r.uri;
    Endpoint e = session_endpoint(c);
    assert_str(e.uri, r.expected);
    assert_str(e.api_key, "AIza-key");
    fail_unless(e.headers.empty() && e.credential == Credential::ApiKey);
  }

  // Ephemeral token: v1alpha Constrained with the token as access_token,
  // never as x-goog-api-key; a full URL keeps its path and gets the query.
  c.api_key = "auth_tokens/abc-123";
  c.uri = "ws://127.0.0.1:9/";
  Endpoint e = session_endpoint(c);
  assert_str(e.uri,
             "ws://127.0.0.1:9/ws/google.ai.generativelanguage.v1alpha.GenerativeService."
             "BidiGenerateContentConstrained?access_token=auth_tokens/abc-123");
  fail_unless(e.api_key.empty() && e.headers.empty() && e.credential == Credential::EphemeralToken);
  c.uri = kDefaultUri;
  assert_str(session_endpoint(c).uri,
             "wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1alpha.GenerativeService."
             "BidiGenerateContentConstrained?access_token=auth_tokens/abc-123");
  c.uri = "ws://h:1/proxy?x=1";
  assert_str(session_endpoint(c).uri, "ws://h:1/proxy?x=1&access_token=auth_tokens/abc-123");

  // Vertex: the location's host (global, multi-regional, regional), the
  // LlmBidiService path, the bearer in Authorization.
  SessionConfig v = vertex_config(kDefaultUri);
  for (Row r : {Row{"global", "wss://aiplatform.googleapis.com"}, Row{"us", "wss://aiplatform.us.rep.googleapis.com"},
                Row{"eu", "wss://aiplatform.eu.rep.googleapis.com"},
                Row{"europe-west4", "wss://europe-west4-aiplatform.googleapis.com"}}) {
    v.location = r.uri;
    e = session_endpoint(v);
    assert_str(e.uri,
               std::string(r.expected) + "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent");
    fail_unless_equals_int(e.headers.size(), 1);
    assert_str(e.headers[0].first, "Authorization");
    assert_str(e.headers[0].second, std::string("Bearer ") + kBearerA);
    fail_unless(e.api_key.empty() && e.credential == Credential::VertexBearer);
  }
  v.uri = "ws://127.0.0.1:9";
  assert_str(session_endpoint(v).uri,
             "ws://127.0.0.1:9/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent");
  // Express mode: an API key, no project, no bearer.
  v.access_token.clear();
  v.project.clear();
  v.api_key = "AIza-key";
  e = session_endpoint(v);
  fail_unless(e.credential == Credential::VertexApiKey);
  assert_str(e.api_key, "AIza-key");
  fail_unless(e.headers.empty());
}
GST_END_TEST;

GST_START_TEST(test_model_names) {
  SessionConfig c;
  c.setup.model = "models/gemini-3.8-live";
  assert_str(session_model_name(c), "models/gemini-3.8-live");
  c.setup.model = "gemini-3.8-live";
  assert_str(session_model_name(c), "models/gemini-3.8-live");
  SessionConfig v = vertex_config("ws://h:1");
  v.setup.model = "models/gemini-3.8-live";
  assert_str(session_model_name(v), "projects/my-proj/locations/us-central1/publishers/google/models/gemini-3.8-live");
  v.setup.model = "gemini-3.8-live";
  assert_str(session_model_name(v), "projects/my-proj/locations/us-central1/publishers/google/models/gemini-3.8-live");
  v.setup.model = "projects/other/locations/eu/publishers/google/models/m";
  assert_str(session_model_name(v), "projects/other/locations/eu/publishers/google/models/m");
  v.project.clear();
  v.setup.model = "models/gemini-3.8-live";
  assert_str(session_model_name(v), "publishers/google/models/gemini-3.8-live");
  // Idempotent: a name already made passes unchanged.
  v.project = "my-proj";
  v.setup.model = session_model_name(v);
  assert_str(session_model_name(v), "projects/my-proj/locations/us-central1/publishers/google/models/gemini-3.8-live");
}
GST_END_TEST;

GST_START_TEST(test_config_problems) {
  auto problem = [](const SessionConfig& c) {
    auto error = check_config(c);
    const std::string text = error ? error->message : "";
    fail_unless(!contains(text, "5ecret"), "a secret leaked: %s", text.c_str());
    return text;
  };
  SessionConfig c;
  c.setup.model = "models/gemini-3.8-live";
  fail_unless(contains(problem(c), "No API key for Gemini Live"));
  c.access_token = kBearerA;
  fail_unless(contains(problem(c), "An access token is for backend=vertex-ai"));
  c.api_key = "auth_tokens/bad token 5ecret";
  fail_unless(contains(problem(c), "The ephemeral token is malformed"));
  c.api_key = "AIza-5ecret\r\nX-Evil: 1";
  fail_unless(contains(problem(c), "characters an HTTP header can't carry"));
  c.api_key = "auth_tokens/fine";
  assert_str(problem(c), "");

  SessionConfig v = vertex_config("ws://h:1");
  assert_str(problem(v), "");
  v.project.clear();
  fail_unless(contains(problem(v), "Vertex AI needs a project"));
  v.project = "my-proj";
  v.location = "us-central1/../x";
  fail_unless(contains(problem(v), "is not a Google Cloud location"));
  v.location = "global";
  v.access_token.clear();
  fail_unless(contains(problem(v), "No access token for Vertex AI"));
  // ... naming every way in, Application Default Credentials included.
  fail_unless(contains(problem(v), "need-access-token") &&
              contains(problem(v), "gcloud auth application-default login") &&
              contains(problem(v), "GOOGLE_APPLICATION_CREDENTIALS"));
  v.api_key = "AIza-5ecret";
  fail_unless(contains(problem(v), "needs an OAuth access token"));
  v.api_key = "auth_tokens/5ecret";
  fail_unless(contains(problem(v), "works only with backend=gemini-api"));
  v.api_key.clear();
  v.access_token_provider = [] { return std::string(kBearerA); };
  assert_str(problem(v), "");
}
GST_END_TEST;

GST_START_TEST(test_token_redaction_and_hints) {
  const std::string uri =
      "ws://h:1/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained"
      "?access_token=auth_tokens/5ecret&alt=x";
  const std::string redacted = geminilive::transport::redact_uri(uri);
  fail_unless(!contains(redacted, "5ecret"), "%s", redacted.c_str());
  fail_unless(contains(redacted, "access_token=<redacted>&alt=x"), "%s", redacted.c_str());
  assert_str(shown_uri(uri),
             "ws://h:1/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");

  geminilive::transport::CloseInfo info;
  info.kind = geminilive::transport::CloseInfo::Kind::Closed;
  info.code = 1008;
  info.reason = geminilive::mock::kTokenExpired;
  SessionError e = error_for_close(info, uri, Credential::EphemeralToken);
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless(contains(e.message, "mint a new one (geminilive-token)"), "%s", e.message.c_str());
  fail_unless(!contains(e.message, "5ecret"));
  info.kind = geminilive::transport::CloseInfo::Kind::ConnectFailed;
  info.code = 1006;
  info.http_status = 401;
  info.reason = "The server did not accept the WebSocket handshake. (HTTP 401 Unauthorized)";
  e = error_for_close(info, "wss://aiplatform.googleapis.com/ws/x", Credential::VertexBearer);
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless(contains(e.message, "GOOGLE_CLOUD_ACCESS_TOKEN"), "%s", e.message.c_str());
  fail_unless(close_is_final(info, false));
}
GST_END_TEST;

// The body geminilive-token sends, as the SDK's converters build it
// (live-protocol-2026.md §4 table).
GST_START_TEST(test_token_request_body) {
  protocol::AuthTokenRequest r;
  r.uses = 1;
  r.expire_time = "2026-12-01T00:30:00Z";
  r.new_session_expire_time = "2026-12-01T00:01:00Z";
  assert_str(protocol::encode_auth_token_request(r),
             "{\"expireTime\":\"2026-12-01T00:30:00Z\",\"newSessionExpireTime\":\"2026-12-01T00:01:00Z\",\"uses\":1}");
  protocol::Setup setup;
  setup.model = "models/gemini-3.8-live";
  setup.generation_config = protocol::GenerationConfig{};
  setup.generation_config->response_modalities = {"AUDIO"};
  setup.system_instruction = protocol::Content::from_text("Be brief", "user");
  r = {};
  r.locked_setup = setup;
  std::string body = protocol::encode_auth_token_request(r);
  fail_unless(g_str_has_prefix(body.c_str(), "{\"bidiGenerateContentSetup\":{\"model\":\"models/gemini-3.8-live\""),
              "%s", body.c_str());
  fail_unless(!contains(body, "fieldMask") && !contains(body, "\"setup\""), "%s", body.c_str());
  r.lock_additional_fields = std::vector<std::string>{};
  body = protocol::encode_auth_token_request(r);
  fail_unless(contains(body,
                       "\"fieldMask\":\"model,generationConfig.responseModalities,systemInstruction.parts,"
                       "systemInstruction.role\""),
              "%s", body.c_str());
  r.lock_additional_fields = std::vector<std::string>{"temperature", "systemInstruction"};
  body = protocol::encode_auth_token_request(r);
  fail_unless(contains(body,
                       "\"fieldMask\":\"model,generationConfig.responseModalities,systemInstruction.parts,"
                       "systemInstruction.role,generationConfig.temperature,systemInstruction\""),
              "%s", body.c_str());
  auto name = protocol::decode_auth_token_name("{\"name\":\"auth_tokens/x\"}");
  fail_unless(name && name.value() == "auth_tokens/x");
  auto refused = protocol::decode_auth_token_name("{\"error\":{\"code\":400,\"message\":\"API key not valid.\"}}");
  fail_unless(!refused);
  assert_str(refused.error(), "API key not valid.");
}
GST_END_TEST;

// ---- sessions through the local server ----

// GEMINI_API_KEY=auth_tokens/... with a host-only uri: the Constrained
// method answers; the token works once (uses 1); neither the key nor the
// token is in any debug line.
GST_START_TEST(test_ephemeral_token_session) {
  auto server = start_server(keyed());
  LogCapture log;
  const std::string token = mint(*server);
  fail_unless(g_str_has_prefix(token.c_str(), "auth_tokens/"));

  SessionConfig c;
  c.uri = server->uri();  // host only
  c.api_key = token;
  c.setup.model = kModel;
  auto events = std::make_shared<Events>();
  assert_str(ask(c, events), "You wrote: hello.");
  ServerStats s = server->stats();
  assert_str(s.last_request_path,
             "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");
  assert_str(s.last_credential, "ephemeral token");
  fail_unless_equals_int(s.tokens_minted, 1);

  // Used up: the service's reason and the hint, no retry.
  auto again = std::make_shared<Events>();
  auto session = start_session(c, again);
  SessionError e = again->wait_error();
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless_equals_int(e.close_code, 1008);
  assert_str(e.reason, geminilive::mock::kTokenUsedUp);
  fail_unless(contains(e.message, "geminilive-token"), "%s", e.message.c_str());
  session->stop();

  const std::string text = log.text();
  fail_unless(contains(text, "BidiGenerateContentConstrained"), "the debug log was not captured");
  fail_unless(!contains(text, token.substr(strlen("auth_tokens/"))), "the token is in the debug log");
  fail_unless(!contains(text, kKey), "the API key is in the debug log");
}
GST_END_TEST;

// The token's locked setup wins over the client's; an expired token and an
// unknown one are refused with the server's words.
GST_START_TEST(test_token_locks_and_refusals) {
  auto server = start_server(keyed());
  protocol::AuthTokenRequest locked;
  locked.uses = 0;
  locked.locked_setup = protocol::Setup{};
  locked.locked_setup->model = kModel;
  locked.locked_setup->system_instruction = protocol::Content::from_text("Locked words", "user");
  SessionConfig c;
  c.uri = server->uri();
  c.api_key = mint(*server, locked);
  c.setup.model = kModel;
  c.setup.system_instruction = protocol::Content::from_text("Client words", "user");
  ask(c, std::make_shared<Events>());
  assert_str(server->stats().system_instruction, "Locked words");

  auto refusal = [&](const std::string& token) {
    SessionConfig t = c;
    t.api_key = token;
    auto events = std::make_shared<Events>();
    auto session = start_session(t, events);
    SessionError e = events->wait_error();
    session->stop();
    fail_unless(e.kind == Kind::Unauthorized, "%s", e.message.c_str());
    return e.reason;
  };
  assert_str(refusal("auth_tokens/never-issued"), geminilive::mock::kTokenUnknown);
  protocol::AuthTokenRequest short_lived;
  short_lived.expire_time = protocol::rfc3339_from_now(2);
  const std::string token = mint(*server, short_lived);
  std::this_thread::sleep_for(2100ms);
  assert_str(refusal(token), geminilive::mock::kTokenExpired);
}
GST_END_TEST;

// backend=vertex-ai: the LlmBidiService path, the bearer, the resource name.
GST_START_TEST(test_vertex_session) {
  auto server = start_server(keyed());
  LogCapture log;
  SessionConfig c = vertex_config(server->uri());
  auto events = std::make_shared<Events>();
  assert_str(ask(c, events), "You wrote: hello.");
  ServerStats s = server->stats();
  assert_str(s.last_request_path, "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent");
  fail_unless(s.bearer_tokens == std::vector<int>{0});
  fail_unless(
      contains(s.last_setup_json,
               std::string("\"model\":\"projects/my-proj/locations/us-central1/publishers/google/") + kModel + "\""),
      "%s", s.last_setup_json.c_str());
  fail_unless(!contains(log.text(), kBearerA), "the bearer is in the debug log");

  // An unknown bearer: HTTP 401 at the upgrade, the bearer hint, no retry.
  c.access_token = "ya29.unknown-5ecret";
  auto refused = std::make_shared<Events>();
  auto session = start_session(c, refused);
  SessionError e = refused->wait_error();
  session->stop();
  fail_unless(e.kind == Kind::Unauthorized, "%s", e.message.c_str());
  fail_unless(contains(e.message, "HTTP 401") && contains(e.message, "access-token"), "%s", e.message.c_str());
  fail_unless_equals_int(server->stats().connections, 1);  // the refused upgrade is no connection
}
GST_END_TEST;

// access_token_provider runs on the session's loop thread before each
// connection: after a drop, the second connection carries the new bearer.
GST_START_TEST(test_fresh_bearer_per_connection) {
  auto server = start_server(keyed());
  std::atomic<int> calls{0};
  std::atomic<bool> on_test_thread{false};
  const std::thread::id test_thread = std::this_thread::get_id();
  SessionConfig c = vertex_config(server->uri());
  c.access_token.clear();
  c.reconnect_delay = 50ms;
  c.access_token_provider = [&] {
    if (std::this_thread::get_id() == test_thread) on_test_thread = true;
    return std::string(calls++ == 0 ? kBearerA : kBearerB);
  };
  auto events = std::make_shared<Events>();
  auto session = start_session(c, events);
  events->wait_state(SessionState::Ready);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  server->drop_connection();
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 2; }, kWait), "no second setup");
  session->stop();
  fail_unless(server->stats().bearer_tokens == (std::vector<int>{0, 1}), "the second connection had no new bearer");
  fail_unless_equals_int(calls.load(), 2);
  fail_unless(!on_test_thread, "the provider ran on the caller's thread");
}
GST_END_TEST;

// access_token_source (Application Default Credentials' shape): asked on
// the loop thread before each connection, answering later from another
// thread; each connection opens only with its token. A refusal fails the
// session in the source's words; a source that never answers is bounded by
// the connect timeout.
GST_START_TEST(test_async_access_token_source) {
  auto server = start_server(keyed());
  LogCapture log;
  std::atomic<int> calls{0};
  std::atomic<bool> on_test_thread{false};
  const std::thread::id test_thread = std::this_thread::get_id();
  std::vector<std::thread> repliers;
  std::mutex repliers_mutex;
  SessionConfig c = vertex_config(server->uri());
  c.access_token.clear();
  c.reconnect_delay = 50ms;
  c.access_token_source = [&](SessionConfig::AccessTokenReply reply) {
    if (std::this_thread::get_id() == test_thread) on_test_thread = true;
    const char* token = calls++ == 0 ? kBearerA : kBearerB;
    std::lock_guard<std::mutex> lock(repliers_mutex);
    repliers.emplace_back([reply, token] {
      std::this_thread::sleep_for(100ms);
      reply(token, "");
    });
  };
  auto events = std::make_shared<Events>();
  auto session = start_session(c, events);
  events->wait_state(SessionState::Ready);
  server->drop_connection();
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 2; }, kWait), "no second setup");
  session->stop();
  {
    std::lock_guard<std::mutex> lock(repliers_mutex);
    for (auto& t : repliers) t.join();
    repliers.clear();
  }
  fail_unless(server->stats().bearer_tokens == (std::vector<int>{0, 1}), "a connection lacked its bearer");
  fail_unless_equals_int(calls.load(), 2);
  fail_unless(!on_test_thread, "the source ran on the caller's thread");
  fail_unless(!contains(log.text(), kBearerA) && !contains(log.text(), kBearerB), "a bearer is in the debug log");

  // Refused: the session fails in the source's words, nothing connects.
  const int connections = server->stats().connections;
  c.access_token_source = [](SessionConfig::AccessTokenReply reply) {
    reply("", "the token endpoint refused the refresh (HTTP 400 invalid_grant: Token has been expired or revoked.)");
  };
  auto refused = std::make_shared<Events>();
  session = start_session(c, refused);
  SessionError e = refused->wait_error();
  session->stop();
  fail_unless(e.kind == Kind::Unauthorized, "%s", e.message.c_str());
  fail_unless(contains(e.message, "Application Default Credentials") && contains(e.message, "invalid_grant"), "%s",
              e.message.c_str());
  fail_unless_equals_int(server->stats().connections, connections);

  // Never answers: the connect timeout ends the wait.
  SessionConfig::AccessTokenReply kept;
  c.access_token_source = [&kept](SessionConfig::AccessTokenReply reply) { kept = std::move(reply); };
  c.connect_timeout = 300ms;
  auto silent = std::make_shared<Events>();
  session = start_session(c, silent);
  e = silent->wait_error();
  session->stop();
  fail_unless(contains(e.message, "did not complete the setup"), "%s", e.message.c_str());
  kept("ya29.late", "");  // after the session: ignored
  fail_unless_equals_int(server->stats().connections, connections);
}
GST_END_TEST;

// geminilive-token's failures in words: a wrong key, an unreachable host.
GST_START_TEST(test_mint_refusals) {
  auto server = start_server(keyed());
  MintRequest m;
  m.base_uri = server->uri();
  m.api_key = "wrong-5ecret";
  auto refused = mint_ephemeral_token_sync(m);
  fail_unless(!refused);
  fail_unless(contains(refused.error(), "HTTP 400") && contains(refused.error(), "API key not valid"), "%s",
              refused.error().c_str());
  fail_unless(!contains(refused.error(), "5ecret"));
  m.api_key = "auth_tokens/x";
  fail_unless(contains(mint_ephemeral_token_sync(m).error(), "A token can't mint another"));
  m.api_key = kKey;
  m.token.expire_time = "2020-01-01T00:00:00Z";
  fail_unless(contains(mint_ephemeral_token_sync(m).error(), "expireTime must be in the future"));
}
GST_END_TEST;

static Suite* auth_suite() {
  Suite* s = suite_create("auth");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_endpoint_table);
  tcase_add_test(tc, test_model_names);
  tcase_add_test(tc, test_config_problems);
  tcase_add_test(tc, test_token_redaction_and_hints);
  tcase_add_test(tc, test_token_request_body);
  tcase_add_test(tc, test_ephemeral_token_session);
  tcase_add_test(tc, test_token_locks_and_refusals);
  tcase_add_test(tc, test_vertex_session);
  tcase_add_test(tc, test_fresh_bearer_per_connection);
  tcase_add_test(tc, test_async_access_token_source);
  tcase_add_test(tc, test_mint_refusals);
  return s;
}

GST_CHECK_MAIN(auth);
