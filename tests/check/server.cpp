// SPDX-License-Identifier: LGPL-2.1-or-later
// The local Live server as a client sees it: the pure functions behind its
// replies (media probe, synth, reply text), the handshake and setup (SDK
// paths, API key forms, close codes, what each model refuses) and its
// replies (exact frames, decoded PCM compared with the synth's output).
// Turns are in server_turns.cpp, tool calls in server_tools.cpp, resumption
// and scripted faults in server_faults.cpp; the helpers in server_util.h.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "check_util.h"
#include "media_probe.h"
#include "protocol/base64.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "reply_synth.h"
#include "server_util.h"
#include "session/ephemeral_token.h"
#include "turn_input.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

namespace {

std::string png_header(unsigned width, unsigned height) {
  std::string p("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (unsigned v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) p += static_cast<char>((v >> shift) & 0xFF);
  p += std::string("\x08\x02\0\0\0", 5);
  return p;
}

int64_t tokens(const std::vector<protocol::ModalityTokenCount>& details, const char* modality) {
  for (const auto& d : details)
    if (d.modality == modality) return d.token_count;
  return 0;
}

CloseInfo refused(const LiveServer& server, const protocol::Setup& s) {
  TestClient c(live_uri(server));
  c.send(s);
  CloseInfo info = c.wait_closed();
  fail_unless_equals_int64(c.frame_count(), 0);
  return info;
}

}  // namespace

// ---- pure functions ----

GST_START_TEST(test_media_probe) {
  auto jpeg = mock::probe_image(jpeg_header(1024, 576));
  fail_unless(jpeg.has_value());
  assert_str(jpeg->type.c_str(), "JPEG");
  fail_unless_equals_int64(jpeg->width, 1024);
  fail_unless_equals_int64(jpeg->height, 576);

  auto real = mock::probe_image(read_fixture("frame-64x48.jpg"));
  fail_unless(real.has_value());
  fail_unless_equals_int64(real->width, 64);
  fail_unless_equals_int64(real->height, 48);

  auto png = mock::probe_image(png_header(640, 480));
  fail_unless(png.has_value());
  assert_str(png->type.c_str(), "PNG");
  fail_unless_equals_int64(png->width, 640);
  fail_unless_equals_int64(png->height, 480);

  fail_unless(!mock::probe_image("").has_value());
  fail_unless(!mock::probe_image("GIF89a....").has_value());
  fail_unless(!mock::probe_image(jpeg_header(1024, 576).substr(0, 24)).has_value());

  fail_unless_equals_int64(mock::pcm_rate_from_mime("audio/pcm;rate=16000"), 16000);
  fail_unless_equals_int64(mock::pcm_rate_from_mime("audio/pcm; rate=48000"), 48000);
  fail_unless_equals_int64(mock::pcm_rate_from_mime("audio/pcm"), 16000);
  fail_unless_equals_int64(mock::pcm_rate_from_mime("audio/pcm;rate=abc"), 16000);

  fail_unless(mock::pcm_rms(silence(0.1)) == 0.0);
  fail_unless(mock::pcm_rms(tone(0.1)) > mock::kSpeechRms);
}
GST_END_TEST;

GST_START_TEST(test_synth_is_deterministic_and_audible) {
  const std::string text = "I heard 2.4 seconds of audio at 16000 Hz. You wrote: hello.";
  auto a = mock::synthesize_reply(text);
  auto b = mock::synthesize_reply(text);
  fail_unless(a.pcm == b.pcm);
  fail_unless(a.pcm.size() % 2 == 0 && a.pcm.size() > 24000 * 2);
  fail_unless(mock::synthesize_reply_pcm("You wrote: hellp.") != mock::synthesize_reply_pcm("You wrote: hello."));
  fail_unless(mock::pcm_rms(a.pcm) > mock::kSpeechRms);
  // One burst per word, and the segments rebuild the text.
  fail_unless_equals_int64(a.words.size(), 12);
  std::string rebuilt;
  for (const auto& w : a.words) {
    rebuilt += text.substr(w.text_begin, w.text_end - w.text_begin);
    fail_unless(mock::pcm_rms(std::string_view(a.pcm).substr(w.pcm_begin, w.pcm_end - w.pcm_begin)) > mock::kSpeechRms);
  }
  assert_str(rebuilt.c_str(), text.c_str());

  std::string joined;
  for (const auto& f : mock::reply_text_fragments(text)) joined += f;
  assert_str(joined.c_str(), text.c_str());
}
GST_END_TEST;

GST_START_TEST(test_reply_text_format) {
  mock::TurnInput t;
  assert_str(mock::reply_text(t).c_str(), "I did not receive anything.");
  t.add_audio(tone(2.4), 16000);
  for (int i = 0; i < 3; ++i) t.add_frame(jpeg_header(1024, 576), "image/jpeg");
  t.add_text("hello");
  assert_str(mock::reply_text(t).c_str(),
             "I heard 2.4 seconds of audio at 16000 Hz and saw 3 frames, the last a 1024x576 JPEG. You "
             "wrote: hello.");
  assert_str(mock::input_transcription_text(t).c_str(), "(2.4 seconds of speech)");

  mock::TurnInput one;
  one.add_frame(png_header(8, 8), "image/png");
  one.add_text("Is it?");
  assert_str(mock::reply_text(one).c_str(), "I saw 1 frame, a 8x8 PNG. You wrote: Is it?");
}
GST_END_TEST;

// ---- handshake and setup ----

GST_START_TEST(test_setup_complete_is_pretty_json_in_a_binary_frame) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  fail_unless(c.wait_open());
  c.send(setup());
  c.wait_message([](const protocol::ServerMessage& m) { return m.setup_complete.has_value(); });
  auto frames = c.frames();
  assert_str(frames[0].payload.c_str(), "{\n  \"setupComplete\": {}\n}\n");
  fail_unless(frames[0].binary);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  auto stats = server->stats();
  fail_unless_equals_int64(stats.connections, 1);
  assert_str(stats.last_request_path.c_str(), kLivePath);
  assert_str(stats.last_setup_json.c_str(), protocol::encode_client_message(setup()).c_str());
  assert_str(server->received_messages().at(0).c_str(), stats.last_setup_json.c_str());
}
GST_END_TEST;

