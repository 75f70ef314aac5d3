// SPDX-License-Identifier: LGPL-2.1-or-later
// The command line of geminilive-relay (docs/relay.md lists it).
#pragma once

#include <string>
#include <vector>

#include "outbox.h"

namespace geminilive::relay {

// The tutorial's relay's system instruction (a screen-sharing assistant),
// sent when --system-instruction is not given: the tutorial's page sends none.
extern const char kDefaultSystemInstruction[];

struct Options {
  int port = 9083;
  std::string listen = "127.0.0.1";
  std::string token;  // --token or $GEMINILIVE_RELAY_TOKEN
  std::vector<std::string> allowed_origins;
  std::string uri;
  std::string model;
  std::string system_instruction = kDefaultSystemInstruction;
  bool local = false;  // the bundled local server even with a key
  unsigned max_sessions = 64;
  unsigned max_message_size = 4 * 1024 * 1024;
  unsigned max_queued_ms = kDefaultMaxQueuedMs;
  unsigned stall_timeout = kDefaultStallCloseSeconds;
  bool quiet = false;
};

// Parses argv (GStreamer's options included). False with a message for bad
// usage, including --listen beyond the loopback without a token.
bool parse_options(int* argc, char*** argv, Options* options, std::string* error);

}  // namespace geminilive::relay
