// The local Live server as a client sees it: exact frames, replies (decoded
// PCM compared with the synth's output), turn detection, barge-in, tool
// calls, resumption, scripted faults and close codes.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "media_probe.h"
#include "protocol/base64.h"
#include "protocol/client_message.h"
#include "protocol/duration.h"
#include "protocol/server_message.h"
#include "reply_synth.h"
#include "turn_input.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

namespace {

constexpr char kModel[] = "models/gemini-2.5-flash-native-audio-preview-12-2025";
constexpr std::size_t kChunkBytes = 9600;  // 200 ms of 24 kHz S16LE mono

// ---- media ----

// S16LE mono tone; amplitude well above the server's speech threshold.
std::string tone(double seconds, unsigned rate = 16000, double freq = 440.0) {
  std::string pcm;
  auto n = static_cast<std::size_t>(std::lround(seconds * rate));
  for (std::size_t i = 0; i < n; ++i) {
    auto s = static_cast<int16_t>(std::lround(8000.0 * std::sin(2 * M_PI * freq * i / rate)));
    auto u = static_cast<uint16_t>(s);
    pcm.push_back(static_cast<char>(u & 0xFF));
    pcm.push_back(static_cast<char>(u >> 8));
  }
  return pcm;
}

std::string silence(double seconds, unsigned rate = 16000) {
  return std::string(static_cast<std::size_t>(std::lround(seconds * rate)) * 2, '\0');
}

// The headers of a baseline JPEG (SOI, APP0, SOF0, EOI): enough for a probe.
std::string jpeg_header(unsigned width, unsigned height) {
  std::string j = {'\xFF', '\xD8', '\xFF', '\xE0', 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
  j += {'\xFF', '\xC0', 0, 17, 8};
  j += static_cast<char>(height >> 8);
  j += static_cast<char>(height & 0xFF);
  j += static_cast<char>(width >> 8);
  j += static_cast<char>(width & 0xFF);
  j += {3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
  j += {'\xFF', '\xD9'};
  return j;
}

std::string png_header(unsigned width, unsigned height) {
  std::string p("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
  for (unsigned v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8) p += static_cast<char>((v >> shift) & 0xFF);
  p += std::string("\x08\x02\0\0\0", 5);
  return p;
}

std::string sha256(const std::string& bytes) {
  g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(c, reinterpret_cast<const guchar*>(bytes.data()), static_cast<gssize>(bytes.size()));
  return g_checksum_get_string(c);
}

// ---- client messages (all through the protocol encoder) ----

protocol::Setup setup(bool text_reply = false) {
  protocol::Setup s;
  s.model = kModel;
  if (text_reply) {
    s.generation_config = protocol::GenerationConfig{};
    s.generation_config->response_modalities = {"TEXT"};
  }
  return s;
}

protocol::RealtimeInput audio(std::string pcm, unsigned rate = 16000) {
  return protocol::RealtimeInput::with_audio({"audio/pcm;rate=" + std::to_string(rate), std::move(pcm)});
}

protocol::RealtimeInput audio_stream_end() {
  protocol::RealtimeInput r;
  r.audio_stream_end = true;
  return r;
}

protocol::RealtimeInput activity(bool start) {
  protocol::RealtimeInput r;
  (start ? r.activity_start : r.activity_end) = true;
  return r;
}

protocol::ClientContent user_turn(const std::string& text, bool complete = true) {
  protocol::ClientContent c;
  c.turns.push_back(protocol::Content::from_text(text, "user"));
  c.turn_complete = complete;
  return c;
}

// ---- a client that records everything ----

// A WebSocketClient on a loop of its own, connecting at once, that records
// what it receives.
class TestClient : public Recorder {
 public:
  explicit TestClient(const std::string& uri, std::string api_key = {},
                      std::vector<std::pair<std::string, std::string>> headers = {})
      : loop_(std::make_shared<EventLoopThread>("test-client")) {
    WebSocketOptions o;
    o.uri = uri;
    o.api_key = std::move(api_key);
    o.headers = std::move(headers);
    o.connect_timeout_s = 10;
    client_ = std::make_unique<WebSocketClient>(loop_, std::move(o), listener());
    client_->connect();
  }
  ~TestClient() { client_.reset(); }

  void send(const protocol::ClientMessage& m) { client_->send_text(protocol::encode_client_message(m)); }
  void send_raw(std::string text) { client_->send_text(std::move(text)); }
  void close() { client_->close(); }

  // Connects with `s` and returns once setupComplete arrived.
  void start_session(const protocol::Setup& s) {
    send(s);
    wait_message([](const protocol::ServerMessage& m) { return m.setup_complete.has_value(); });
  }

 private:
  std::shared_ptr<EventLoopThread> loop_;
  std::unique_ptr<WebSocketClient> client_;
};

// Replies at once unless a test asks for pacing: the server suite's start_server() options.
ServerOptions opts() {
  ServerOptions o;
  o.reply_speed = 0.0;
  return o;
}

bool is_turn_complete(const protocol::ServerMessage& m) {
  return m.server_content && m.server_content->turn_complete;
}

// The messages of one turn, from `from` up to and including turnComplete.
std::vector<protocol::ServerMessage> turn_messages(TestClient& c, std::size_t from,
                                                   std::size_t* end = nullptr) {
  std::size_t last = c.wait_message(is_turn_complete, from);
  std::vector<protocol::ServerMessage> out;
  for (std::size_t i = from; i <= last; ++i) out.push_back(c.message(i));
  if (end) *end = last + 1;
  return out;
}

struct Reply {
  std::string pcm;
  std::vector<std::size_t> chunk_sizes;
  std::string text;
  std::string input_transcript;
  std::string output_transcript;
  bool generation_complete = false;
  bool interrupted = false;
  std::optional<protocol::UsageMetadata> usage;
};

Reply collect(const std::vector<protocol::ServerMessage>& messages) {
  Reply r;
  for (const auto& m : messages) {
    if (!m.server_content) continue;
    const auto& sc = *m.server_content;
    if (sc.model_turn) {
      for (const auto& part : sc.model_turn->parts) {
        if (part.inline_data) {
          assert_str(part.inline_data->mime_type.c_str(), "audio/pcm;rate=24000");
          r.pcm += part.inline_data->data;
          r.chunk_sizes.push_back(part.inline_data->data.size());
        }
        if (part.text) r.text += *part.text;
      }
    }
    if (sc.input_transcription) {
      r.input_transcript += sc.input_transcription->text;
      fail_unless(sc.input_transcription->finished.value_or(false));
    }
    if (sc.output_transcription) r.output_transcript += sc.output_transcription->text;
    if (sc.generation_complete) r.generation_complete = true;
    if (sc.interrupted) r.interrupted = true;
    if (m.usage_metadata) r.usage = m.usage_metadata;
  }
  return r;
}

void check_audio_reply(const Reply& r, const std::string& expected_text) {
  const std::string expected = mock::synthesize_reply_pcm(expected_text);
  fail_unless(!expected.empty());
  fail_unless_equals_int64(r.pcm.size(), expected.size());
  fail_unless(r.pcm == expected, "reply PCM differs from the synth's output for \"%s\"",
              expected_text.c_str());
  for (std::size_t i = 0; i + 1 < r.chunk_sizes.size(); ++i)
    fail_unless_equals_int64(r.chunk_sizes[i], kChunkBytes);
  fail_unless(r.chunk_sizes.back() > 0 && r.chunk_sizes.back() <= kChunkBytes);
  fail_unless(r.generation_complete);
  fail_unless(r.usage.has_value());
}

int64_t tokens(const std::vector<protocol::ModalityTokenCount>& details, const char* modality) {
  for (const auto& d : details)
    if (d.modality == modality) return d.token_count;
  return 0;
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
  fail_unless(mock::synthesize_reply_pcm("You wrote: hellp.") !=
              mock::synthesize_reply_pcm("You wrote: hello."));
  fail_unless(mock::pcm_rms(a.pcm) > mock::kSpeechRms);
  // One burst per word, and the segments rebuild the text.
  fail_unless_equals_int64(a.words.size(), 12);
  std::string rebuilt;
  for (const auto& w : a.words) {
    rebuilt += text.substr(w.text_begin, w.text_end - w.text_begin);
    fail_unless(mock::pcm_rms(std::string_view(a.pcm).substr(w.pcm_begin, w.pcm_end - w.pcm_begin)) >
                mock::kSpeechRms);
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
  // What the SDKs send: base URL + "/ws/...", hence "//ws/"; also the
  // ephemeral-token method on v1alpha.
  for (const char* path :
       {"//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent",
        "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained"}) {
    TestClient c(server->uri() + path);
    fail_unless(c.wait_open(), "refused %s", path);
    c.start_session(setup());
    c.close();
    c.wait_closed();
  }
  assert_str(server->stats().last_request_path.c_str(),
             "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained");

  for (const char* path : {"/ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent",
                           "/BidiGenerateContent", "/"}) {
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
      R"({"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"@@@@"}}})",    // bad base64
      R"({"setup":{"model":"models/again"}})",  // second setup
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
  TestClient a(server->uri() +
               "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent");
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
  const std::string text =
      "I heard 2.4 seconds of audio at 16000 Hz and saw 3 frames, the last a 1024x576 JPEG.";
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

GST_START_TEST(test_client_content_turn) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  c.start_session(setup());
  c.send(user_turn("What is on my screen?", false));  // history only: no reply
  c.send(user_turn("Tell me"));
  Reply r = collect(turn_messages(c, 1));
  check_audio_reply(r, "You wrote: What is on my screen? Tell me.");
  auto texts = server->stats().texts;
  fail_unless_equals_int64(texts.size(), 2);
  assert_str(texts[1].c_str(), "Tell me");
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

GST_START_TEST(test_speech_then_silence_ends_the_turn) {
  ServerOptions o = opts();
  o.end_of_speech_silence = 300ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  // A live mic: quiet, speech, quiet; no audioStreamEnd ever.
  std::string stream = silence(0.5) + tone(1.0) + silence(1.0);
  for (std::size_t at = 0; at < stream.size(); at += 3200) c.send(audio(stream.substr(at, 3200)));
  Reply r = collect(turn_messages(c, 1));
  // From the first chunk with speech to the chunk that completed 300 ms of quiet.
  assert_str(r.text.c_str(), "I heard 1.3 seconds of audio at 16000 Hz.");
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == stream.size(); }, kWait));
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int64(server->stats().turns_started, 1);  // trailing quiet is no turn

