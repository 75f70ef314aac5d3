// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-mock-server: the local Live server as a program. Prints its URI
// as the first stdout line, logs to stderr, runs until SIGINT/SIGTERM and
// then prints a one-line summary of what it received. docs/mock-server.md.
#include <glib-unix.h>
#include <gst/gst.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lean_server.h"
#include "live_server.h"

namespace {

using geminilive::mock::LiveServer;
using geminilive::mock::ServerOptions;
using geminilive::mock::ServerStats;

std::chrono::milliseconds seconds_to_ms(double s) {
  return std::chrono::milliseconds(static_cast<long long>(std::llround(s * 1000.0)));
}

gboolean quit_loop(gpointer loop) {
  g_main_loop_quit(static_cast<GMainLoop*>(loop));
  return G_SOURCE_REMOVE;
}

void print_summary(const ServerStats& s) {
  std::fprintf(stderr,
               "geminilive-mock-server: %u connections, %u setups (%u resumed), %u turns started, "
               "%u completed, %u interrupted, %u tool responses, %llu audio bytes (sha256 %s), "
               "%u video frames, %zu texts, %u tool calls, %u ignored tool responses, %u tool cancellations, "
               "%u context updates, %u history turns, %u tokens minted\n",
               s.connections, s.setups, s.resumed, s.turns_started, s.turns_completed, s.interruptions,
               s.tool_responses, static_cast<unsigned long long>(s.audio_bytes), s.audio_sha256.c_str(), s.video_frames,
               s.texts.size(), s.tool_calls, s.ignored_tool_responses, s.tool_cancellations, s.context_updates,
               s.history_turns, s.tokens_minted);
}

// --lean: the benchmark's server (lean_server.h).
// Starts the server and prints its ws:// URI as the first stdout line.
template <typename Server>
bool start_and_announce(Server& server) {
  std::string failure;
  if (!server.start(&failure)) {
    std::fprintf(stderr, "geminilive-mock-server: %s\n", failure.c_str());
    return false;
  }
  std::printf("%s\n", server.uri().c_str());
  std::fflush(stdout);
  return true;
}

int run_lean(const std::string& host, uint16_t port, bool stop_reading) {
  geminilive::mock::LeanServer::Options options;
  options.host = host;
  options.port = port;
  options.stop_reading = stop_reading;
  // One JSON line per connection that ended: what it received.
  options.on_connection_end = [](const geminilive::mock::LeanStats& s) {
    std::printf("{\"messages\":%llu,\"audio\":%llu,\"video\":%llu,\"bytes\":%llu,\"replies\":%llu}\n",
                static_cast<unsigned long long>(s.messages), static_cast<unsigned long long>(s.audio),
                static_cast<unsigned long long>(s.video), static_cast<unsigned long long>(s.bytes),
                static_cast<unsigned long long>(s.replies));
    std::fflush(stdout);
  };
  geminilive::mock::LeanServer server(options);
  if (!start_and_announce(server)) return 1;
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  g_unix_signal_add(SIGINT, quit_loop, loop);
  g_unix_signal_add(SIGTERM, quit_loop, loop);
  g_main_loop_run(loop);
  g_main_loop_unref(loop);
  const auto s = server.stats();
  std::fprintf(stderr,
               "geminilive-mock-server: lean: %llu connections, %llu messages (%llu audio, %llu video), %llu bytes, "
               "%llu replies\n",
               static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.messages),
               static_cast<unsigned long long>(s.audio), static_cast<unsigned long long>(s.video),
               static_cast<unsigned long long>(s.bytes), static_cast<unsigned long long>(s.replies));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);

  gint port = 0;
  g_autofree gchar* host = nullptr;
  g_autofree gchar* api_key = nullptr;
  gboolean text_frames = FALSE;
  gdouble go_away_after = 0, go_away_time_left = 50, drop_after = 0, close_after = 0, drop_every = 0;
  gint close_code = 1011, setup_close_code = 0, drop_count = 0;
  g_autofree gchar* close_reason = nullptr;
  g_autofree gchar* tool_call = nullptr;
  gint first_reply_delay = 0, reply_chunk = 200, end_of_speech = 600, cancel_tool_after = 0;
  gdouble reply_speed = 4.0;
  g_autofree gchar* tls_cert = nullptr;
  g_autofree gchar* tls_key = nullptr;
  gboolean quiet = FALSE;
  g_auto(GStrv) access_tokens = nullptr;
  gboolean lean = FALSE, stop_reading = FALSE;

  const GOptionEntry entries[] = {
      {"port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port (0: pick a free one)", "N"},
      {"host", 0, 0, G_OPTION_ARG_STRING, &host, "IP address to bind (default 127.0.0.1)", "IP"},
      {"api-key", 0, 0, G_OPTION_ARG_STRING, &api_key,
       "Accept only this key (default: any key; also $GEMINILIVE_MOCK_API_KEY)", "K"},
      {"access-token", 0, 0, G_OPTION_ARG_STRING_ARRAY, &access_tokens,
       "Vertex AI: accept only this OAuth bearer (repeatable; default: any; also $GEMINILIVE_MOCK_ACCESS_TOKEN)", "T"},
      {"text-frames", 0, 0, G_OPTION_ARG_NONE, &text_frames, "Send JSON in text frames (default: binary)", nullptr},
      {"first-reply-delay", 0, 0, G_OPTION_ARG_INT, &first_reply_delay,
       "Delay before a turn's first output (default 0)", "MS"},
      {"reply-speed", 0, 0, G_OPTION_ARG_DOUBLE, &reply_speed,
       "Send reply audio at X times real time; 0: all at once (default 4)", "X"},
      {"reply-chunk", 0, 0, G_OPTION_ARG_INT, &reply_chunk, "Audio per reply chunk (default 200)", "MS"},
      {"end-of-speech-silence", 0, 0, G_OPTION_ARG_INT, &end_of_speech,
       "Quiet after speech that ends a turn (default 600; setup's silenceDurationMs wins)", "MS"},
      {"go-away-after", 0, 0, G_OPTION_ARG_DOUBLE, &go_away_after,
       "Send goAway SEC after setupComplete, then close 1008 when timeLeft is over", "SEC"},
      {"go-away-time-left", 0, 0, G_OPTION_ARG_DOUBLE, &go_away_time_left, "goAway's timeLeft (default 50)", "SEC"},
      {"drop-after", 0, 0, G_OPTION_ARG_DOUBLE, &drop_after,
       "Drop the TCP connection (no close frame) SEC after setupComplete", "SEC"},
      {"drop-count", 0, 0, G_OPTION_ARG_INT, &drop_count, "--drop-after drops only the first N setups (default 0: all)",
       "N"},
      {"drop-every", 0, 0, G_OPTION_ARG_DOUBLE, &drop_every,
       "Drop the most recent connection every SEC, server-wide (for soak runs)", "SEC"},
      {"setup-close-code", 0, 0, G_OPTION_ARG_INT, &setup_close_code,
       "Refuse every setup: close with this code and --close-reason (e.g. 1007)", "C"},
      {"close-after", 0, 0, G_OPTION_ARG_DOUBLE, &close_after,
       "Close SEC after setupComplete with --close-code/--close-reason", "SEC"},
      {"close-code", 0, 0, G_OPTION_ARG_INT, &close_code, "Close code for --close-after (default 1011)", "C"},
      {"close-reason", 0, 0, G_OPTION_ARG_STRING, &close_reason,
       "Close reason for --close-after (default \"Internal error encountered.\")", "R"},
      {"tool-call", 0, 0, G_OPTION_ARG_STRING, &tool_call,
       "Start every turn with a toolCall of this function (when the setup declares it)", "NAME"},
      {"cancel-tool-after", 0, 0, G_OPTION_ARG_INT, &cancel_tool_after,
       "Send toolCallCancellation for a call still unanswered MS after its toolCall (default: never)", "MS"},
      {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "PEM certificate: serve wss://", "FILE"},
      {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key (default: in --tls-cert)", "FILE"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No per-event log lines on stderr", nullptr},
      {"lean", 0, 0, G_OPTION_ARG_NONE, &lean,
       "Benchmark mode: no decoding, one fixed short reply per turn, a JSON line on stdout per connection that "
       "ended (other reply and fault options ignored)",
       nullptr},
      {"stop-reading", 0, 0, G_OPTION_ARG_NONE, &stop_reading,
       "With --lean: read nothing after the setup (a stalled uplink)", nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- local Gemini Live (BidiGenerateContent) server");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_set_description(
      context,
      "Prints ws://HOST:PORT as its first stdout line, then serves until SIGINT or SIGTERM.\n"
      "Upgrade paths: /ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent (API key),\n"
      "  /ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained (ephemeral token),\n"
      "  /ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent (Vertex AI bearer).\n"
      "POST /v1alpha/auth_tokens mints ephemeral tokens.\n");
  GError* error = nullptr;
  if (!g_option_context_parse(context, &argc, &argv, &error)) {
    std::fprintf(stderr, "geminilive-mock-server: %s\n", error->message);
    g_error_free(error);
    return 2;
  }
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "geminilive-mock-server: --port must be 0..65535\n");
    return 2;
  }
  if (close_code < 1000 || close_code > 4999 ||
      (setup_close_code && (setup_close_code < 1000 || setup_close_code > 4999))) {
    std::fprintf(stderr, "geminilive-mock-server: close codes must be 1000..4999\n");
    return 2;
  }

  ServerOptions options;
  if (host) options.host = host;
  options.port = static_cast<uint16_t>(port);
  if (api_key) {
    options.api_key = std::string(api_key);
  } else if (const char* env = g_getenv("GEMINILIVE_MOCK_API_KEY"); env && *env) {
    options.api_key = std::string(env);
  }
  if (access_tokens) {
    for (char** t = access_tokens; *t; ++t) options.access_tokens.emplace_back(*t);
  } else if (const char* env = g_getenv("GEMINILIVE_MOCK_ACCESS_TOKEN"); env && *env) {
    options.access_tokens.emplace_back(env);
  }
  options.text_frames = text_frames;
  options.first_reply_delay = std::chrono::milliseconds(first_reply_delay);
  options.reply_speed = reply_speed;
  options.reply_chunk = std::chrono::milliseconds(reply_chunk);
  options.end_of_speech_silence = std::chrono::milliseconds(end_of_speech);
  options.go_away_after = seconds_to_ms(go_away_after);
  options.go_away_time_left = seconds_to_ms(go_away_time_left);
  options.drop_after = seconds_to_ms(drop_after);
  options.drop_count = static_cast<unsigned>(std::max(drop_count, 0));
  options.close_after = seconds_to_ms(close_after);
  options.close_code = close_code;
  if (close_reason) options.close_reason = close_reason;
  options.drop_every = seconds_to_ms(drop_every);
  options.setup_close_code = setup_close_code;
  if (close_reason && setup_close_code) options.setup_close_reason = close_reason;
  if (tool_call) options.tool_call = tool_call;
  if (cancel_tool_after < 0) {
    std::fprintf(stderr, "geminilive-mock-server: --cancel-tool-after must be >= 0\n");
    return 2;
  }
  options.cancel_tool_after = std::chrono::milliseconds(cancel_tool_after);
  if (tls_cert) options.tls_cert_file = tls_cert;
  if (tls_key) options.tls_key_file = tls_key;
  if (!quiet) {
    options.log = [](const std::string& line) { std::fprintf(stderr, "geminilive-mock-server: %s\n", line.c_str()); };
  }

  if (lean) return run_lean(options.host, options.port, stop_reading);

  LiveServer server(options);
  if (!start_and_announce(server)) return 1;
  if (options.api_key) std::fprintf(stderr, "geminilive-mock-server: an API key is required\n");
  if (!options.access_tokens.empty())
    std::fprintf(stderr, "geminilive-mock-server: Vertex AI needs one of %zu access tokens\n",
                 options.access_tokens.size());

  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  g_unix_signal_add(SIGINT, quit_loop, loop);
  g_unix_signal_add(SIGTERM, quit_loop, loop);
  g_main_loop_run(loop);
  g_main_loop_unref(loop);

  print_summary(server.stats());
  return 0;
}
