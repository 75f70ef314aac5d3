// SPDX-License-Identifier: LGPL-2.1-or-later
// Client → server messages (BidiGenerateContentClientMessage): exactly one of
// setup, clientContent, realtimeInput, toolResponse, contextUpdate. The client encodes them;
// the local server decodes them (accepting camelCase and snake_case, standard
// and URL-safe base64, as the service does).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/content.h"
#include "protocol/expected.h"
#include "protocol/setup.h"

namespace geminilive::protocol {

struct ClientContent {
  std::vector<Content> turns;
  std::optional<bool> turn_complete;
};

// One realtime input. The SDKs send one field per message; several set fields
// are encoded together (the JS SDK allows that too).
struct RealtimeInput {
  std::optional<Blob> audio;  // mimeType "audio/pcm;rate=N"
  std::optional<Blob> video;  // mimeType "image/jpeg" | "image/png"
  std::optional<std::string> text;
  bool activity_start = false;
  bool activity_end = false;
  bool audio_stream_end = false;
  std::vector<Blob> media_chunks;  // deprecated form, decoded for old clients

  static RealtimeInput with_audio(Blob audio);
  static RealtimeInput with_video(Blob video);
  static RealtimeInput with_text(std::string text);
};

struct ToolResponse {
  std::vector<FunctionResponse> function_responses;
};

// Changes the system instruction and/or the tools mid-session (models of the
// gemini-3.8 era). Absent: keep; tools present but empty: clear them all.
struct ContextUpdate {
  std::optional<Content> system_instruction;
  std::optional<std::vector<Tool>> tools;  // on the wire {"tools":{"tools":[...]}}
};

using ClientMessage = std::variant<Setup, ClientContent, RealtimeInput, ToolResponse, ContextUpdate>;

// Compact JSON, camelCase, as the JS SDK sends it (one text frame).
std::string encode_client_message(const ClientMessage& message);
Expected<ClientMessage> decode_client_message(std::string_view json);

// The wire name of the message's oneof field ("setup", "realtimeInput", ...).
const char* client_message_kind(const ClientMessage& message);

}  // namespace geminilive::protocol
