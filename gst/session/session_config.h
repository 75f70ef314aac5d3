// What a Live session needs to run: where, who, and the setup to send.
// geminilivesink builds one from its properties.
#pragma once

#include <chrono>
#include <string>

#include "protocol/setup.h"

namespace geminilive::session {

// The public Developer API endpoint (v1beta), without any key in it.
inline constexpr char kDefaultUri[] =
    "wss://generativelanguage.googleapis.com/ws/"
    "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";

// The current Live model (the wire reference §5.3: recommended in 2026).
inline constexpr char kDefaultModel[] = "gemini-3.1-flash-live-preview";

struct SessionConfig {
  std::string uri = kDefaultUri;
  std::string api_key;  // sent as x-goog-api-key; never logged
  std::string ca_file;  // PEM CAs to trust for wss:// instead of the system store
  protocol::Setup setup;

  std::chrono::milliseconds connect_timeout{20000};
  // After end_input(): how long to wait for the model's turn to end.
  std::chrono::milliseconds turn_end_timeout{30000};
  // After end_input(), when no reply is under way but one may come (the
  // audio stream ended, or a text is unanswered): how long to wait for it to
  // start before deciding none is coming (the input asked for nothing).
  std::chrono::milliseconds reply_start_timeout{10000};
};

}  // namespace geminilive::session
