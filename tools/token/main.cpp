// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive-token: mints an ephemeral token for the Live API with the API
// key in GEMINI_API_KEY (then GOOGLE_API_KEY) and prints only the token on
// stdout, for a backend to hand to a browser or device
// (GEMINI_API_KEY=auth_tokens/... on the client; docs/elements.md "Ways in").
// Errors go to stderr with exit status 1 (2 for bad options).
#include <gst/gst.h>

#include <cstdio>
#include <string>
#include <vector>

#include "protocol/auth_token_request.h"
#include "protocol/setup.h"
#include "session/endpoint.h"
#include "session/ephemeral_token.h"

namespace {

namespace protocol = geminilive::protocol;
namespace session = geminilive::session;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "geminilive-token: %s\n", message.c_str());
  return 2;
}

// "1800" seconds from now, or an RFC 3339 time as given; "" when neither.
std::string expire_time(const char* value) {
  if (!value) return "";
  char* end = nullptr;
  const long long seconds = g_ascii_strtoll(value, &end, 10);
  if (end && *end == '\0' && end != value) return seconds > 0 ? protocol::rfc3339_from_now(seconds) : "";
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601(value, nullptr);
  return time ? value : "";
}

std::vector<std::string> split_fields(const char* list) {
  std::vector<std::string> fields;
  g_auto(GStrv) parts = g_strsplit(list, ",", -1);
  for (char** p = parts; *p; ++p) {
    g_strstrip(*p);
    if (**p) fields.emplace_back(*p);
  }
  return fields;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);  // for the debug log only

  gint uses = 1;
  g_autofree gchar* expire = nullptr;
  g_autofree gchar* new_session_expire = nullptr;
  gboolean lock_setup = FALSE;
  g_autofree gchar* model = nullptr;
  g_autofree gchar* instruction = nullptr;
  g_autofree gchar* modality = nullptr;
  g_autofree gchar* voice = nullptr;
  g_autofree gchar* lock_fields = nullptr;
  g_autofree gchar* uri = nullptr;
  g_autofree gchar* ca_file = nullptr;
  const GOptionEntry entries[] = {
      {"uses", 0, 0, G_OPTION_ARG_INT, &uses, "Sessions the token may start (0: unlimited; default 1)", "N"},
      {"expire", 0, 0, G_OPTION_ARG_STRING, &expire,
       "When messages stop being accepted: seconds from now or an RFC 3339 time (default: 30 min)", "SEC|TIME"},
      {"new-session-expire", 0, 0, G_OPTION_ARG_STRING, &new_session_expire,
       "When new sessions stop being accepted: seconds from now or an RFC 3339 time (default: 60 s)", "SEC|TIME"},
      {"lock-setup", 0, 0, G_OPTION_ARG_NONE, &lock_setup,
       "Lock the session's setup to --model, --system-instruction, --response-modality, --voice", nullptr},
      {"model", 0, 0, G_OPTION_ARG_STRING, &model, "Locked model (default gemini-3.8-live)", "M"},
      {"system-instruction", 0, 0, G_OPTION_ARG_STRING, &instruction, "Locked system instruction", "TEXT"},
      {"response-modality", 0, 0, G_OPTION_ARG_STRING, &modality, "Locked response modality (AUDIO or TEXT)", "M"},
      {"voice", 0, 0, G_OPTION_ARG_STRING, &voice, "Locked voice", "NAME"},
      {"lock-fields", 0, 0, G_OPTION_ARG_STRING, &lock_fields,
       "Lock only the fields set plus these (comma list, e.g. temperature; \"\": only those set). Default: every "
       "field the client could send is the token's",
       "LIST"},
      {"uri", 0, 0, G_OPTION_ARG_STRING, &uri,
       "Service base (default https://generativelanguage.googleapis.com; a local server's ws://127.0.0.1:PORT)", "URI"},
      {"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "PEM CAs to trust instead of the system's", "FILE"},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr},
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- mint an ephemeral token for Gemini Live");
  g_option_context_add_main_entries(context, entries, nullptr);
  g_option_context_set_description(context,
                                   "The API key comes from GEMINI_API_KEY (then GOOGLE_API_KEY). Prints only the "
                                   "token (auth_tokens/...) on stdout.\n");
  g_autoptr(GError) error = nullptr;
  if (!g_option_context_parse(context, &argc, &argv, &error)) return usage_error(error->message);
  if (argc > 1) return usage_error(std::string("unexpected argument '") + argv[1] + "'");
  if (uses < 0) return usage_error("--uses must be 0 (unlimited) or more");

  session::MintRequest request;
  request.api_key = session::api_key_from_environment();
  if (uri) request.base_uri = uri;
  if (ca_file) request.ca_file = ca_file;
  request.token.uses = uses;
  if (expire) {
    const std::string time = expire_time(expire);
    if (time.empty())
      return usage_error("--expire must be seconds (> 0) or an RFC 3339 time, not '" + std::string(expire) + "'");
    request.token.expire_time = time;
  }
  if (new_session_expire) {
    const std::string time = expire_time(new_session_expire);
    if (time.empty())
      return usage_error("--new-session-expire must be seconds (> 0) or an RFC 3339 time, not '" +
                         std::string(new_session_expire) + "'");
    request.token.new_session_expire_time = time;
  }
  const bool locks_something = model || instruction || modality || voice || lock_fields;
  if (locks_something && !lock_setup)
    return usage_error(
        "--model, --system-instruction, --response-modality, --voice and --lock-fields need --lock-setup");
  if (lock_setup) {
    protocol::Setup setup;
    setup.model = protocol::model_resource_name(model ? model : "gemini-3.8-live");
    if (instruction) setup.system_instruction = protocol::Content::from_text(instruction, "user");
    if (modality || voice) setup.generation_config.emplace();
    if (modality) {
      g_autofree char* upper = g_ascii_strup(modality, -1);
      const std::string m = upper;
      if (m != "AUDIO" && m != "TEXT") return usage_error("--response-modality must be AUDIO or TEXT");
      setup.generation_config->response_modalities = {m};
    }
    if (voice) {
      setup.generation_config->speech_config.emplace();
      setup.generation_config->speech_config->voice_name = std::string(voice);
    }
    request.token.locked_setup = std::move(setup);
    if (lock_fields) request.token.lock_additional_fields = split_fields(lock_fields);
  }

  auto token = session::mint_ephemeral_token_sync(std::move(request));
  if (!token) {
    std::fprintf(stderr, "geminilive-token: %s\n", token.error().c_str());
    return 1;
  }
  std::printf("%s\n", token.value().c_str());
  return 0;
}
