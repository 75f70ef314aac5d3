// SPDX-License-Identifier: LGPL-2.1-or-later
// What one user turn gave the local Live server, and the words it answers
// with. The reply text only states facts about this turn's input (seconds and
// rate of audio, frames and the last frame's size and type, texts, a tool's
// result), so a client test can predict it exactly; docs/mock-server.md has
// the format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media_probe.h"
#include "protocol/json_value.h"
#include "protocol/server_message.h"
#include "protocol/setup.h"

namespace geminilive::mock {

struct TurnInput {
  uint64_t audio_bytes = 0;
  double audio_seconds = 0.0;
  unsigned audio_rate = 0;  // of the last audio chunk
  unsigned frames = 0;
  std::optional<ImageInfo> last_frame;  // nullopt: unreadable header
  std::string last_frame_mime;
  std::vector<std::string> texts;
  std::string tool_name;           // set once a tool response arrived
  std::string tool_response_json;  // its `response`, compact JSON
  std::string tool_cancelled;      // a function whose call the server cancelled in this turn

  // Said first in the reply, not input of the turn itself.
  std::optional<std::string> new_instructions;  // the system instruction changed since the last reply
  unsigned history_turns = 0;                   // initial history received before this reply

  void add_audio(std::string_view pcm, unsigned rate);
  void add_frame(std::string_view bytes, const std::string& mime);
  void add_text(std::string text);
  bool empty() const;
};

// e.g. "I heard 2.4 seconds of audio at 16000 Hz and saw 3 frames, the last a
// 1024x576 JPEG. You wrote: hello.", preceded by `Following new instructions:
// "<first 60 characters>". ` after a context change and by "I have 3 turns of
// history. " after initial history.
std::string reply_text(const TurnInput& turn);

// What a googleSearch "searches for": the turn's texts joined, or "what is on
// the screen" when it had none.
std::string search_query(const TurnInput& turn);

// The inputTranscription the server sends for a turn with audio, e.g.
// "(2.4 seconds of speech)"; empty when the turn had no audio.
std::string input_transcription_text(const TurnInput& turn);

// Seconds with one decimal, '.' whatever the locale.
std::string format_seconds(double seconds);

// Plausible token counts: 25 per second of audio, 258 per image, a quarter
// of the characters of text (rounded up). `response_audio_seconds` and
// `response_text_chars` are what the server actually sent this turn.
protocol::UsageMetadata turn_usage(const TurnInput& turn, bool audio_response, double response_audio_seconds,
                                   std::size_t response_text_chars);

// Arguments for a toolCall of `decl`: one value per declared parameter, made
// from the turn (STRING: the turn's last text, or "turn N"; INTEGER/NUMBER:
// N; BOOLEAN: true; OBJECT/ARRAY: empty), so the call matches the schema.
protocol::JsonValue tool_call_args(const protocol::FunctionDeclaration& decl, unsigned turn_number,
                                   const TurnInput& turn);

}  // namespace geminilive::mock
