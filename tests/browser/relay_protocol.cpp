// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-relay driven by a client that speaks the tutorial's browser
// protocol exactly (snake_case and camelCase), against the local server
// in-process: the voice the client gets is compared bit for bit with what
// the server synthesized for the turn's reply, and the text with the reply.
#include <algorithm>
#include <numeric>

#include "relay_util.h"
#include "reply_synth.h"

using namespace geminilive::relay;
using namespace geminilive::relay::testing;

namespace {

std::string joined(const std::vector<std::string>& parts) {
  return std::accumulate(parts.begin(), parts.end(), std::string());
}

// The typed events travel beside the media (the bus, not the sources'
// streaming threads), so turn_complete may come a few ms before the last
// chunk: wait for the whole reply too, then a little more for anything extra.
bool wait_reply(Client& client, const char* key, size_t bytes) {
  auto size = [&] {
    size_t n = 0;
    for (const auto& v : client.values(key)) n += std::string(key) == "audio" ? v.size() / 4 * 3 : v.size();
    return n;
  };
  bool ok = run_until([&] { return client.got_type("turn_complete") && size() >= bytes; });
  run_until([] { return false; }, 0.2);
  return ok;
}

std::string jpeg() { return read_file(std::string(g_getenv("GST_CHECK_FIXTURES")) + "/frame-64x48.jpg"); }

// The tutorial's every-3-seconds message: audio and the latest frame.
std::string media_message(const std::string& pcm, const std::string& frame, bool camel = false) {
  std::string chunks;
  auto chunk = [&](const char* mime, const std::string& data) {
    if (!chunks.empty()) chunks += ",";
    chunks +=
        std::string("{\"") + (camel ? "mimeType" : "mime_type") + "\":\"" + mime + "\",\"data\":\"" + b64(data) + "\"}";
  };
  if (!pcm.empty()) chunk("audio/pcm", pcm);
  if (!frame.empty()) chunk("image/jpeg", frame);
  return std::string("{\"") + (camel ? "realtimeInput" : "realtime_input") + "\":{\"" +
         (camel ? "mediaChunks" : "media_chunks") + "\":[" + chunks + "]}}";
}

// Speech and a frame, then the quiet that ends the turn: sent in two
// messages, the second once the server has the first (so the frame is in
// the turn whatever the order of the relay's two inputs).
void ask(Stack& stack, Client& client, bool camel) {
  const std::string speech = pcm16k(1.5, true), quiet = pcm16k(1.5, false);
  client.send(media_message(speech, jpeg(), camel));
  fail_unless(run_until([&] {
    auto s = stack.live->stats();
    return s.video_frames == 1 && s.audio_bytes == speech.size();
  }));
  client.send(media_message(quiet, "", camel));
}

}  // namespace

GST_START_TEST(tutorial_protocol_answer_is_bit_exact) {
  ServerConfig config;
  config.defaults.system_instruction = "You are a helpful assistant for screen sharing sessions.";
  Stack stack(config);
  Client client;
  fail_unless(client.connect(stack.ws_url()));
  client.send(R"({"setup":{"generation_config":{"response_modalities":["AUDIO"]}}})");
  ask(stack, client, false);
  const std::string reply = "I heard 3.0 seconds of audio at 16000 Hz and saw 1 frame, a 64x48 JPEG.";
  const std::string expected = geminilive::mock::synthesize_reply_pcm(reply);
  fail_unless(wait_reply(client, "audio", expected.size()), "no whole reply; got %zu messages", client.received.size());

  // What the server heard, and was told: the relay's system instruction.
  auto s = stack.live->stats();
  ck_assert_uint_eq(s.setups, 1);
  ck_assert_uint_eq(s.audio_bytes, 96000);
  ck_assert_uint_eq(s.video_frames, 1);
  assert_str(s.system_instruction, "You are a helpful assistant for screen sharing sessions.");

  assert_str(joined(client.values("text")), reply);  // {"text"}: the spoken answer's transcript
  std::string voice;
  for (const auto& a : client.values("audio")) voice += b64decode(a);
  ck_assert_uint_eq(voice.size(), expected.size());
  fail_unless(voice == expected, "the voice differs from the server's PCM");

  // Our page's typed messages ride along (the tutorial's page ignores them).
  assert_str(joined(client.values("delta", "transcript")), "(3.0 seconds of speech)" + reply);
  fail_unless(client.got_type("usage"));
  fail_unless(client.got_type("latency"));
  fail_unless(!client.values("state", "state").empty());
}
GST_END_TEST;

GST_START_TEST(camel_case_and_text_answers) {
  Stack stack;
  Client client;
  fail_unless(client.connect(stack.ws_url()));
  client.send(R"({"setup":{"generationConfig":{"responseModalities":["TEXT"]}}})");
  ask(stack, client, true);
  const std::string reply = "I heard 3.0 seconds of audio at 16000 Hz and saw 1 frame, a 64x48 JPEG.";
  fail_unless(wait_reply(client, "text", reply.size()));
  assert_str(joined(client.values("text")), reply);
  fail_unless(client.values("audio").empty(), "audio in a TEXT session");
}
GST_END_TEST;

