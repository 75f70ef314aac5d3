// SPDX-License-Identifier: LGPL-2.1-or-later
// Which Live service a session talks to. They differ in endpoint,
// authentication, model names and a few setup fields
// (live-protocol-2026.md §5): the Developer API takes API keys and
// ephemeral tokens, Vertex AI takes OAuth bearer tokens.
#pragma once

namespace geminilive::protocol {

enum class Backend { GeminiApi, VertexAi };

}  // namespace geminilive::protocol