GST_START_TEST(test_text_frames_option) {
  ServerOptions o = opts();
  o.text_frames = true;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  c.send(protocol::RealtimeInput::with_text("hi"));
  turn_messages(c, 1);
  for (const auto& f : c.frames()) fail_unless(!f.binary, "binary frame with --text-frames");
  assert_str(c.frames()[0].payload.c_str(), "{\n  \"setupComplete\": {}\n}\n");
}
GST_END_TEST;

GST_START_TEST(test_sdk_paths_accepted_other_paths_refused) {
  auto server = start_server(opts());
  // What the SDKs send: base URL + "/ws/...", hence "//ws/".
  {
    TestClient c(server->uri() + "//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent");
    fail_unless(c.wait_open());
    c.start_session(setup());
    c.close();
    c.wait_closed();
  }
  // The ephemeral-token method on v1alpha takes only tokens the server
  // issued (suite auth): without one, the service's words.
  {
    TestClient c(server->uri() +
                 "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int(info.code, 1008);
    fail_unless(contains(info.reason, "unregistered callers"), "%s", info.reason.c_str());
  }
  assert_str(server->stats().last_request_path.c_str(),
             "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");

  for (const char* path :
       {"/ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent", "/BidiGenerateContent", "/"}) {
    TestClient c(server->uri() + path);
    CloseInfo info = c.wait_closed();
    fail_unless(info.kind == CloseInfo::Kind::ConnectFailed, "accepted %s", path);
    fail_unless_equals_int64(info.http_status, 404);
  }
  fail_unless_equals_int64(server->stats().connections, 2);
}
GST_END_TEST;

GST_START_TEST(test_api_key_forms) {
  ServerOptions o = opts();
  o.api_key = "secret-key";
  auto server = start_server(o);
  const std::string uri = live_uri(*server);
  {
    TestClient c(uri + "?key=secret-key");
    c.start_session(setup());
  }
  {
    TestClient c(uri + "?access_token=secret-key");
    c.start_session(setup());
  }
  {
    TestClient c(uri, "secret-key");  // x-goog-api-key header
    c.start_session(setup());
  }
  for (const char* auth : {"Bearer secret-key", "Token secret-key"}) {
    TestClient c(uri, {}, {{"Authorization", auth}});
    c.start_session(setup());
  }
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 5; }, kWait));

  for (const std::string& bad : {uri + "?key=wrong", uri}) {
    TestClient c(bad);
    c.send(setup());
    CloseInfo info = c.wait_closed();
    fail_unless(info.kind == CloseInfo::Kind::Closed);
    fail_unless_equals_int64(info.code, 1008);
    assert_str(info.reason.c_str(), "API key not valid. Please pass a valid API key.");
    fail_unless_equals_int64(c.frame_count(), 0);
  }
  fail_unless_equals_int64(server->stats().setups, 5);
}
GST_END_TEST;

