// SPDX-License-Identifier: LGPL-2.1-or-later
// What a Live session needs to run: where, who, and the setup to send.
// geminilivesink builds one from its properties.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "protocol/backend.h"
#include "protocol/setup.h"
#include "session/held_messages.h"

namespace geminilive::session {

// The public Developer API endpoint (v1beta), without any key in it.
inline constexpr char kDefaultUri[] =
    "wss://generativelanguage.googleapis.com/ws/"
    "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";

// The stable Live model since September 2026 (live-protocol-2026.md §2);
// session/model_rules.h says what it and the other known models accept.
inline constexpr char kDefaultModel[] = "gemini-3.8-live";

struct SessionConfig {
  std::string uri = kDefaultUri;
  std::string api_key;  // sent as x-goog-api-key; never logged
  // Where the session goes and how it proves who it is: the Developer API
  // with api_key (an API key or an ephemeral "auth_tokens/..." token), or
  // Vertex AI with project, location and an OAuth access_token (never logged).
  protocol::Backend backend = protocol::Backend::GeminiApi;
  std::string project;
  std::string location = "global";  // as the SDK
  std::string access_token;
  // When set, called on the session's loop thread (the network thread:
  // return quickly) before each connection opens, the first and every
  // reconnection; a non-empty result replaces access_token. For tokens that
  // expire during a long session (geminilivesink's need-access-token).
  std::function<std::string()> access_token_provider;
  // When set (and neither of the above gives a token: geminilivesink sets
  // it only then), asked on the session's loop thread before each
  // connection opens, which opens once `reply` gives the token; it must
  // not block, and may reply on any thread. An error ends the session with
  // its words (no secret in them). The connect timeout bounds the wait.
  // Application Default Credentials are one (session/access_token_source.h).
  using AccessTokenReply = std::function<void(const std::string& token, const std::string& error)>;
  std::function<void(AccessTokenReply reply)> access_token_source;
  std::string ca_file;  // PEM CAs to trust for wss:// instead of the system store
  protocol::Setup setup;

  std::chrono::milliseconds connect_timeout{20000};
  // After end_input(): how long to wait for the model's turn to end.
  std::chrono::milliseconds turn_end_timeout{30000};
  // After end_input(), when no reply is under way but one may come (the
  // audio stream ended, or a text is unanswered): how long to wait for it to
  // start before deciding none is coming (the input asked for nothing).
  std::chrono::milliseconds reply_start_timeout{10000};

  // Session resumption: every setup asks for handles, and a goAway or a
  // dropped connection moves the session to a new connection that resumes
  // it with the latest one. Off: any end of the connection ends the session.
  bool resumption = true;
  // Transparent resumption (Vertex AI; the Developer API refuses it): the
  // setup asks for it, the service says which client messages each handle's
  // state holds, and after a drop or a goAway the new connection is sent
  // again exactly those it lacks (replay_log.h), so no input is lost or
  // repeated. Needs `resumption`.
  bool transparent_resumption = false;
  // After a drop (1006, 1011, a stall, ...): connections tried in a row
  // before the session fails (0: none), the delay before the second (the
  // first goes at once), doubling up to the maximum. A connection that stays
  // up for stable_after resets the count.
  unsigned max_reconnect_attempts = 6;
  std::chrono::milliseconds reconnect_delay{500};
  std::chrono::milliseconds max_reconnect_delay{8000};
  std::chrono::milliseconds stable_after{10000};
  // Nothing received for this long, not even a pong, counts as a drop
  // (see WebSocketOptions::stall_timeout). 0: off.
  std::chrono::milliseconds stall_timeout{10000};
  // The model takes `contextUpdate`: update_context() sends one. Otherwise a
  // context change moves the session to a new connection whose setup
  // carries it (resuming, so the conversation and the input go on).
  bool context_update = false;
  // Conversation to seed the session with: sent as clientContent (in order,
  // the last with turnComplete) right after the first setupComplete, before
  // any other input. The setup should ask for historyConfig.
  std::vector<protocol::Content> history;
  // A function call left unanswered this long gets an error response from
  // the session, so the model never waits forever. 0: wait forever.
  std::chrono::milliseconds tool_timeout{60000};

  // Input held while not streaming (before setupComplete, while
  // reconnecting): past this much audio the oldest goes, with a warning.
  std::chrono::milliseconds max_held_audio{30000};
};

// What the input held while not streaming may hold (max_held_audio).
HeldMessages::Limits held_limits(const SessionConfig& config);

}  // namespace geminilive::session
