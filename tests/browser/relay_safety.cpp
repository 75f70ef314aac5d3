// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-relay's safe defaults and bad input: the pure parts (browser
// messages, base64, the token and Origin policy) on their own, then the
// relay in-process: each class of bad input gets an error message and
// closes only that browser, while another one keeps talking; the token, the
// Origin check and the session limit at the upgrade; no key reaches a browser.
#include <cstring>

#include "browser_protocol.h"
#include "relay_util.h"

using namespace geminilive::relay;
using namespace geminilive::relay::testing;

namespace {

std::string parse_error(const std::string& json) {
  ProtocolError error;
  auto m = parse_browser_message(json, &error);
  return m ? "" : error.message;
}

std::vector<uint8_t> bytes(const char* s) { return std::vector<uint8_t>(s, s + std::strlen(s)); }

}  // namespace

GST_START_TEST(base64_is_strict) {
  std::vector<uint8_t> out;
  fail_unless(decode_base64_strict("aGVsbG8=", &out) && out == bytes("hello"));
  fail_unless(decode_base64_strict("aGVsbG8", &out) && out == bytes("hello"));  // padding optional
  fail_unless(decode_base64_strict("-_-_", &out) && out.size() == 3);           // URL-safe alphabet
  fail_unless(decode_base64_strict("", &out) && out.empty());
  fail_unless(!decode_base64_strict("aGVs bG8=", &out));  // a space
  fail_unless(!decode_base64_strict("aGVsbG8*", &out));   // not in either alphabet
  fail_unless(!decode_base64_strict("aGV=sbG8", &out));   // padding in the middle
  fail_unless(!decode_base64_strict("aGVsb", &out));      // 5 symbols: no whole byte left
  fail_unless(!decode_base64_strict("aGVsbG8===", &out));
}
GST_END_TEST;

GST_START_TEST(browser_messages_parse) {
  ProtocolError error;
  auto setup =
      parse_browser_message(R"({"setup":{"generation_config":{"response_modalities":["TEXT"]},"tools":[]}})", &error);
  fail_unless(setup && setup->type == BrowserMessage::Type::Setup && setup->text_answers && !setup->push_to_talk);
  auto camel = parse_browser_message(R"({"setup":{"generationConfig":{"responseModalities":["AUDIO"]},)"
                                     R"("realtimeInputConfig":{"automaticActivityDetection":{"disabled":true}}}})",
                                     &error);
  fail_unless(camel && !camel->text_answers && camel->push_to_talk);
  auto media =
      parse_browser_message(R"({"realtimeInput":{"mediaChunks":[{"mimeType":"audio/pcm;rate=24000","data":"AAEC"},)"
                            R"({"mime_type":"image/jpeg","data":"/9j/"}],"text":"hi"}})",
                            &error);
  fail_unless(media && media->chunks.size() == 2);
  ck_assert_int_eq(media->chunks[0].rate, 24000);
  fail_unless(media->chunks[0].kind == MediaChunk::Kind::Audio && media->chunks[0].data.size() == 3);
  fail_unless(media->chunks[1].kind == MediaChunk::Kind::Image);
  assert_str(media->text, "hi");

  // Each class of bad input, in the words the browser gets.
  fail_unless(g_str_has_prefix(parse_error("hello").c_str(), "not JSON: "));
  assert_str(parse_error("[1]"), "a message must be a JSON object");
  assert_str(parse_error(R"({"client_content":{}})"),
             "unknown message \"client_content\": send setup, then realtime_input");
  assert_str(parse_error(R"({"setup":{},"extra":1})"), "unknown message \"setup\": send setup, then realtime_input");
  // What the browser sent is quoted clipped, never cut inside a character.
  assert_str(parse_error("{\"" + std::string(39, 'x') + "\xc3\xa9\":1}"),
             "unknown message \"" + std::string(39, 'x') + "\": send setup, then realtime_input");
  assert_str(clip_utf8("h\xc3\xa9llo", 2), "h");
  assert_str(clip_utf8("h\xc3\xa9llo", 3), "h\xc3\xa9");
  assert_str(parse_error(R"({"realtime_input":{"media_chunks":[{"mime_type":"audio/pcm","data":"***"}]}})"),
             "the data of a audio/pcm chunk is not valid base64");
  assert_str(parse_error(R"({"realtime_input":{"media_chunks":[{"mime_type":"video/mp4","data":"AAAA"}]}})"),
             "unsupported mime_type \"video/mp4\" (audio/pcm, image/jpeg or image/png)");
  assert_str(parse_error(R"({"realtime_input":{"media_chunks":[{"mime_type":"audio/pcm;rate=4000","data":""}]}})"),
             "audio rate must be 8000-48000 Hz: audio/pcm;rate=4000");
  assert_str(parse_error(R"({"realtime_input":{"media_chunks":[{"data":"AAAA"}]}})"),
             "a media chunk needs a mime_type, and its data as a base64 string");
  assert_str(parse_error(R"({"realtime_input":{"media_chunks":[{"mime_type":"audio/pcm","data":7}]}})"),
             "a media chunk needs a mime_type, and its data as a base64 string");
  // The tutorial's page sends its frame chunk without data before its first capture: skipped.
  auto no_frame_yet = parse_browser_message(
      R"({"realtime_input":{"media_chunks":[{"mime_type":"audio/pcm","data":"AAAA"},{"mime_type":"image/jpeg"}]}})",
      &error);
  fail_unless(no_frame_yet && no_frame_yet->chunks.size() == 1 &&
              no_frame_yet->chunks[0].kind == MediaChunk::Kind::Audio);
  assert_str(parse_error(R"({"realtime_input":{}})"),
             "realtime_input holds none of media_chunks, audio, video, text, activity_start, activity_end");
  assert_str(parse_error(R"({"setup":{"generation_config":{"response_modalities":["VIDEO"]}}})"),
             "response_modalities takes AUDIO or TEXT");
}
GST_END_TEST;