  // Quiet alone and audioStreamEnd: nothing to answer.
  c.send(audio(silence(0.5)));
  c.send(audio_stream_end());
  std::this_thread::sleep_for(200ms);
  fail_unless_equals_int64(server->stats().turns_started, 1);
}
GST_END_TEST;

GST_START_TEST(test_manual_activity_detection) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);
  s.realtime_input_config = protocol::RealtimeInputConfig{};
  s.realtime_input_config->automatic_activity_detection = protocol::AutomaticActivityDetection{};
  s.realtime_input_config->automatic_activity_detection->disabled = true;
  c.start_session(s);
  c.send(audio(tone(0.5)));  // outside any activity: not part of a turn
  c.send(activity(true));
  c.send(audio(tone(0.5)));
  c.send(audio(silence(1.0)));  // quiet does not end a manual turn
  c.send(protocol::RealtimeInput::with_text("note"));
  std::this_thread::sleep_for(200ms);
  fail_unless_equals_int64(server->stats().turns_started, 0);
  c.send(activity(false));
  Reply r = collect(turn_messages(c, 1));
  assert_str(r.text.c_str(), "I heard 1.5 seconds of audio at 16000 Hz. You wrote: note.");
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

// ---- barge-in ----

GST_START_TEST(test_barge_in_stops_the_reply) {
  ServerOptions o = opts();
  o.reply_speed = 2.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  const std::string question = "please tell me a long story about the sea and the ships";
  c.send(protocol::RealtimeInput::with_text(question));
  const std::size_t full_size = mock::synthesize_reply_pcm("You wrote: " + question + ".").size();

  // Two chunks in, the user speaks.
  c.wait_message(
      [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; }, 2);
  c.send(audio(tone(0.2)));
  std::size_t at = c.wait_message(
      [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->interrupted; }, 1);
  fail_unless(is_turn_complete(c.message(at + 1)), "turnComplete follows interrupted");
  fail_unless(c.message(at + 1).usage_metadata.has_value());

  std::this_thread::sleep_for(600ms);
  auto frames = c.frames();
  fail_unless_equals_int64(frames.size(), at + 2);  // not one more chunk
  Reply r = collect(turn_messages(c, 1));
  fail_unless(r.interrupted && !r.generation_complete);
  fail_unless(r.pcm.size() < full_size);
  fail_unless(r.pcm == mock::synthesize_reply_pcm("You wrote: " + question + ".").substr(0, r.pcm.size()));
  ServerStats s = server->stats();
  fail_unless_equals_int64(s.interruptions, 1);
  fail_unless_equals_int64(s.turns_completed, 1);

  // The speech that interrupted starts the next turn.
  c.send(audio_stream_end());
  Reply next = collect(turn_messages(c, at + 2));
  fail_unless(!next.interrupted);
  check_audio_reply(next, "I heard 0.2 seconds of audio at 16000 Hz.");
}
GST_END_TEST;