GST_START_TEST(typed_text_and_push_to_talk) {
  Stack stack;
  Client client;
  fail_unless(client.connect(stack.ws_url()));
  client.send(R"({"setup":{"generation_config":{"response_modalities":["AUDIO"]},)"
              R"("realtime_input_config":{"automatic_activity_detection":{"disabled":true}}}})");
  client.send(R"({"realtime_input":{"text":"What is on the screen?"}})");
  fail_unless(wait_reply(client, "text", 33));
  assert_str(joined(client.values("text")), "You wrote: What is on the screen?");
  // Push-to-talk: only the audio between activity_start and activity_end is the turn.
  client.received.clear();
  client.send(media_message(pcm16k(0.5, false), ""));
  client.send(R"({"realtime_input":{"activity_start":{}}})");
  client.send(media_message(pcm16k(1.0, true), ""));
  client.send(R"({"realtime_input":{"activity_end":{}}})");
  fail_unless(wait_reply(client, "text", 41));
  assert_str(joined(client.values("text")), "I heard 1.0 seconds of audio at 16000 Hz.");
}
GST_END_TEST;

GST_START_TEST(disconnect_ends_the_session_at_once) {
  Stack stack;
  {
    Client client;
    fail_unless(client.connect(stack.ws_url()));
    client.send(R"({"setup":{"generation_config":{"response_modalities":["AUDIO"]}}})");
    fail_unless(run_until([&] { return stack.live->stats().setups == 1; }));
    ck_assert_uint_eq(stack.relay->sessions(), 1);
  }  // the browser goes
  const gint64 gone = g_get_monotonic_time();
  fail_unless(run_until([&] { return stack.relay->sessions() == 0 && stack.live_logged("connection 1: closed"); }, 5),
              "the session outlived its browser");
  fail_unless(g_get_monotonic_time() - gone < 2 * G_USEC_PER_SEC);
}
GST_END_TEST;

// A page that sends another rate says so in the MIME type; the session
// sends it at that rate (the local server names the turn's rate).
GST_START_TEST(another_rate_is_sent_as_such) {
  Stack stack;
  Client client;
  fail_unless(client.connect(stack.ws_url()));
  client.send(R"({"setup":{"generation_config":{"response_modalities":["TEXT"]}}})");
  std::string speech;
  for (int i = 0; i < 24000; ++i) {  // 1 s of 300 Hz at 24 kHz
    auto v = static_cast<int16_t>(9000 * std::sin(2 * M_PI * 300 * i / 24000.0));
    speech += static_cast<char>(v & 0xff);
    speech += static_cast<char>((v >> 8) & 0xff);
  }
  std::string quiet(48000, '\0');
  for (std::string* pcm : {&speech, &quiet})
    client.send(R"({"realtime_input":{"media_chunks":[{"mime_type":"audio/pcm;rate=24000","data":")" + b64(*pcm) +
                "\"}]}}");
  const std::string reply = "I heard 2.0 seconds of audio at 24000 Hz.";
  fail_unless(wait_reply(client, "text", reply.size()));
  assert_str(joined(client.values("text")), reply);
  ck_assert_uint_eq(stack.live->stats().audio_bytes, 96000);
}
GST_END_TEST;

// What the tutorial's relay lacks: a dropped service connection is resumed
// and the browser's conversation goes on; the page hears about it.
GST_START_TEST(a_dropped_connection_resumes) {
  Stack stack;
  Client client;
  fail_unless(client.connect(stack.ws_url()));
  client.send(R"({"setup":{"generation_config":{"response_modalities":["AUDIO"]}}})");
  fail_unless(run_until([&] { return !client.values("state", "state").empty() && stack.live->stats().setups == 1; }));
  fail_unless(run_until([&] {
    auto states = client.values("state", "state");
    return std::find(states.begin(), states.end(), "ready") != states.end();
  }));
  stack.live->drop_connection();
  fail_unless(run_until([&] { return stack.live->stats().resumed == 1; }), "no resumed setup");
  fail_unless(run_until([&] {
    auto details = client.values("detail", "state");
    return std::find(details.begin(), details.end(), "resumed") != details.end();
  }));
  auto states = client.values("state", "state");
  fail_unless(std::find(states.begin(), states.end(), "reconnecting") != states.end());
  client.send(R"({"realtime_input":{"text":"Are you back?"}})");
  fail_unless(wait_reply(client, "text", 24));
  assert_str(joined(client.values("text")), "You wrote: Are you back?");
  fail_unless(!client.closed);
}
GST_END_TEST;

static Suite* relay_protocol_suite() {
  Suite* s = suite_create("relay_protocol");
  TCase* tc = tcase_create("tutorial");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, tutorial_protocol_answer_is_bit_exact);
  tcase_add_test(tc, camel_case_and_text_answers);
  tcase_add_test(tc, typed_text_and_push_to_talk);
  tcase_add_test(tc, disconnect_ends_the_session_at_once);
  tcase_add_test(tc, a_dropped_connection_resumes);
  tcase_add_test(tc, another_rate_is_sent_as_such);
  return s;
}

GST_CHECK_MAIN(relay_protocol);