GST_START_TEST(encoded_messages) {
  assert_str(encode_text("a \"b\"\n"), R"({"text":"a \"b\"\n"})");
  const uint8_t pcm[] = {1, 2, 3};
  assert_str(encode_audio(pcm, 3), R"({"audio":"AQID"})");
  assert_str(encode_transcript(true, "hi", true),
             R"({"type":"transcript","role":"user","delta":"hi","finished":true})");
  assert_str(encode_usage(1, 2, 3), R"({"type":"usage","prompt_tokens":1,"response_tokens":2,"total_tokens":3})");
  assert_str(encode_error("no"), R"({"type":"error","message":"no"})");
  assert_str(encode_warning("late"), R"({"type":"warning","message":"late"})");
}
GST_END_TEST;

GST_START_TEST(access_policy_decides) {
  std::string why;
  AccessPolicy local;  // the default: loopback, no token
  auto check = [&](const AccessPolicy& p, const char* origin, const char* host = "127.0.0.1:9083",
                   const char* token = nullptr, const char* auth = nullptr) {
    Upgrade u;
    u.origin = origin;
    u.host = host;
    u.query_token = token;
    u.authorization = auth;
    return check_upgrade(p, u, &why);
  };
  ck_assert_int_eq(check(local, nullptr), 0);                  // a program
  ck_assert_int_eq(check(local, "null"), 0);                   // the tutorial's page opened as a file
  ck_assert_int_eq(check(local, "http://localhost:8000"), 0);  // a page served on this machine
  ck_assert_int_eq(check(local, "http://127.0.0.1:9083"), 0);  // our page
  ck_assert_int_eq(check(local, "http://[::1]:9083"), 0);
  ck_assert_int_eq(check(local, "https://evil.example"), 403);  // a web site in the user's browser
  ck_assert_int_eq(check(local, "http://localhost.evil.example"), 403);
  assert_str(why, "pages from http://localhost.evil.example may not use this relay (see --allow-origin)");
  AccessPolicy allowed = local;
  allowed.allowed_origins = {"https://app.example"};
  ck_assert_int_eq(check(allowed, "https://app.example"), 0);

  AccessPolicy open;  // --listen 0.0.0.0 --token s3cret
  open.loopback_only = false;
  open.token = "s3cret";
  ck_assert_int_eq(check(open, "http://relay.example:9083", "relay.example:9083"), 401);
  fail_unless(why.find("s3cret") == std::string::npos, "the reason holds the token");
  ck_assert_int_eq(check(open, "http://relay.example:9083", "relay.example:9083", "wrong"), 401);
  ck_assert_int_eq(check(open, "http://relay.example:9083", "relay.example:9083", "s3cret"), 0);
  ck_assert_int_eq(check(open, nullptr, "relay.example:9083", nullptr, "Bearer s3cret"), 0);
  ck_assert_int_eq(check(open, "http://other.example", "relay.example:9083", "s3cret"), 403);
  ck_assert_int_eq(check(open, "http://localhost:8000", "relay.example:9083", "s3cret"), 403);
  ck_assert_int_eq(check(open, "null", "relay.example:9083", "s3cret"), 403);

  fail_unless(is_loopback_address("127.0.0.1") && is_loopback_address("::1") && is_loopback_address("localhost"));
  fail_unless(!is_loopback_address("0.0.0.0") && !is_loopback_address("192.168.1.2"));
}
GST_END_TEST;

