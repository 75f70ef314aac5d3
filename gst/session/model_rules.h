// SPDX-License-Identifier: LGPL-2.1-or-later
// What each known Live model accepts (live-protocol-2026.md §2, §2.1, §7.5,
// §7.6): one row per model family. The element checks a setup against its
// model's row before connecting, so a combination the service documents as
// refused fails in words instead of as a close code. Unknown models pass
// unchecked.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/setup.h"

namespace geminilive::session {

// How a model takes a setting.
enum class Accepts {
  No,      // the service refuses the session when it is sent
  Yes,     // it may be sent
  Always,  // always on: sending it on is harmless, sending it off is refused
};

struct ModelRules {
  const char* family;  // the id, or the prefix of ids, it covers ("gemini-2.5-flash-native-audio")
  bool prefix;         // family is a prefix of the ids it covers
  const char* status;  // for the docs: "stable", "legacy preview", ...
  bool text_output;    // responseModalities may be TEXT (else AUDIO only: text comes as output transcription)
  Accepts thinking_level;
  Accepts thinking_budget;
  Accepts proactive_audio;
  Accepts affective_dialog;
  Accepts blocking_calls;           // function declarations with behavior BLOCKING
  Accepts non_blocking_calls;       // ... with behavior NON_BLOCKING
  const char* default_behavior;     // what a declaration without behavior is: "BLOCKING" | "NON_BLOCKING"
  bool mid_session_client_content;  // clientContent after realtime input started (not only history)
  bool context_update;              // contextUpdate messages
};

// The rows, in the order the docs list them.
const std::vector<ModelRules>& known_models();

// The row for `model` (with or without "models/", or a Vertex resource name
// ending in "/models/<id>"), or null for a model we know nothing about.
const ModelRules* find_model_rules(std::string_view model);

// The model id without its resource prefix ("models/gemini-3.8-live" →
// "gemini-3.8-live").
std::string model_id(std::string_view model);

// A field of `setup` that `rules` refuses, as its wire path and why
// ("generationConfig.thinkingConfig", "gemini-3.8-live does not take
// thinking settings"), or nothing. The first one found.
struct Refusal {
  std::string wire_path;
  std::string why;
};
std::optional<Refusal> refused_field(const ModelRules& rules, const protocol::Setup& setup);

}  // namespace geminilive::session
