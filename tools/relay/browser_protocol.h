// SPDX-License-Identifier: LGPL-2.1-or-later
// The browser's side of geminilive-relay, as data: what a page sends (the
// tutorial's messages, snake_case or camelCase, and our page's additions)
// and what the relay sends back. Pure: no I/O, no GStreamer, no libsoup, so
// it is tested on its own (docs/relay.md lists every message).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace geminilive::relay {

// One media chunk of realtime input, decoded.
struct MediaChunk {
  enum class Kind { Audio, Image };
  Kind kind = Kind::Audio;
  std::string mime_type;  // as sent, e.g. "audio/pcm" or "image/jpeg"
  int rate = 16000;       // audio: from ";rate=N", else 16000
  std::vector<uint8_t> data;
};

struct BrowserMessage {
  enum class Type { Setup, RealtimeInput };
  Type type = Type::Setup;

  // Setup.
  bool text_answers = false;  // response_modalities ["TEXT"]
  bool push_to_talk = false;  // realtime_input_config.automatic_activity_detection.disabled

  // Realtime input.
  std::vector<MediaChunk> chunks;
  std::string text;  // realtime_input.text (our page's typed input)
  bool activity_start = false;
  bool activity_end = false;
};

// Why a message was refused: said to the browser, then it is closed.
struct ProtocolError {
  std::string message;
};

// Parses one WebSocket text (or binary) message. Unknown members of a setup
// are ignored (the tutorial page sends the SDK's whole config); an unknown
// message type, a chunk of another MIME type, bad base64 or a rate outside
// 8000-48000 Hz is an error.
std::optional<BrowserMessage> parse_browser_message(const std::string& json, ProtocolError* error);

// At most `bytes` bytes of `text`, cut at a UTF-8 character boundary (for
// quoting what a browser sent, and for close reasons).
std::string clip_utf8(const std::string& text, size_t bytes);

// Strict base64 (standard or URL-safe alphabet, padding optional): false on
// any other character or an impossible length.
bool decode_base64_strict(const std::string& text, std::vector<uint8_t>* out);

// What the relay sends. The tutorial page reads only "text" and "audio" and
// ignores the rest; our page reads the typed messages ("type").
std::string encode_text(const std::string& text);           // {"text":"…"}
std::string encode_audio(const uint8_t* pcm, size_t size);  // {"audio":"<base64 24 kHz S16LE>"}
// {"type":"transcript","role":"user"|"model","delta":"…","finished":bool}
std::string encode_transcript(bool user, const std::string& delta, bool finished);
std::string encode_event(const std::string& type);  // {"type":"interrupted"}, {"type":"turn_complete"}
// {"type":"state","state":"connecting"|"ready"|"reconnecting"|"closed","detail":"…"}
std::string encode_state(const std::string& state, const std::string& detail);
// {"type":"usage","prompt_tokens":N,"response_tokens":N,"total_tokens":N}
std::string encode_usage(int64_t prompt, int64_t response, int64_t total);
// {"type":"latency","ms":N}: end of the user's input to the first answer.
std::string encode_latency(int64_t ms);
// {"type":"error","message":"…"}: then the browser is closed.
std::string encode_error(const std::string& message);
// {"type":"warning","message":"…"}: something the session survived.
std::string encode_warning(const std::string& message);

}  // namespace geminilive::relay
