// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-relay: the browser front end. It serves our page and speaks the
// tutorial's browser protocol on a WebSocket; each browser gets its own
// pipeline of geminilivesink/geminilivesrc. Without a key (and without
// --uri) it talks to the bundled local server, so it works offline
// (docs/relay.md).
#include <glib-unix.h>
#include <gst/gst.h>

#include <clocale>
#include <cstdio>
#include <memory>
#include <string>

#include "local_server.h"
#include "options.h"
#include "plugin_loader.h"
#include "relay_server.h"
#include "session/endpoint.h"

using namespace geminilive::relay;

namespace {

int fail(const std::string& message, int status = 1) {
  std::fprintf(stderr, "geminilive-relay: %s\n", message.c_str());
  return status;
}

gboolean quit(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

}  // namespace

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "");
  Options options;
  std::string error;
  if (!parse_options(&argc, &argv, &options, &error)) return fail(error, 2);
  gst_init(&argc, &argv);
  if (!geminilive::assistant::ensure_geminilive_plugin(&error)) return fail(error);

  const char* key_variable = geminilive::session::api_key_variable();
  const bool local = options.local || (!key_variable && options.uri.empty());
  if (!local && !key_variable)
    return fail("--uri needs a key: set GEMINI_API_KEY (or leave out --uri to use the bundled local server)", 2);

  ServerConfig config;
  config.listen = options.listen;
  config.port = static_cast<uint16_t>(options.port);
  config.access.loopback_only = is_loopback_address(options.listen);
  config.access.token = options.token;
  config.access.allowed_origins = options.allowed_origins;
  config.max_sessions = options.max_sessions;
  config.max_message = options.max_message_size;
  config.max_queued_ms = options.max_queued_ms;
  config.stall_close_seconds = options.stall_timeout;
  config.defaults.uri = options.uri;
  config.defaults.model = options.model;
  config.defaults.system_instruction = options.system_instruction;
  if (!options.quiet) config.log = [](const std::string& line) { std::fprintf(stderr, "[relay] %s\n", line.c_str()); };

  std::unique_ptr<geminilive::assistant::LocalServer> local_server;
  if (local) {
    local_server = geminilive::assistant::start_local_server(!options.quiet, "", &error);
    if (!local_server) return fail("cannot start the local server: " + error);
    config.defaults.uri = local_server->endpoint;
    config.defaults.api_key = "local";
  }

  RelayServer server(config);
  if (!server.start(&error)) return fail(error);
  // The first line is the page's URL (scripts read it); never with the token.
  std::printf("%s\n", server.page_url().c_str());
  if (local)
    std::printf(
        "talking to the bundled local server (%s; set GEMINI_API_KEY for Gemini): it describes what it "
        "received\n",
        options.local ? "--local" : "no GEMINI_API_KEY");
  else
    std::printf("talking to Gemini (%s), key from %s\n", options.uri.empty() ? "Google's endpoint" : "--uri",
                key_variable);
  if (!options.token.empty()) std::printf("browsers need the token: open the URL with #token=<your token>\n");
  std::fflush(stdout);

  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  g_unix_signal_add(SIGINT, quit, loop);
  g_unix_signal_add(SIGTERM, quit, loop);
  g_main_loop_run(loop);
  g_main_loop_unref(loop);

  std::fprintf(stderr, "geminilive-relay: %u sessions, %u open at the end\n", server.sessions_started(),
               server.sessions());
  if (local_server)
    std::fprintf(stderr, "geminilive-relay: the local server %s\n",
                 geminilive::assistant::received_summary(*local_server).c_str());
  return 0;
}