namespace {

constexpr char kSetup[] = R"({"setup":{"generation_config":{"response_modalities":["AUDIO"]}}})";

// A browser in the middle of a conversation: it must not notice the others.
void still_talks(Client& good) {
  good.received.clear();
  good.send(R"({"realtime_input":{"text":"Still there?"}})");
  fail_unless(run_until([&] { return good.got_type("turn_complete") && !good.values("audio").empty(); }));
  fail_unless(!good.closed);
}

}  // namespace

GST_START_TEST(bad_input_closes_only_that_browser) {
  ServerConfig config;
  config.max_message = 64 * 1024;
  Stack stack(config);
  Client good;
  fail_unless(good.connect(stack.ws_url()));
  good.send(kSetup);

  struct Case {
    const char* what;
    bool setup_first;
    std::string message;
    int code;
    const char* error_starts;
  };
  const std::string big = R"({"realtime_input":{"media_chunks":[{"mime_type":"audio/pcm","data":")" +
                          std::string(100 * 1024, 'A') + "\"}]}}";
  const Case cases[] = {
      {"not JSON", true, "hello", 1007, "not JSON: "},
      {"unknown type", true, R"({"tool_response":{}})", 1007, "unknown message \"tool_response\""},
      {"bad base64", true, R"({"realtime_input":{"media_chunks":[{"mime_type":"audio/pcm","data":"!!"}]}})", 1007,
       "the data of a audio/pcm chunk is not valid base64"},
      {"oversized", true, big, 1009, "message of more than 65536 bytes is over this relay's limit of 65536 bytes"},
      {"ten times oversized", true, std::string(640 * 1024, ' '), 1009,
       "message of more than 65536 bytes is over this relay's limit of 65536 bytes"},
      {"input before setup", false, R"({"realtime_input":{"text":"hi"}})", 1008, "the first message must be setup"},
      {"second setup", true, kSetup, 1008, "setup was already sent on this connection"},
      {"activity without push-to-talk", true, R"({"realtime_input":{"activity_start":{}}})", 1011,
       "activity_start refused"},
  };
  for (const Case& c : cases) {
    Client bad;
    fail_unless(bad.connect(stack.ws_url()), "%s: no connection", c.what);
    if (c.setup_first) bad.send(kSetup);
    bad.send(c.message);
    fail_unless(run_until([&] { return bad.closed; }), "%s: not closed", c.what);
    ck_assert_int_eq(bad.close_code, c.code);
    fail_unless(g_str_has_prefix(bad.error_message().c_str(), c.error_starts), "%s: error \"%s\"", c.what,
                bad.error_message().c_str());
    fail_unless(run_until([&] { return stack.relay->sessions() == 1; }), "%s: its session stayed", c.what);
    still_talks(good);
  }
}
GST_END_TEST;

