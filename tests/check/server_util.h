// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the server suite's files (server.cpp, server_turns.cpp,
// server_tools.cpp, server_faults.cpp): test media, client messages through
// the protocol encoder, a client that records every frame, and the reading
// of a reply's messages.
#pragma once

#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "check_util.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "reply_synth.h"

namespace geminilive::testing {

using namespace std::chrono_literals;

inline constexpr char kModel[] = "models/gemini-2.5-flash-native-audio-preview-12-2025";
inline constexpr std::size_t kChunkBytes = 9600;  // 200 ms of 24 kHz S16LE mono

// ---- media ----

// S16LE mono tone; amplitude well above the server's speech threshold.
inline std::string tone(double seconds, unsigned rate = 16000, double freq = 440.0) {
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

inline std::string silence(double seconds, unsigned rate = 16000) {
  return std::string(static_cast<std::size_t>(std::lround(seconds * rate)) * 2, '\0');
}

// The headers of a baseline JPEG (SOI, APP0, SOF0, EOI): enough for a probe.
inline std::string jpeg_header(unsigned width, unsigned height) {
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

inline std::string sha256(const std::string& bytes) {
  g_autoptr(GChecksum) c = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(c, reinterpret_cast<const guchar*>(bytes.data()), static_cast<gssize>(bytes.size()));
  return g_checksum_get_string(c);
}

// ---- client messages (all through the protocol encoder) ----

inline protocol::Setup setup(bool text_reply = false) {
  protocol::Setup s;
  s.model = kModel;
  if (text_reply) {
    s.generation_config = protocol::GenerationConfig{};
    s.generation_config->response_modalities = {"TEXT"};
  }
  return s;
}

inline protocol::RealtimeInput audio(std::string pcm, unsigned rate = 16000) {
  return protocol::RealtimeInput::with_audio({"audio/pcm;rate=" + std::to_string(rate), std::move(pcm)});
}

inline protocol::RealtimeInput audio_stream_end() {
  protocol::RealtimeInput r;
  r.audio_stream_end = true;
  return r;
}

inline protocol::ClientContent user_turn(const std::string& text, bool complete = true) {
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
inline ServerOptions opts() {
  ServerOptions o;
  o.reply_speed = 0.0;
  return o;
}

inline bool is_turn_complete(const protocol::ServerMessage& m) {
  return m.server_content && m.server_content->turn_complete;
}

// The messages of one turn, from `from` up to and including turnComplete.
inline std::vector<protocol::ServerMessage> turn_messages(TestClient& c, std::size_t from, std::size_t* end = nullptr) {
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

inline Reply collect(const std::vector<protocol::ServerMessage>& messages) {
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

inline void check_audio_reply(const Reply& r, const std::string& expected_text) {
  const std::string expected = mock::synthesize_reply_pcm(expected_text);
  fail_unless(!expected.empty());
  fail_unless_equals_int64(r.pcm.size(), expected.size());
  fail_unless(r.pcm == expected, "reply PCM differs from the synth's output for \"%s\"", expected_text.c_str());
  for (std::size_t i = 0; i + 1 < r.chunk_sizes.size(); ++i) fail_unless_equals_int64(r.chunk_sizes[i], kChunkBytes);
  fail_unless(r.chunk_sizes.back() > 0 && r.chunk_sizes.back() <= kChunkBytes);
  fail_unless(r.generation_complete);
  fail_unless(r.usage.has_value());
}

// ---- today's models (live-protocol-2026.md) ----

inline constexpr char k38[] = "models/gemini-3.8-live";
inline constexpr char k38Thinking[] = "models/gemini-3.8-live-extended-thinking";
inline constexpr char k31[] = "models/gemini-3.1-flash-live-preview";

// An AUDIO session (all 3.8 models take) whose reply text comes as output
// transcription.
inline protocol::Setup audio_setup(const char* model) {
  protocol::Setup s;
  s.model = model;
  s.output_audio_transcription = protocol::AudioTranscriptionConfig{};
  return s;
}

inline protocol::FunctionDeclaration weather(std::optional<std::string> behavior = std::nullopt) {
  protocol::FunctionDeclaration decl;
  decl.name = "get_weather";
  decl.parameters =
      protocol::JsonValue::parse(R"({"type":"OBJECT","properties":{"location":{"type":"STRING"}}})").value();
  decl.behavior = std::move(behavior);
  return decl;
}

inline void declare(protocol::Setup& s, protocol::FunctionDeclaration decl) {
  protocol::Tool tool;
  tool.function_declarations.push_back(std::move(decl));
  s.tools.push_back(std::move(tool));
}

inline protocol::ToolResponse tool_response(const std::string& id, const std::string& json,
                                            std::optional<std::string> scheduling = std::nullopt,
                                            std::optional<bool> will_continue = std::nullopt) {
  protocol::ToolResponse r;
  r.function_responses.push_back(
      {id, "get_weather", protocol::JsonValue::parse(json).value(), std::move(scheduling), will_continue});
  return r;
}

inline bool has_model_turn(const protocol::ServerMessage& m) {
  return m.server_content && m.server_content->model_turn;
}
inline bool has_tool_call(const protocol::ServerMessage& m) { return m.tool_call.has_value(); }
inline bool is_interrupted(const protocol::ServerMessage& m) {
  return m.server_content && m.server_content->interrupted;
}

// Nothing more arrives for a while.
inline void check_quiet(TestClient& c, std::size_t frames) {
  std::this_thread::sleep_for(250ms);
  fail_unless_equals_int64(c.frame_count(), frames);
}

}  // namespace geminilive::testing
