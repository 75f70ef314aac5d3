// SPDX-License-Identifier: LGPL-2.1-or-later
#include "options.h"

#include <gst/gst.h>

#include "access_policy.h"

namespace geminilive::relay {

// As the tutorial's main.py sets it (one line per duty, its own words).
const char kDefaultSystemInstruction[] =
    "You are a helpful assistant for screen sharing sessions. Your role is to: "
    "1) Analyze and describe the content being shared on screen "
    "2) Answer questions about the shared content "
    "3) Provide relevant information and context about what's being shown "
    "4) Assist with technical issues related to screen sharing "
    "5) Maintain a professional and helpful tone. Focus on being concise and clear in your responses.";

bool parse_options(int* argc, char*** argv, Options* options, std::string* error) {
  gint port = options->port, max_sessions = static_cast<gint>(options->max_sessions),
       max_message = static_cast<gint>(options->max_message_size),
       max_queued_ms = static_cast<gint>(options->max_queued_ms), stall = static_cast<gint>(options->stall_timeout);
  g_autofree char* listen = nullptr;
  g_autofree char* token = nullptr;
  g_auto(GStrv) origins = nullptr;
  g_autofree char* uri = nullptr;
  g_autofree char* model = nullptr;
  g_autofree char* instruction = nullptr;
  gboolean local = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
      {"port", 'p', 0, G_OPTION_ARG_INT, &port, "Port of the page and its WebSocket (default 9083; 0 picks one)", "N"},
      {"listen", 0, 0, G_OPTION_ARG_STRING, &listen,
       "Address to listen on (default 127.0.0.1 and ::1); any other needs --token", "ADDR"},
      {"token", 0, 0, G_OPTION_ARG_STRING, &token,
       "Token a browser must present (?token= on the WebSocket URL; our page takes #token=T); also "
       "$GEMINILIVE_RELAY_TOKEN",
       "T"},
      {"allow-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &origins,
       "Also accept WebSockets from pages of this origin (e.g. https://example.com, or null for a file); repeatable",
       "ORIGIN"},
      {"uri", 0, 0, G_OPTION_ARG_STRING, &uri, "Live endpoint (default Google's; needs GEMINI_API_KEY)", "URI"},
      {"model", 0, 0, G_OPTION_ARG_STRING, &model, "Model (default: the element's, gemini-3.8-live)", "NAME"},
      {"system-instruction", 0, 0, G_OPTION_ARG_STRING, &instruction,
       "What the model is told (default: the tutorial's screen-sharing assistant)", "TEXT"},
      {"local", 0, 0, G_OPTION_ARG_NONE, &local, "Use the bundled local server even when GEMINI_API_KEY is set",
       nullptr},
      {"max-sessions", 0, 0, G_OPTION_ARG_INT, &max_sessions, "Most browsers at once (default 64)", "N"},
      {"max-message-size", 0, 0, G_OPTION_ARG_INT, &max_message, "Largest browser message in bytes (default 4194304)",
       "BYTES"},
      {"max-queued-ms", 0, 0, G_OPTION_ARG_INT, &max_queued_ms,
       "What may wait to be sent to a slow browser, in milliseconds of the answer's audio (64 bytes each; "
       "default 20000); past it the oldest audio is dropped",
       "MS"},
      {"stall-timeout", 0, 0, G_OPTION_ARG_INT, &stall,
       "Close a browser that reads nothing for this many seconds while messages wait (default 30)", "S"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No per-session lines on stderr", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- the browser front end of geminilive (docs/relay.md)");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_add_group(context, gst_init_get_option_group());
  g_autoptr(GError) gerror = nullptr;
  if (!g_option_context_parse(context, argc, argv, &gerror)) {
    *error = gerror->message;
    return false;
  }
  if (port < 0 || port > 65535) {
    *error = "--port takes 0-65535";
    return false;
  }
  if (max_sessions < 1 || max_message < 1024) {
    *error = "--max-sessions takes at least 1 and --max-message-size at least 1024";
    return false;
  }
  if (max_queued_ms < 100 || stall < 1) {
    *error = "--max-queued-ms takes at least 100 and --stall-timeout at least 1";
    return false;
  }
  options->max_queued_ms = static_cast<unsigned>(max_queued_ms);
  options->stall_timeout = static_cast<unsigned>(stall);
  options->port = port;
  options->max_sessions = static_cast<unsigned>(max_sessions);
  options->max_message_size = static_cast<unsigned>(max_message);
  if (listen) options->listen = listen;
  if (token) {
    options->token = token;
  } else if (const char* env = g_getenv("GEMINILIVE_RELAY_TOKEN")) {
    options->token = env;
  }
  for (char** o = origins; o && *o; ++o) options->allowed_origins.push_back(*o);
  if (uri) options->uri = uri;
  if (model) options->model = model;
  if (instruction) options->system_instruction = instruction;
  options->local = local;
  options->quiet = quiet;
  if (!is_loopback_address(options->listen) && options->token.empty()) {
    *error = "--listen " + options->listen +
             " lets other machines in: give a --token (or GEMINILIVE_RELAY_TOKEN) that browsers must present";
    return false;
  }
  return true;
}

}  // namespace geminilive::relay
