// SPDX-License-Identifier: LGPL-2.1-or-later
// The setup fields only one backend takes (live-protocol-2026.md §5.2: SDK
// 2.32.0's *ToMldev and *ToVertex converters throw for them): one row per
// field. The element checks the setup it will send against the backend it
// sends it to before connecting, so a field the other backend would refuse
// (or silently drop) fails in words naming it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/backend.h"
#include "protocol/setup.h"
#include "session/model_rules.h"

namespace geminilive::session {

struct BackendField {
  // Dotted wire path from the setup; arrays on the way are walked, so
  // "safetySettings.method" is the method of any safety setting.
  const char* wire_path;
  protocol::Backend only;  // the backend that takes it; the other refuses it
};

// The rows, Vertex AI's first, in the order the docs list them.
const std::vector<BackendField>& backend_fields();

// "the Gemini Developer API" | "Vertex AI", for messages.
const char* backend_title(protocol::Backend backend);

// The first field of `setup`, as it goes on the wire (Setup::extra merged
// in, camelCase or snake_case), that `backend` does not take, as its wire
// path and why, or nothing.
std::optional<Refusal> refused_by_backend(protocol::Backend backend, const protocol::Setup& setup);

}  // namespace geminilive::session