GST_START_TEST(test_silence_and_activity_during_reply) {
  ServerOptions o = opts();
  o.reply_speed = 4.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  c.send(protocol::RealtimeInput::with_text("keep talking while I stay quiet"));
  c.wait_message(
      [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; }, 1);
  for (int i = 0; i < 5; ++i) c.send(audio(silence(0.1)));
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, 1, &end));
  fail_unless(!r.interrupted, "silence interrupted the reply");
  check_audio_reply(r, "You wrote: keep talking while I stay quiet.");

  // Realtime text interrupts, and becomes the next turn.
  c.send(protocol::RealtimeInput::with_text("again and again and again"));
  c.wait_message(
      [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; }, end);
  c.send(protocol::RealtimeInput::with_text("third time is the charm my friend"));
  std::size_t i = c.wait_message(
      [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->interrupted; },
      end);
  fail_unless(is_turn_complete(c.message(i + 1)));
  Reply third = collect(turn_messages(c, i + 2, &end));
  check_audio_reply(third, "You wrote: third time is the charm my friend.");
  fail_unless_equals_int64(server->stats().interruptions, 1);
}
GST_END_TEST;

// ---- tools ----

GST_START_TEST(test_tool_call_flow) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);
  protocol::FunctionDeclaration decl;
  decl.name = "get_weather";
  decl.parameters =
      protocol::JsonValue::parse(
          R"({"type":"OBJECT","properties":{"location":{"type":"STRING"},"days":{"type":"INTEGER"}}})")
          .value();
  s.tools.push_back(protocol::Tool{});
  s.tools[0].function_declarations.push_back(decl);
  c.start_session(s);

  c.send(protocol::RealtimeInput::with_text("Weather in Paris?"));
  std::size_t at =
      c.wait_message([](const protocol::ServerMessage& m) { return m.tool_call.has_value(); }, 1);
  auto call = c.message(at).tool_call->function_calls.at(0);
  assert_str(call.id.c_str(), "function-call-1");
  assert_str(call.name.c_str(), "get_weather");
  fail_unless(call.args == protocol::JsonValue::parse(R"({"location":"Weather in Paris?","days":1})").value(),
              "args: %s", call.args.to_string().c_str());
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int64(c.frame_count(), at + 1);  // the model waits for the response

  // snake_case keys, as Python sends them.
  c.send_raw(
      R"({"tool_response": {"function_responses": [{"id": "function-call-1", "name": "get_weather", "response": {"temp": 21}}]}})");
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, at + 1, &end));
  assert_str(r.text.c_str(), "You wrote: Weather in Paris? The function get_weather returned {\"temp\":21}.");
  fail_unless_equals_int64(server->stats().tool_responses, 1);

  // New input while a call is pending cancels it.
  c.send(protocol::RealtimeInput::with_text("And Rome?"));
  at = c.wait_message([](const protocol::ServerMessage& m) { return m.tool_call.has_value(); }, end);
  assert_str(c.message(at).tool_call->function_calls.at(0).id.c_str(), "function-call-2");
  c.send(user_turn("never mind"));  // turnComplete: interrupts
  std::size_t cancel = c.wait_message(
      [](const protocol::ServerMessage& m) { return m.tool_call_cancellation.has_value(); }, at);
  auto ids = c.message(cancel).tool_call_cancellation->ids;
  fail_unless_equals_int64(ids.size(), 1);
  assert_str(ids[0].c_str(), "function-call-2");
  fail_unless(c.message(cancel + 1).server_content->interrupted);
  fail_unless(is_turn_complete(c.message(cancel + 2)));

  fail_unless_equals_int64(server->stats().tool_cancellations, 1);

  // "never mind" is the next turn, which calls again; a response to the
  // cancelled call is dropped, the pending one answered.
  at = c.wait_message([](const protocol::ServerMessage& m) { return m.tool_call.has_value(); }, cancel);
  assert_str(c.message(at).tool_call->function_calls.at(0).id.c_str(), "function-call-3");
  protocol::ToolResponse late;
  late.function_responses.push_back(
      {"function-call-2", "get_weather", protocol::JsonValue::empty_object(), {}, {}});
  late.function_responses.push_back(
      {"function-call-3", "get_weather", protocol::JsonValue::parse(R"({"temp":9})").value(), {}, {}});
  c.send(late);
  Reply r3 = collect(turn_messages(c, at + 1));
  assert_str(r3.text.c_str(), "You wrote: never mind. The function get_weather returned {\"temp\":9}.");
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.ignored_tool_responses, 1);
  fail_unless_equals_int64(st.tool_responses, 2);
  fail_unless_equals_int64(st.tool_calls, 3);
}
GST_END_TEST;

GST_START_TEST(test_tool_call_needs_declaration) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));  // declares no function
  c.send(protocol::RealtimeInput::with_text("hi"));
  Reply r = collect(turn_messages(c, 1));
  assert_str(r.text.c_str(), "You wrote: hi.");
}
GST_END_TEST;

// ---- session resumption ----

GST_START_TEST(test_session_resumption) {
  auto server = start_server(opts());
  protocol::Setup s = setup(true);
  s.session_resumption = protocol::SessionResumptionConfig{};
  std::string handle;
  {
    TestClient c(live_uri(*server));
    c.start_session(s);
    auto first = c.message(c.wait_message(
        [](const protocol::ServerMessage& m) { return m.session_resumption_update.has_value(); }, 1));
    fail_unless(first.session_resumption_update->resumable);
    fail_unless(!first.session_resumption_update->new_handle.empty());

    c.send(protocol::RealtimeInput::with_text("remember me"));
    std::size_t end = 0;
    turn_messages(c, 2, &end);
    auto update = c.message(c.wait_message(
        [](const protocol::ServerMessage& m) { return m.session_resumption_update.has_value(); }, end));
    fail_unless(update.session_resumption_update->resumable);
    handle = update.session_resumption_update->new_handle;
    fail_unless(handle != first.session_resumption_update->new_handle);
    c.close();
    c.wait_closed();
  }
  {
    s.session_resumption->handle = handle;
    TestClient c(live_uri(*server));
    c.start_session(s);
    fail_unless_equals_int64(server->stats().resumed, 1);
  }
  {
    s.session_resumption->handle = "stale-handle";
    TestClient c(live_uri(*server));
    c.send(s);
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1008);
    assert_str(info.reason.c_str(), "BidiGenerateContent session not found");
  }
  // Without sessionResumption in the setup there are no updates.
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  c.send(protocol::RealtimeInput::with_text("x"));
  std::size_t end = 0;
  turn_messages(c, 1, &end);
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int64(c.frame_count(), end);
}
GST_END_TEST;