// The other credential forms: a token in Python's Authorization: Token
// header or x-goog-api-key; Vertex express mode; Vertex with nothing (401).
GST_START_TEST(test_token_and_vertex_forms) {
  ServerOptions o = opts();
  o.api_key = "secret-key";
  auto server = start_server(o);
  geminilive::session::MintRequest m;
  m.base_uri = server->uri();
  m.api_key = "secret-key";
  m.token.uses = 0;
  const std::string token = geminilive::session::mint_ephemeral_token_sync(m).value();
  const std::string constrained =
      server->uri() + "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained";
  {
    TestClient c(constrained, {}, {{"Authorization", "Token " + token}});
    c.start_session(setup());
  }
  {
    TestClient c(constrained, token);
    c.start_session(setup());
  }
  const std::string vertex = server->uri() + "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent";
  protocol::Setup express = setup();
  express.model = "publishers/google/models/gemini-3.8-live";
  {
    TestClient c(vertex, "secret-key");
    c.start_session(express);
  }
  assert_str(server->stats().last_credential, "express API key");
  TestClient nobody(vertex);
  CloseInfo info = nobody.wait_closed();
  fail_unless(info.kind == CloseInfo::Kind::ConnectFailed);
  fail_unless_equals_int(info.http_status, 401);
}
GST_END_TEST;

GST_START_TEST(test_first_message_must_be_setup) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  c.send(protocol::RealtimeInput::with_text("hello"));
  CloseInfo info = c.wait_closed();
  fail_unless_equals_int64(info.code, 1007);
  assert_str(info.reason.c_str(), "Request contains an invalid argument.");
  fail_unless_equals_int64(c.frame_count(), 0);
}
GST_END_TEST;

GST_START_TEST(test_invalid_input_closes_1007) {
  auto server = start_server(opts());
  const std::vector<std::string> bad = {
      "{not json",
      R"({"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"@@@@"}}})",  // bad base64
      R"({"setup":{"model":"models/again"}})",                                             // second setup
  };
  for (const auto& message : bad) {
    TestClient c(live_uri(*server));
    c.start_session(setup());
    c.send_raw(message);
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason.c_str(), "Request contains an invalid argument.");
  }
  // Garbage as the very first frame, too.
  TestClient c(live_uri(*server));
  c.send_raw("\x01\x02 nonsense");
  fail_unless_equals_int64(c.wait_closed().code, 1007);

  // A response for a call that was never made is logged and dropped.
  TestClient t(live_uri(*server));
  t.start_session(setup(true));
  t.send_raw(R"({"toolResponse":{"functionResponses":[{"id":"function-call-9","response":{}}]}})");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.ignored_tool_responses == 1; }, kWait));
  t.send(protocol::RealtimeInput::with_text("still here"));
  assert_str(collect(turn_messages(t, 1)).text.c_str(), "You wrote: still here.");
}
GST_END_TEST;

GST_START_TEST(test_unknown_model_closes_1008) {
  auto server = start_server(opts());
  const std::string full =
      "models/gpt-4o is not found for API version v1beta, or is not supported for bidiGenerateContent. "
      "Call ListModels to see the list of available models and their supported methods.";
  // Raw: the encoder would add the "models/" prefix the SDKs add.
  const std::string s = R"({"setup":{"model":"gpt-4o"}})";
  TestClient c(live_uri(*server));
  c.send_raw(s);
  CloseInfo info = c.wait_closed();
  fail_unless_equals_int64(info.code, 1008);
  // A WebSocket close reason holds 123 bytes at most.
  assert_str(info.reason.c_str(), full.substr(0, 123).c_str());
  fail_unless_equals_int64(server->stats().setups, 0);

  // The version in the reason is the one from the path.
  TestClient a(server->uri() + "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent");
  a.send_raw(s);
  fail_unless(a.wait_closed().reason.find("for API version v1alpha,") != std::string::npos);
}
GST_END_TEST;