GST_START_TEST(token_origin_and_session_limit) {
  ServerConfig config;
  config.access.token = "s3cret";
  config.max_sessions = 1;
  Stack stack(config);
  Client no_token, wrong_origin, first, second;
  fail_unless(!no_token.connect(stack.ws_url()));
  ck_assert_int_eq(no_token.http_status, 401);
  fail_unless(!wrong_origin.connect(stack.ws_url("?token=s3cret"), "https://evil.example"));
  ck_assert_int_eq(wrong_origin.http_status, 403);
  ck_assert_uint_eq(stack.relay->sessions_started(), 0);

  fail_unless(first.connect(stack.ws_url("?token=s3cret"), "http://localhost:8000"));
  first.send(kSetup);
  fail_unless(second.connect(stack.ws_url("?token=s3cret")));
  fail_unless(run_until([&] { return second.closed; }));
  ck_assert_int_eq(second.close_code, 4013);
  assert_str(second.error_message(), "this relay has its 1 sessions already (--max-sessions): try again later");
  still_talks(first);

  // The page itself needs no token: it holds no secret.
  SoupSession* http = soup_session_new();
  SoupMessage* page =
      soup_message_new("GET", ("http://127.0.0.1:" + std::to_string(stack.relay->port()) + "/").c_str());
  GBytes* body = nullptr;
  soup_session_send_and_read_async(
      http, page, G_PRIORITY_DEFAULT, nullptr,
      [](GObject* s, GAsyncResult* r, gpointer out) {
        *static_cast<GBytes**>(out) = soup_session_send_and_read_finish(SOUP_SESSION(s), r, nullptr);
      },
      &body);
  fail_unless(run_until([&] { return body != nullptr; }));
  ck_assert_int_eq(soup_message_get_status(page), 200);
  fail_unless(std::string(static_cast<const char*>(g_bytes_get_data(body, nullptr)), g_bytes_get_size(body))
                  .find("<script src=\"app.js\">") != std::string::npos);
  g_bytes_unref(body);
  g_object_unref(page);
  g_object_unref(http);
}
GST_END_TEST;

GST_START_TEST(the_key_never_reaches_a_browser) {
  const std::string key = "AIzaRelayTestKey-1234567890";
  ServerConfig config;
  std::vector<std::string> relay_log;
  config.log = [&](const std::string& line) { relay_log.push_back(line); };
  geminilive::mock::ServerOptions live;
  live.api_key = key;
  Stack stack(config, live);
  stack.relay.reset();
  config.defaults.uri = stack.live->uri() + kLivePath;
  config.defaults.system_instruction = "Be a screen assistant.";

  // A good key: a whole conversation; a wrong one: the service's refusal.
  for (const std::string& used : {key, key + "-wrong"}) {
    config.defaults.api_key = used;
    config.port = 0;
    RelayServer relay(config);
    std::string error;
    fail_unless(relay.start(&error));
    Client client;
    fail_unless(client.connect("ws://127.0.0.1:" + std::to_string(relay.port()) + "/"));
    client.send(kSetup);
    client.send(R"({"realtime_input":{"text":"What is my key?"}})");
    fail_unless(run_until([&] { return client.got_type("turn_complete") || client.closed; }));
    if (used != key) {
      fail_unless(run_until([&] { return client.closed; }));
      fail_unless(client.error_message().find("API key not valid") != std::string::npos, "error: %s",
                  client.error_message().c_str());
    }
    for (const auto& m : client.received)
      fail_unless(m.find("AIzaRelayTestKey") == std::string::npos, "a browser got the key: %s", m.c_str());
  }
  for (const auto& line : relay_log)
    fail_unless(line.find("AIzaRelayTestKey") == std::string::npos, "the log has the key: %s", line.c_str());
}
GST_END_TEST;

static Suite* relay_safety_suite() {
  Suite* s = suite_create("relay_safety");
  TCase* pure = tcase_create("pure");
  suite_add_tcase(s, pure);
  tcase_add_test(pure, base64_is_strict);
  tcase_add_test(pure, browser_messages_parse);
  tcase_add_test(pure, encoded_messages);
  tcase_add_test(pure, access_policy_decides);
  TCase* relay = tcase_create("relay");
  tcase_set_timeout(relay, 90);
  suite_add_tcase(s, relay);
  tcase_add_test(relay, bad_input_closes_only_that_browser);
  tcase_add_test(relay, token_origin_and_session_limit);
  tcase_add_test(relay, the_key_never_reaches_a_browser);
  return s;
}

GST_CHECK_MAIN(relay_safety);