// ---- scripted faults and hooks ----

GST_START_TEST(test_go_away_then_close) {
  ServerOptions o = opts();
  o.go_away_after = 200ms;
  o.go_away_time_left = 300ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  const gint64 setup_at = c.frames()[0].at_us;
  std::size_t at = c.wait_message([](const protocol::ServerMessage& m) { return m.go_away.has_value(); });
  auto go_away = c.message(at).go_away;
  fail_unless(go_away->time_left == std::chrono::nanoseconds(300ms));
  const std::string time_left = "\"timeLeft\": \"" + protocol::format_duration(300ms) + "\"";
  fail_unless(c.frames()[at].payload.find(time_left) != std::string::npos, "%s",
              c.frames()[at].payload.c_str());
  const gint64 go_away_at = c.frames()[at].at_us;
  fail_unless((go_away_at - setup_at) / 1000 >= 180, "goAway too early");
  CloseInfo info = c.wait_closed();
  fail_unless(info.kind == CloseInfo::Kind::Closed);
  fail_unless_equals_int64(info.code, 1008);
  assert_str(info.reason.c_str(), "The operation was aborted.");
  fail_unless((c.closed_at_us() - go_away_at) / 1000 >= 280, "closed before timeLeft ran out");
}
GST_END_TEST;

GST_START_TEST(test_drop_after) {
  ServerOptions o = opts();
  o.drop_after = 150ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  CloseInfo info = c.wait_closed();
  fail_unless(info.kind == CloseInfo::Kind::Dropped, "a close frame arrived (code %d)", info.code);
  fail_unless_equals_int64(info.code, 1006);
}
GST_END_TEST;

GST_START_TEST(test_close_after) {
  ServerOptions o = opts();
  o.close_after = 100ms;
  o.close_code = 1011;
  o.close_reason = "The service is currently unavailable.";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup());
  CloseInfo info = c.wait_closed();
  fail_unless(info.kind == CloseInfo::Kind::Closed);
  fail_unless_equals_int64(info.code, 1011);
  assert_str(info.reason.c_str(), "The service is currently unavailable.");
}
GST_END_TEST;

GST_START_TEST(test_hooks) {
  auto server = start_server(opts());
  {
    TestClient c(live_uri(*server));
    c.start_session(setup());
    server->send_raw("{\"custom\": true}", false);
    fail_unless(c.wait_frames(2));
    auto f = c.frames()[1];
    assert_str(f.payload.c_str(), "{\"custom\": true}");
    fail_unless(!f.binary);
    server->send_raw("bin", true);
    fail_unless(c.wait_frames(3));
    fail_unless(c.frames()[2].binary);
    server->close_connection(4000, "bye");
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 4000);
    assert_str(info.reason.c_str(), "bye");
  }
  {
    TestClient c(live_uri(*server));
    c.start_session(setup());
    server->drop_connection();
    fail_unless(c.wait_closed().kind == CloseInfo::Kind::Dropped);
  }
}
GST_END_TEST;

GST_START_TEST(test_close_mid_reply) {
  ServerOptions o = opts();
  o.reply_speed = 1.0;
  o.first_reply_delay = 50ms;
  o.go_away_after = 10s;  // armed timers die with the connection
  auto server = start_server(o);
  for (int i = 0; i < 3; ++i) {
    TestClient c(live_uri(*server));
    c.start_session(setup());
    c.send(protocol::RealtimeInput::with_text("a reply that will never finish"));
    c.wait_message(
        [](const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; }, 1);
    if (i == 2)
      server->drop_connection();
    else
      c.close();
    c.wait_closed();
  }
  std::this_thread::sleep_for(300ms);
  fail_unless_equals_int64(server->stats().turns_completed, 0);
}
GST_END_TEST;

GST_START_TEST(test_large_frame) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  const std::string big = silence(300.0);  // 9.6 MB of PCM, 12.8 MB of base64
  c.send(audio(big));
  c.send(protocol::RealtimeInput::with_text("done"));
  Reply r = collect(turn_messages(c, 1, nullptr));
  assert_str(r.text.c_str(), "You wrote: done.");  // quiet is not part of a turn
  ServerStats s = server->stats();
  fail_unless_equals_int64(s.audio_bytes, big.size());
  assert_str(s.audio_sha256.c_str(), sha256(big).c_str());
}
GST_END_TEST;

// ---- today's models (live-protocol-2026.md) ----