GST_START_TEST(test_snake_case_and_url_safe_base64) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  // What the Python SDK and the cookbook send (hand-written on purpose).
  c.send_raw(R"({"setup": {"model": "models/x", "generation_config": {"response_modalities": ["TEXT"]}}})");
  c.wait_message([](const protocol::ServerMessage& m) { return m.setup_complete.has_value(); });
  std::string pcm = tone(0.5);
  std::string b64 = protocol::base64_encode(pcm);
  for (auto& ch : b64) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  c.send_raw(R"({"realtime_input": {"media_chunks": [{"mime_type": "audio/pcm;rate=16000", "data": ")" + b64 +
             R"("}]}})");
  c.send_raw(R"({"realtime_input": {"audio_stream_end": true}})");
  Reply r = collect(turn_messages(c, 1));
  assert_str(r.text.c_str(), "I heard 0.5 seconds of audio at 16000 Hz.");
  assert_str(server->stats().audio_sha256.c_str(), sha256(pcm).c_str());
}
GST_END_TEST;

// ---- replies ----

GST_START_TEST(test_audio_and_frames_reply) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  c.start_session(setup());

  std::string sent;
  const std::string pcm = tone(2.4);
  for (std::size_t at = 0, i = 0; at < pcm.size(); at += 3200, ++i) {  // 100 ms chunks
    c.send(audio(pcm.substr(at, 3200)));
    sent += pcm.substr(at, 3200);
    if (i % 8 == 0) c.send(protocol::RealtimeInput::with_video({"image/jpeg", jpeg_header(1024, 576)}));
  }
  c.send(audio_stream_end());

  auto messages = turn_messages(c, 1);
  Reply r = collect(messages);
  const std::string text = "I heard 2.4 seconds of audio at 16000 Hz and saw 3 frames, the last a 1024x576 JPEG.";
  check_audio_reply(r, text);
  fail_unless(r.input_transcript.empty() && r.output_transcript.empty(), "transcriptions were not asked for");
  fail_unless(r.text.empty());

  // Order: voiceActivity start (the first tone chunk) and end (audioStreamEnd),
  // audio chunks, generationComplete, turnComplete (+ usage).
  assert_str(c.frames()[1].payload.c_str(), "{\n  \"voiceActivity\": {\n    \"type\": \"ACTIVITY_START\"\n  }\n}\n");
  assert_str(messages[1].voice_activity->type.c_str(), "ACTIVITY_END");
  const std::size_t n = messages.size();
  fail_unless_equals_int64(n, r.chunk_sizes.size() + 4);
  assert_str(c.frames()[n - 1].payload.c_str(),
             "{\n  \"serverContent\": {\n    \"generationComplete\": true\n  }\n}\n");
  fail_unless(messages[n - 2].server_content->generation_complete);
  fail_unless(is_turn_complete(messages[n - 1]));

  const auto& usage = *r.usage;
  fail_unless_equals_int64(tokens(usage.prompt_tokens_details, "AUDIO"), 60);
  fail_unless_equals_int64(tokens(usage.prompt_tokens_details, "IMAGE"), 3 * 258);
  fail_unless_equals_int64(*usage.prompt_token_count, 60 + 3 * 258);
  const int64_t response = std::llround(r.pcm.size() / 2 / 24000.0 * 25.0);
  fail_unless_equals_int64(*usage.response_token_count, response);
  fail_unless_equals_int64(tokens(usage.response_tokens_details, "AUDIO"), response);
  fail_unless_equals_int64(*usage.total_token_count, 60 + 3 * 258 + response);

  ServerStats s = server->stats();
  fail_unless_equals_int64(s.audio_bytes, sent.size());
  assert_str(s.audio_sha256.c_str(), sha256(sent).c_str());
  fail_unless_equals_int64(s.video_frames, 3);
  fail_unless_equals_int64(s.last_frame_width, 1024);
  fail_unless_equals_int64(s.last_frame_height, 576);
  assert_str(s.last_frame_mime.c_str(), "image/jpeg");
  fail_unless_equals_int64(s.turns_started, 1);
  fail_unless_equals_int64(s.turns_completed, 1);
}
GST_END_TEST;

