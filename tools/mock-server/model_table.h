// SPDX-License-Identifier: LGPL-2.1-or-later
// The models the local Live server knows, and what the service refuses for
// each (live-protocol-2026.md §2, §2.1, §2.2, §7.5, §7.6). The server emulates
// the service, so this table is its own, independent from the client's
// session/model_rules.h. A model it does not know accepts everything.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/setup.h"

namespace geminilive::mock {

enum class ModelFamily {
  Other,               // not in the table: everything is accepted
  Live38,              // gemini-3.8-live
  Live38Thinking,      // gemini-3.8-live-extended-thinking
  FlashLive31Preview,  // gemini-3.1-flash-live-preview
};

struct ModelTraits {
  ModelFamily family = ModelFamily::Other;
  bool context_update = true;              // contextUpdate messages
  bool mid_session_client_content = true;  // clientContent once realtime input started
  bool interaction_status = false;         // turnComplete carries interactionStatus
  bool async_calls_by_default = false;     // a declaration without behavior is NON_BLOCKING
  bool sync_calls_only = false;            // behavior is ignored: every call blocks
};

// From "models/<id>" (or a bare id).
ModelTraits model_traits(const std::string& model);

// The 1007 close reason for a setup the model refuses, or nothing.
std::optional<std::string> setup_refusal(const protocol::Setup& setup);

// The 1007 close reason for tools the model refuses (setup or contextUpdate).
std::optional<std::string> tools_refusal(const std::string& model, const std::vector<protocol::Tool>& tools);

// Whether a call of `decl` lets the model go on talking (NON_BLOCKING).
bool is_non_blocking(const ModelTraits& traits, const protocol::FunctionDeclaration& decl);

}  // namespace geminilive::mock