namespace {

constexpr char k38[] = "models/gemini-3.8-live";
constexpr char k38Thinking[] = "models/gemini-3.8-live-extended-thinking";
constexpr char k31[] = "models/gemini-3.1-flash-live-preview";

// An AUDIO session (all 3.8 models take) whose reply text comes as output
// transcription.
protocol::Setup audio_setup(const char* model) {
  protocol::Setup s;
  s.model = model;
  s.output_audio_transcription = protocol::AudioTranscriptionConfig{};
  return s;
}

protocol::FunctionDeclaration weather(std::optional<std::string> behavior = std::nullopt) {
  protocol::FunctionDeclaration decl;
  decl.name = "get_weather";
  decl.parameters =
      protocol::JsonValue::parse(R"({"type":"OBJECT","properties":{"location":{"type":"STRING"}}})").value();
  decl.behavior = std::move(behavior);
  return decl;
}

void declare(protocol::Setup& s, protocol::FunctionDeclaration decl) {
  protocol::Tool tool;
  tool.function_declarations.push_back(std::move(decl));
  s.tools.push_back(std::move(tool));
}

protocol::ClientContent history(std::vector<std::pair<const char*, const char*>> turns, bool complete) {
  protocol::ClientContent c;
  for (const auto& [role, text] : turns) c.turns.push_back(protocol::Content::from_text(text, std::string(role)));
  c.turn_complete = complete;
  return c;
}

protocol::ToolResponse tool_response(const std::string& id, const std::string& json,
                                     std::optional<std::string> scheduling = std::nullopt,
                                     std::optional<bool> will_continue = std::nullopt) {
  protocol::ToolResponse r;
  r.function_responses.push_back(
      {id, "get_weather", protocol::JsonValue::parse(json).value(), std::move(scheduling), will_continue});
  return r;
}

bool has_model_turn(const protocol::ServerMessage& m) { return m.server_content && m.server_content->model_turn; }
bool has_tool_call(const protocol::ServerMessage& m) { return m.tool_call.has_value(); }
bool is_interrupted(const protocol::ServerMessage& m) { return m.server_content && m.server_content->interrupted; }

CloseInfo refused(const LiveServer& server, const protocol::Setup& s) {
  TestClient c(live_uri(server));
  c.send(s);
  CloseInfo info = c.wait_closed();
  fail_unless_equals_int64(c.frame_count(), 0);
  return info;
}

// Nothing more arrives for a while.
void check_quiet(TestClient& c, std::size_t frames) {
  std::this_thread::sleep_for(250ms);
  fail_unless_equals_int64(c.frame_count(), frames);
}

}  // namespace

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
      {k38, [&](auto& s) { gen(s).response_modalities = {"AUDIO", "TEXT"}; },
       bad + "response_modalities TEXT is not supported by models/gemini-3.8-live."},
      {k38Thinking, [&](auto& s) { gen(s).response_modalities = {"TEXT"}; },
       bad + "response_modalities TEXT is not supported by models/gemini-3.8-live-extended-thinking."},
      {k38, [&](auto& s) { gen(s).thinking_config = protocol::ThinkingConfig{{}, {}, "LOW"}; },
       bad + "thinking_config is not supported by models/gemini-3.8-live."},
      {k38Thinking, [&](auto& s) { gen(s).thinking_config = protocol::ThinkingConfig{{}, {}, "MINIMAL"}; },
       bad + "thinking_level MINIMAL is not supported by models/gemini-3.8-live-extended-thinking."},
      {k38Thinking, [&](auto& s) { gen(s).thinking_config = protocol::ThinkingConfig{1024, {}, {}}; },
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

GST_START_TEST(test_flash_31_client_content_and_context_update) {
  auto server = start_server(opts());
  {
    // clientContent before realtime input is a turn; after it, refused.
    TestClient c(live_uri(*server));
    c.start_session(audio_setup(k31));
    c.send(user_turn("first"));
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, 1, &end)).output_transcript, "You wrote: first.");
    c.send(protocol::RealtimeInput::with_text("second"));
    assert_str(collect(turn_messages(c, end)).output_transcript, "You wrote: second.");
    c.send(user_turn("third"));
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason,
               "Request contains an invalid argument: clientContent after realtime input is not supported by this "
               "model.");
  }
  {
    TestClient c(live_uri(*server));
    c.start_session(audio_setup(k31));
    protocol::ContextUpdate update;
    update.system_instruction = protocol::Content::from_text("Answer in French.", std::string("user"));
    c.send(update);
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason, "Request contains an invalid argument: contextUpdate is not supported by this model.");
  }
  fail_unless_equals_int64(server->stats().context_updates, 0);
}
GST_END_TEST;

GST_START_TEST(test_context_update) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = audio_setup(k38);
  s.system_instruction = protocol::Content::from_text("Be brief.", std::string("user"));
  declare(s, weather("BLOCKING"));
  c.start_session(s);
  ServerStats st = server->stats();
  assert_str(st.system_instruction, "Be brief.");
  fail_unless(st.function_names == std::vector<std::string>{"get_weather"});

  // A new instruction and no tools at all.
  const std::string instruction =
      "You are a pirate. Answer every question like a pirate would, with gusto and many arrs.";
  c.send_raw(R"({"contextUpdate":{"systemInstruction":{"parts":[{"text":")" + instruction +
             R"("}],"role":"user"},"tools":{"tools":[]}}})");
  c.send(protocol::RealtimeInput::with_text("hi"));
  std::size_t end = 0;
  auto messages = turn_messages(c, 1, &end);
  for (const auto& m : messages) fail_unless(!m.tool_call, "a toolCall after the tools were cleared");
  Reply r = collect(messages);
  const std::string expected = "Following new instructions: \"" + instruction.substr(0, 60) + "\". You wrote: hi.";
  assert_str(r.output_transcript, expected);
  check_audio_reply(r, expected);
  st = server->stats();
  fail_unless_equals_int64(st.context_updates, 1);
  assert_str(st.system_instruction, instruction);
  fail_unless(st.function_names.empty());

  // Only the first reply says so.
  c.send(protocol::RealtimeInput::with_text("again"));
  assert_str(collect(turn_messages(c, end, &end)).output_transcript, "You wrote: again.");

  // Tools only: the instruction stays, the function is back.
  protocol::ContextUpdate update;
  update.tools = std::vector<protocol::Tool>{};
  update.tools->push_back(protocol::Tool{});
  update.tools->back().function_declarations.push_back(weather("BLOCKING"));
  c.send(update);
  c.send(protocol::RealtimeInput::with_text("Rome?"));
  std::size_t at = c.wait_message(has_tool_call, end);
  c.send(tool_response(c.message(at).tool_call->function_calls.at(0).id, R"({"temp":20})"));
  assert_str(collect(turn_messages(c, at + 1)).output_transcript,
             "You wrote: Rome? The function get_weather returned {\"temp\":20}.");
  st = server->stats();
  fail_unless_equals_int64(st.context_updates, 2);
  assert_str(st.system_instruction, instruction);
  fail_unless(st.function_names == std::vector<std::string>{"get_weather"});
}
GST_END_TEST;

GST_START_TEST(test_resumed_setup_with_new_instructions) {
  auto server = start_server(opts());
  protocol::Setup s = audio_setup(k38);
  s.session_resumption = protocol::SessionResumptionConfig{};
  s.system_instruction = protocol::Content::from_text("Be brief.", std::string("user"));
  // Resumes with `instruction`, says "x", returns the reply and the next handle.
  std::string handle;
  auto resume_and_ask = [&](const char* instruction) {
    protocol::Setup r = s;
    if (!handle.empty()) r.session_resumption->handle = handle;
    r.system_instruction = protocol::Content::from_text(instruction, std::string("user"));
    TestClient c(live_uri(*server));
    c.start_session(r);
    c.send(protocol::RealtimeInput::with_text("x"));
    std::size_t end = 0;
    Reply reply = collect(turn_messages(c, 1, &end));
    handle = c.message(c.wait_message([](const auto& m) { return m.session_resumption_update.has_value(); }, end))
                 .session_resumption_update->new_handle;
    return reply.output_transcript;
  };
  assert_str(resume_and_ask("Be brief."), "You wrote: x.");  // a new session
  assert_str(resume_and_ask("Be brief."), "You wrote: x.");  // resumed, same instruction
  assert_str(resume_and_ask("Be verbose."), "Following new instructions: \"Be verbose.\". You wrote: x.");
  assert_str(resume_and_ask("Be verbose."), "You wrote: x.");
  fail_unless_equals_int64(server->stats().resumed, 3);
}
GST_END_TEST;

