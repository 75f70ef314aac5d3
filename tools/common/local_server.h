// SPDX-License-Identifier: LGPL-2.1-or-later
// The bundled local Live server (tools/mock-server), run in this process
// when there is no key or with --local.
#pragma once

#include <memory>
#include <string>

#include "live_server.h"

namespace geminilive::assistant {

struct LocalServer {
  std::unique_ptr<mock::LiveServer> server;
  std::string endpoint;  // ws://127.0.0.1:PORT/ws/…BidiGenerateContent
};

// Starts it on a free port. `tool_call` is ServerOptions::tool_call (tests);
// with `verbose` its event lines go to stderr.
std::unique_ptr<LocalServer> start_local_server(bool verbose, const std::string& tool_call, std::string* error);

// What the server received, in one line: "1 setup, 3 frames, 95 audio
// chunks (95 between activityStart and activityEnd), 1 activityStart, ...".
std::string received_summary(const LocalServer& local);

// The path of the service's Live endpoint (from the element's default URI),
// e.g. /ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent.
std::string live_endpoint_path();

}  // namespace geminilive::assistant
