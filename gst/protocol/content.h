// SPDX-License-Identifier: LGPL-2.1-or-later
// Building blocks shared by client and server messages: Blob, Part, Content
// and the function-calling records (BidiGenerateContent protocol, see
// docs/protocol.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/json_value.h"

namespace geminilive::protocol {

// Inline media. `data` holds the raw bytes; codecs base64 them on the wire.
struct Blob {
  std::string mime_type;
  std::string data;
};

struct Part {
  std::optional<std::string> text;
  std::optional<Blob> inline_data;
  std::optional<bool> thought;
  JsonValue executable_code;        // {"language","code"}
  JsonValue code_execution_result;  // {"outcome","output"}
};

struct Content {
  std::optional<std::string> role;  // "user" | "model"
  std::vector<Part> parts;

  static Content from_text(std::string text, std::optional<std::string> role = {});
  // All text parts joined, thoughts excluded.
  std::string text() const;
};

struct FunctionCall {
  std::string id;  // may be empty on Vertex
  std::string name;
  JsonValue args;
};

struct FunctionResponse {
  std::string id;
  std::string name;
  JsonValue response;                     // {"output": ...} or {"error": ...}
  std::optional<std::string> scheduling;  // SILENT | WHEN_IDLE | INTERRUPT
  std::optional<bool> will_continue;
};

}  // namespace geminilive::protocol