GST_START_TEST(test_client_content_roles) {
  ServerOptions o = opts();
  o.reply_speed = 2.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  // What the model said is context: no reply, even with turnComplete.
  c.send(history({{"model", "Earlier I said hello."}}, true));
  c.send(user_turn("What is on my screen?", false));
  check_quiet(c, 1);
  fail_unless_equals_int64(server->stats().turns_started, 0);
  c.send_raw(R"({"clientContent":{"turnComplete":true}})");
  std::size_t end = 0;
  assert_str(collect(turn_messages(c, 1, &end)).text, "You wrote: What is on my screen?");

  // During a reply: without turnComplete the model waits; with it, it is interrupted.
  c.send(protocol::RealtimeInput::with_text("tell me a long story about the sea and the ships please"));
  std::size_t first = c.wait_message(has_model_turn, end);
  c.send(user_turn("more", false));
  std::this_thread::sleep_for(100ms);
  for (const auto& f : c.frames()) fail_unless(f.payload.find("interrupted") == std::string::npos);
  c.send(user_turn("stop"));
  std::size_t i = c.wait_message(is_interrupted, first);
  fail_unless(is_turn_complete(c.message(i + 1)));
  assert_str(collect(turn_messages(c, i + 2)).text, "You wrote: more stop.");
  // The realtime text did not interrupt anything: one interruption.
  fail_unless_equals_int64(server->stats().interruptions, 1);
}
GST_END_TEST;

GST_START_TEST(test_initial_history) {
  auto server = start_server(opts());
  protocol::Setup s = setup(true);
  s.history_config = protocol::HistoryConfig{true};
  {
    // History until the message with turnComplete: never answered.
    TestClient c(live_uri(*server));
    c.start_session(s);
    c.send(history({{"user", "Hi"}, {"model", "Hello"}}, false));
    c.send(history({{"user", "Remember 42."}}, true));
    check_quiet(c, 1);
    fail_unless_equals_int64(server->stats().turns_started, 0);
    fail_unless_equals_int64(server->stats().history_turns, 3);
    c.send(protocol::RealtimeInput::with_text("What number?"));
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, 1, &end)).text, "I have 3 turns of history. You wrote: What number?");
    c.send(user_turn("And now?"));
    assert_str(collect(turn_messages(c, end)).text, "You wrote: And now?");
  }
  {
    // Realtime input ends it too; gemini-3.1 takes clientContent as history only.
    protocol::Setup flash = audio_setup(k31);
    flash.history_config = protocol::HistoryConfig{true};
    TestClient c(live_uri(*server));
    c.start_session(flash);
    c.send(history({{"user", "Hi"}}, false));
    c.send(protocol::RealtimeInput::with_text("Hello?"));
    assert_str(collect(turn_messages(c, 1)).output_transcript, "I have 1 turn of history. You wrote: Hello?");
    c.send(history({{"user", "late"}}, true));
    fail_unless_equals_int64(c.wait_closed().code, 1007);
  }
  fail_unless_equals_int64(server->stats().history_turns, 4);
}
GST_END_TEST;

GST_START_TEST(test_activity_control) {
  ServerOptions o = opts();
  auto server = start_server(o);
  for (bool start : {true, false}) {
    // Explicit activity while the server detects it itself.
    TestClient c(live_uri(*server));
    c.start_session(setup(true));
    c.send(activity(start));
    CloseInfo info = c.wait_closed();
    fail_unless_equals_int64(info.code, 1007);
    assert_str(info.reason,
               "Explicit activity control is not supported when automatic activity detection is enabled.");
  }

  // Push-to-talk: only what lies between activityStart and activityEnd.
  protocol::Setup s = setup(true);
  s.realtime_input_config = protocol::RealtimeInputConfig{};
  s.realtime_input_config->automatic_activity_detection = protocol::AutomaticActivityDetection{};
  s.realtime_input_config->automatic_activity_detection->disabled = true;
  TestClient c(live_uri(*server));
  c.start_session(s);
  c.send(activity(true));
  c.send(audio(tone(0.4)));
  c.send(activity(false));
  std::size_t end = 0;
  assert_str(collect(turn_messages(c, 1, &end)).text, "I heard 0.4 seconds of audio at 16000 Hz.");
  c.send(audio(tone(1.0)));  // after activityEnd: no turn, even with a long pause
  c.send(audio(silence(1.0)));
  c.send(audio_stream_end());
  check_quiet(c, end);
  c.send(activity(true));
  c.send(audio(tone(0.2)));
  c.send(activity(false));
  assert_str(collect(turn_messages(c, end)).text, "I heard 0.2 seconds of audio at 16000 Hz.");
  for (const auto& f : c.frames()) fail_unless(f.payload.find("voiceActivity") == std::string::npos);
  fail_unless_equals_int64(server->stats().voice_activity_starts, 0);
}
GST_END_TEST;

GST_START_TEST(test_no_interruption) {
  ServerOptions o = opts();
  o.reply_speed = 2.0;
  auto server = start_server(o);
  protocol::Setup s = setup(true);
  s.realtime_input_config = protocol::RealtimeInputConfig{};
  s.realtime_input_config->activity_handling = "NO_INTERRUPTION";
  TestClient c(live_uri(*server));
  c.start_session(s);
  c.send(protocol::RealtimeInput::with_text("tell me a long story about the sea and the ships please"));
  c.wait_message(has_model_turn, 1);
  c.send(audio(tone(0.3)));  // barge-in that does not interrupt
  c.send(audio_stream_end());
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, 1, &end));
  fail_unless(!r.interrupted && r.generation_complete);
  assert_str(r.text, "You wrote: tell me a long story about the sea and the ships please.");
  // The speech is answered after the reply.
  assert_str(collect(turn_messages(c, end)).text, "I heard 0.3 seconds of audio at 16000 Hz.");
  fail_unless_equals_int64(server->stats().interruptions, 0);
}
GST_END_TEST;

