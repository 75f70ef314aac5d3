#include "local_server.h"

#include <glib.h>

#include <cstdio>

#include "session/session_config.h"

namespace geminilive::assistant {

std::string live_endpoint_path() {
  // The same path as Google's endpoint, so the local run exercises it too.
  g_autoptr(GUri) uri = g_uri_parse(session::kDefaultUri, G_URI_FLAGS_NONE, nullptr);
  return uri ? g_uri_get_path(uri) : "";
}

std::unique_ptr<LocalServer> start_local_server(bool verbose, const std::string& tool_call, std::string* error) {
  mock::ServerOptions options;
  options.tool_call = tool_call;
  if (verbose) {
    // Called on the server's thread; one fprintf per line keeps lines whole.
    options.log = [](const std::string& line) { std::fprintf(stderr, "[local server] %s\n", line.c_str()); };
  }
  auto local = std::make_unique<LocalServer>();
  local->server = std::make_unique<mock::LiveServer>(options);
  if (!local->server->start(error)) return nullptr;
  local->endpoint = local->server->uri() + live_endpoint_path();
  return local;
}

}  // namespace geminilive::assistant