GST_START_TEST(test_text_modality_realtime_text) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  c.send(protocol::RealtimeInput::with_text("hello there, how are you today"));
  auto messages = turn_messages(c, 1);
  Reply r = collect(messages);
  const std::string expected = "You wrote: hello there, how are you today.";
  assert_str(r.text.c_str(), expected.c_str());
  fail_unless(r.pcm.empty());
  fail_unless(r.generation_complete);
  // A few words per fragment, as the service streams text.
  std::size_t parts = 0;
  for (const auto& m : messages)
    if (m.server_content && m.server_content->model_turn) ++parts;
  fail_unless_equals_int64(parts, 3);
  fail_unless_equals_int64(*r.usage->prompt_token_count, (30 + 3) / 4);
  fail_unless_equals_int64(*r.usage->response_token_count, (expected.size() + 3) / 4);
  fail_unless_equals_int64(tokens(r.usage->response_tokens_details, "TEXT"), (expected.size() + 3) / 4);
  fail_unless_equals_int64(server->stats().texts.size(), 1);
}
GST_END_TEST;

GST_START_TEST(test_transcriptions_when_asked) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  protocol::Setup s = setup();
  s.input_audio_transcription = protocol::AudioTranscriptionConfig{};
  s.output_audio_transcription = protocol::AudioTranscriptionConfig{};
  c.start_session(s);
  c.send(audio(tone(1.0)));
  c.send(audio_stream_end());
  auto messages = turn_messages(c, 1);
  Reply r = collect(messages);
  const std::string text = "I heard 1.0 seconds of audio at 16000 Hz.";
  check_audio_reply(r, text);
  fail_unless(messages[0].voice_activity && messages[1].voice_activity);  // speech start, audioStreamEnd
  fail_unless(messages[2].server_content->input_transcription.has_value(), "inputTranscription comes first");
  assert_str(r.input_transcript.c_str(), "(1.0 seconds of speech)");
  assert_str(r.output_transcript.c_str(), text.c_str());
  // Every transcription fragment follows the audio chunk it belongs to.
  bool after_audio = false;
  for (const auto& m : messages) {
    if (!m.server_content) continue;
    if (m.server_content->model_turn) after_audio = true;
    if (m.server_content->output_transcription) {
      fail_unless(after_audio);
      fail_unless(!m.server_content->output_transcription->text.empty());
    }
  }
}
GST_END_TEST;

GST_START_TEST(test_reply_pacing_and_first_reply_delay) {
  ServerOptions o = opts();
  o.reply_speed = 4.0;
  o.first_reply_delay = 150ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  const gint64 sent_at = g_get_monotonic_time();
  c.send(protocol::RealtimeInput::with_text("pace"));
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, 1, &end));
  check_audio_reply(r, "You wrote: pace.");
  auto frames = c.frames();
  const double audio_s = r.pcm.size() / 2 / 24000.0;
  const double first_ms = (frames[1].at_us - sent_at) / 1000.0;
  const double total_ms = (frames[end - 1].at_us - frames[1].at_us) / 1000.0;
  fail_unless(first_ms >= 140.0, "first chunk after %.0f ms", first_ms);
  fail_unless(total_ms >= audio_s * 1000.0 / 4.0 * 0.8, "reply took %.0f ms for %.2f s", total_ms, audio_s);
  fail_unless(total_ms < audio_s * 1000.0, "not faster than real time: %.0f ms", total_ms);
}
GST_END_TEST;

// ---- today's models (live-protocol-2026.md): what each refuses ----