GST_START_TEST(test_voice_activity_signals) {
  ServerOptions o = opts();
  o.end_of_speech_silence = 300ms;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  c.start_session(setup(true));
  const std::string stream = silence(0.3) + tone(0.5) + silence(0.5);
  for (std::size_t at = 0; at < stream.size(); at += 3200) c.send(audio(stream.substr(at, 3200)));
  std::size_t end = 0;
  auto messages = turn_messages(c, 1, &end);
  fail_unless(messages.size() > 2);
  fail_unless(messages[0].voice_activity.has_value());
  assert_str(messages[0].voice_activity->type, "ACTIVITY_START");
  fail_unless(messages[1].voice_activity.has_value());
  assert_str(messages[1].voice_activity->type, "ACTIVITY_END");
  assert_str(c.frames()[2].payload, "{\n  \"voiceActivity\": {\n    \"type\": \"ACTIVITY_END\"\n  }\n}\n");
  for (std::size_t i = 2; i < messages.size(); ++i) fail_unless(!messages[i].voice_activity);
  assert_str(collect(messages).text, "I heard 0.8 seconds of audio at 16000 Hz.");
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.voice_activity_starts, 1);
  fail_unless_equals_int64(st.voice_activity_ends, 1);
}
GST_END_TEST;

GST_START_TEST(test_non_blocking_tool_calls) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = audio_setup(k38);
  declare(s, weather());  // NON_BLOCKING: 3.8-live's default
  c.start_session(s);

  // The call, and the model talks on and ends its turn without the result.
  c.send(protocol::RealtimeInput::with_text("Weather in Oslo?"));
  std::size_t end = 0;
  auto messages = turn_messages(c, 1, &end);
  fail_unless(messages[0].tool_call.has_value(), "the toolCall comes first");
  auto call = messages[0].tool_call->function_calls.at(0);
  assert_str(call.id, "function-call-1");
  fail_unless(call.args == protocol::JsonValue::parse(R"({"location":"Weather in Oslo?"})").value());
  Reply r = collect(messages);
  assert_str(r.output_transcript, "You wrote: Weather in Oslo?");
  check_audio_reply(r, "You wrote: Weather in Oslo?");

  // WHEN_IDLE (the default), a partial result: answered at once, the model being idle.
  c.send(tool_response(call.id, R"({"temp":21})", std::nullopt, true));
  assert_str(collect(turn_messages(c, end, &end)).output_transcript,
             "The function get_weather returned {\"temp\":21}.");
  // SILENT and final: no generation.
  c.send(tool_response(call.id, R"({"temp":22})", "SILENT"));
  check_quiet(c, end);
  // The call is over: more responses are dropped.
  c.send(tool_response(call.id, R"({"temp":23})"));
  fail_unless(server->wait_for([](const ServerStats& st) { return st.ignored_tool_responses == 1; }, kWait));
  check_quiet(c, end);
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.tool_calls, 1);
  fail_unless_equals_int64(st.tool_responses, 2);
  fail_unless_equals_int64(st.turns_completed, 2);
}
GST_END_TEST;

GST_START_TEST(test_tool_response_scheduling_during_a_reply) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  o.reply_speed = 2.0;
  auto server = start_server(o);
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);  // an unknown model: behavior as declared
  declare(s, weather("NON_BLOCKING"));
  c.start_session(s);
  const std::string question = "What is the weather in all the cities of the north today?";

  // WHEN_IDLE during the reply: the reply ends, then the result is said.
  c.send(protocol::RealtimeInput::with_text(question));
  std::size_t at = c.wait_message(has_tool_call, 1);
  c.wait_message(has_model_turn, at);
  c.send(tool_response(c.message(at).tool_call->function_calls.at(0).id, R"({"temp":5})"));
  std::size_t end = 0;
  Reply r = collect(turn_messages(c, at + 1, &end));
  fail_unless(!r.interrupted);
  assert_str(r.text, "You wrote: " + question);
  assert_str(collect(turn_messages(c, end, &end)).text, "The function get_weather returned {\"temp\":5}.");

  // INTERRUPT: the model stops and says it now.
  c.send(protocol::RealtimeInput::with_text(question));
  at = c.wait_message(has_tool_call, end);
  c.wait_message(has_model_turn, at);
  c.send(tool_response(c.message(at).tool_call->function_calls.at(0).id, R"({"temp":6})", "INTERRUPT"));
  std::size_t i = c.wait_message(is_interrupted, at);
  fail_unless(is_turn_complete(c.message(i + 1)));
  assert_str(collect(turn_messages(c, i + 2)).text, "The function get_weather returned {\"temp\":6}.");
  for (const auto& f : c.frames()) fail_unless(f.payload.find("toolCallCancellation") == std::string::npos);
  ServerStats st = server->stats();
  fail_unless_equals_int64(st.interruptions, 1);
  fail_unless_equals_int64(st.tool_cancellations, 0);
}
GST_END_TEST;

GST_START_TEST(test_cancel_tool_after) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  o.cancel_tool_after = 150ms;
  auto server = start_server(o);
  {
    // A BLOCKING call: cancelled, and the model answers without it.
    TestClient c(live_uri(*server));
    protocol::Setup s = setup(true);
    declare(s, weather());  // an unknown model's calls block unless declared otherwise
    c.start_session(s);
    c.send(protocol::RealtimeInput::with_text("Paris?"));
    std::size_t at = c.wait_message(has_tool_call, 1);
    const gint64 call_at = c.frames()[at].at_us;
    std::size_t cancel = c.wait_message([](const auto& m) { return m.tool_call_cancellation.has_value(); }, at);
    fail_unless_equals_int64(cancel, at + 1);
    fail_unless((c.frames()[cancel].at_us - call_at) / 1000 >= 140, "cancelled too early");
    fail_unless(c.message(cancel).tool_call_cancellation->ids == std::vector<std::string>{"function-call-1"});
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, cancel + 1, &end)).text,
               "You wrote: Paris? The call to get_weather was cancelled.");
    // A late response is dropped; the session goes on.
    c.send(tool_response("function-call-1", R"({"temp":1})"));
    fail_unless(server->wait_for([](const ServerStats& st) { return st.ignored_tool_responses == 1; }, kWait));
    check_quiet(c, end);
  }
  {
    // A NON_BLOCKING call: the turn is long over when it is cancelled.
    TestClient c(live_uri(*server));
    protocol::Setup s = audio_setup(k38);
    declare(s, weather());
    c.start_session(s);
    c.send(protocol::RealtimeInput::with_text("Oslo?"));
    std::size_t end = 0;
    assert_str(collect(turn_messages(c, 1, &end)).output_transcript, "You wrote: Oslo?");
    std::size_t cancel = c.wait_message([](const auto& m) { return m.tool_call_cancellation.has_value(); }, end);
    fail_unless_equals_int64(cancel, end);
    fail_unless(c.message(cancel).tool_call_cancellation->ids == std::vector<std::string>{"function-call-2"});
    check_quiet(c, end + 1);
  }
  fail_unless_equals_int64(server->stats().tool_cancellations, 2);
}
GST_END_TEST;

GST_START_TEST(test_builtin_tools) {
  auto server = start_server(opts());
  TestClient c(live_uri(*server));
  protocol::Setup s = setup(true);
  s.tools.resize(3);
  s.tools[0].google_search = true;
  s.tools[1].code_execution = true;
  s.tools[2].url_context = true;
  c.start_session(s);
  c.send(protocol::RealtimeInput::with_text("what is 2 + 2"));
  auto messages = turn_messages(c, 1);
  // The code and its result first, then the text whose first part carries the metadata.
  const auto& code = messages.at(0).server_content->model_turn->parts;
  fail_unless_equals_int64(code.size(), 2);
  fail_unless(code[0].executable_code ==
              protocol::JsonValue::parse(R"json({"language":"PYTHON","code":"print(2 + 2)"})json").value());
  fail_unless(code[1].code_execution_result ==
              protocol::JsonValue::parse(R"({"outcome":"OUTCOME_OK","output":"4\n"})").value());
  const auto& first = *messages.at(1).server_content;
  fail_unless(first.model_turn && first.model_turn->parts.at(0).text);
  const std::string uri = "https://example.com/search?q=what%20is%202%20%2B%202";
  const auto grounding = protocol::JsonValue::parse(
      R"({"webSearchQueries":["what is 2 + 2"],"groundingChunks":[{"web":{"uri":")" + uri +
      R"(","title":"Example result"}}],"searchEntryPoint":{"renderedContent":)"
      R"("<div class=\"search-entry-point\"><a href=\")" +
      uri + R"(\">what is 2 + 2</a></div>"}})");
  fail_unless(first.grounding_metadata == grounding.value(), "%s", first.grounding_metadata.to_string().c_str());
  fail_unless(first.url_context_metadata ==
              protocol::JsonValue::parse(R"({"urlMetadata":[{"retrievedUrl":"https://example.com/",)"
                                         R"("urlRetrievalStatus":"URL_RETRIEVAL_STATUS_SUCCESS"}]})")
                  .value());
  for (std::size_t i = 2; i < messages.size(); ++i)
    fail_unless(messages[i].server_content->grounding_metadata.is_null());
  assert_str(collect(messages).text, "You wrote: what is 2 + 2.");

  // Without text, the search is for what is on the screen.
  TestClient v(live_uri(*server));
  protocol::Setup search = setup();
  search.tools.resize(1);
  search.tools[0].google_search = true;
  v.start_session(search);
  v.send(protocol::RealtimeInput::with_video({"image/jpeg", jpeg_header(64, 48)}));
  v.send_raw(R"({"clientContent":{"turnComplete":true}})");
  auto video_messages = turn_messages(v, 1);
  const auto& meta = video_messages.at(0).server_content->grounding_metadata;
  fail_unless(!meta.is_null());
  fail_unless(meta.to_string().find(R"("webSearchQueries":["what is on the screen"])") != std::string::npos,
              "%s", meta.to_string().c_str());
}
GST_END_TEST;

GST_START_TEST(test_extended_thinking_interaction_status) {
  ServerOptions o = opts();
  o.tool_call = "get_weather";
  auto server = start_server(o);
  auto status = [](const std::vector<protocol::ServerMessage>& turn) {
    return turn.back().server_content->interaction_status.value_or("(none)");
  };
  {
    TestClient c(live_uri(*server));
    protocol::Setup s = audio_setup(k38Thinking);
    declare(s, weather());
    c.start_session(s);
    c.send(protocol::RealtimeInput::with_text("Plan my trip."));
    std::size_t end = 0;
    auto filler = turn_messages(c, 1, &end);
    fail_unless(filler[0].tool_call.has_value());
    assert_str(status(filler), "IN_PROGRESS");  // the call is still out
    c.send(tool_response(filler[0].tool_call->function_calls.at(0).id, R"({"ok":true})"));
    auto done = turn_messages(c, end);
    assert_str(collect(done).output_transcript, "The function get_weather returned {\"ok\":true}.");
    assert_str(status(done), "IDLE");
    const std::string last = c.frames()[end + done.size() - 1].payload;
    fail_unless(last.find("\"interactionStatus\": \"IDLE\"") != std::string::npos, "%s", last.c_str());
  }
  {
    TestClient c(live_uri(*server));
    c.start_session(setup(true));  // other models send none
    c.send(protocol::RealtimeInput::with_text("hi"));
    assert_str(status(turn_messages(c, 1)), "(none)");
  }
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
  tcase_add_test(tc, test_first_message_must_be_setup);
  tcase_add_test(tc, test_invalid_input_closes_1007);
  tcase_add_test(tc, test_unknown_model_closes_1008);
  tcase_add_test(tc, test_snake_case_and_url_safe_base64);
  tcase_add_test(tc, test_audio_and_frames_reply);
  tcase_add_test(tc, test_text_modality_realtime_text);
  tcase_add_test(tc, test_client_content_turn);
  tcase_add_test(tc, test_transcriptions_when_asked);
  tcase_add_test(tc, test_speech_then_silence_ends_the_turn);
  tcase_add_test(tc, test_manual_activity_detection);
  tcase_add_test(tc, test_reply_pacing_and_first_reply_delay);
  tcase_add_test(tc, test_barge_in_stops_the_reply);
  tcase_add_test(tc, test_silence_and_activity_during_reply);
  tcase_add_test(tc, test_tool_call_flow);
  tcase_add_test(tc, test_tool_call_needs_declaration);
  tcase_add_test(tc, test_session_resumption);
  tcase_add_test(tc, test_go_away_then_close);
  tcase_add_test(tc, test_drop_after);
  tcase_add_test(tc, test_close_after);
  tcase_add_test(tc, test_hooks);
  tcase_add_test(tc, test_close_mid_reply);
  tcase_add_test(tc, test_large_frame);
  tcase_add_test(tc, test_model_refusals);
  tcase_add_test(tc, test_flash_31_client_content_and_context_update);
  tcase_add_test(tc, test_context_update);
  tcase_add_test(tc, test_resumed_setup_with_new_instructions);
  tcase_add_test(tc, test_client_content_roles);
  tcase_add_test(tc, test_initial_history);
  tcase_add_test(tc, test_activity_control);
  tcase_add_test(tc, test_no_interruption);
  tcase_add_test(tc, test_voice_activity_signals);
  tcase_add_test(tc, test_non_blocking_tool_calls);
  tcase_add_test(tc, test_tool_response_scheduling_during_a_reply);
  tcase_add_test(tc, test_cancel_tool_after);
  tcase_add_test(tc, test_builtin_tools);
  tcase_add_test(tc, test_extended_thinking_interaction_status);
  return s;
}

GST_CHECK_MAIN(server);