GST_START_TEST(test_model_refusals) {
  auto server = start_server(opts());
  const std::string bad = "Request contains an invalid argument: ";
  struct Case {
    const char* model;
    std::function<void(protocol::Setup&)> change;
    std::string reason;
  };
  auto gen = [](protocol::Setup& s) -> protocol::GenerationConfig& {
    if (!s.generation_config) s.generation_config = protocol::GenerationConfig{};
    return *s.generation_config;
  };
  const std::vector<Case> cases = {
      {k38,
       [&](auto& s) {
         gen(s).response_modalities = {"AUDIO", "TEXT"};
       },
       bad + "response_modalities TEXT is not supported by models/gemini-3.8-live."},
      {k38Thinking, [&](auto& s) { gen(s).response_modalities = {"TEXT"}; },
       bad + "response_modalities TEXT is not supported by models/gemini-3.8-live-extended-thinking."},
      {k38,
       [&](auto& s) {
         gen(s).thinking_config = protocol::ThinkingConfig{{}, {}, "LOW"};
       },
       bad + "thinking_config is not supported by models/gemini-3.8-live."},
      {k38Thinking,
       [&](auto& s) {
         gen(s).thinking_config = protocol::ThinkingConfig{{}, {}, "MINIMAL"};
       },
       bad + "thinking_level MINIMAL is not supported by models/gemini-3.8-live-extended-thinking."},
      {k38Thinking,
       [&](auto& s) {
         gen(s).thinking_config = protocol::ThinkingConfig{1024, {}, {}};
       },
       bad + "thinking_budget is not supported by models/gemini-3.8-live-extended-thinking."},
      {k38, [](auto& s) { s.proactivity = protocol::Proactivity{false}; },
       bad + "proactive_audio false is not supported by models/gemini-3.8-live."},
      {k38Thinking, [&](auto& s) { gen(s).enable_affective_dialog = true; },
       bad + "enable_affective_dialog is not supported by models/gemini-3.8-live-extended-thinking."},
      {k38Thinking, [](auto& s) { declare(s, weather("BLOCKING")); },
       bad + "behavior BLOCKING is not supported by models/gemini-3.8-live-extended-thinking."},
      {k31, [](auto& s) { s.proactivity = protocol::Proactivity{true}; },
       bad + "proactivity is not supported by models/gemini-3.1-flash-live-preview."},
      {k31, [&](auto& s) { gen(s).enable_affective_dialog = false; },
       bad + "enable_affective_dialog is not supported by models/gemini-3.1-flash-live-preview."},
  };
  for (const auto& c : cases) {
    protocol::Setup s = audio_setup(c.model);
    c.change(s);
    CloseInfo info = refused(*server, s);
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason, c.reason.substr(0, 123));  // a close reason holds 123 bytes
  }
  fail_unless_equals_int64(server->stats().setups, 0);

  // What each accepts.
  protocol::Setup thinking = audio_setup(k38Thinking);
  gen(thinking).thinking_config = protocol::ThinkingConfig{{}, {}, "HIGH"};
  thinking.proactivity = protocol::Proactivity{true};
  declare(thinking, weather("NON_BLOCKING"));
  protocol::Setup live = audio_setup(k38);
  live.proactivity = protocol::Proactivity{true};
  declare(live, weather("BLOCKING"));
  protocol::Setup flash = audio_setup(k31);
  gen(flash).thinking_config = protocol::ThinkingConfig{{}, {}, "MINIMAL"};
  protocol::Setup other = setup(true);  // a model the server does not know takes anything
  other.generation_config->thinking_config = protocol::ThinkingConfig{{}, {}, "MINIMAL"};
  other.generation_config->enable_affective_dialog = true;
  other.proactivity = protocol::Proactivity{false};
  declare(other, weather("BLOCKING"));
  for (const auto& s : {thinking, live, flash, other}) {
    TestClient c(live_uri(*server));
    c.start_session(s);
  }
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.setups, 4);
  assert_str(st.model, kModel);
}
GST_END_TEST;

static Suite* server_suite() {
  Suite* s = suite_create("server");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_media_probe);
  tcase_add_test(tc, test_synth_is_deterministic_and_audible);
  tcase_add_test(tc, test_reply_text_format);
  tcase_add_test(tc, test_setup_complete_is_pretty_json_in_a_binary_frame);
  tcase_add_test(tc, test_text_frames_option);
  tcase_add_test(tc, test_sdk_paths_accepted_other_paths_refused);
  tcase_add_test(tc, test_api_key_forms);
  tcase_add_test(tc, test_token_and_vertex_forms);
  tcase_add_test(tc, test_first_message_must_be_setup);
  tcase_add_test(tc, test_invalid_input_closes_1007);
  tcase_add_test(tc, test_unknown_model_closes_1008);
  tcase_add_test(tc, test_snake_case_and_url_safe_base64);
  tcase_add_test(tc, test_audio_and_frames_reply);
  tcase_add_test(tc, test_text_modality_realtime_text);
  tcase_add_test(tc, test_transcriptions_when_asked);
  tcase_add_test(tc, test_reply_pacing_and_first_reply_delay);
  tcase_add_test(tc, test_model_refusals);
  return s;
}

GST_CHECK_MAIN(server);
