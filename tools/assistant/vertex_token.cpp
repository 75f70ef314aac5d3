// SPDX-License-Identifier: LGPL-2.1-or-later
#include "vertex_token.h"

#include <glib.h>

#include "transport/oauth_refresh.h"

namespace geminilive::assistant {

namespace {

constexpr char kEnvironment[] = "GOOGLE_CLOUD_ACCESS_TOKEN";

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && g_ascii_isspace(s.back())) s.pop_back();
  return s;
}

// gcloud's first line of complaint ("ERROR: (gcloud.auth.print-access-token)
// You do not currently have an active account selected.").
std::string first_line(const std::string& text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    std::string line = trimmed(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start).c_str());
    if (!line.empty()) return line;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return "";
}

std::string fetch_from_gcloud(std::string* error) {
  const char* argv[] = {"gcloud", "auth", "print-access-token", nullptr};
  g_autofree char* out = nullptr;
  g_autofree char* err = nullptr;
  int status = 0;
  g_autoptr(GError) spawn_error = nullptr;
  if (!g_spawn_sync(nullptr, const_cast<char**>(argv), nullptr, G_SPAWN_SEARCH_PATH, nullptr, nullptr, &out, &err,
                    &status, &spawn_error)) {
    *error = std::string("cannot run gcloud: ") + spawn_error->message;
    return "";
  }
  std::string token = trimmed(out);
  if (!g_spawn_check_wait_status(status, nullptr) || token.empty() || token.find('\n') != std::string::npos) {
    const std::string why = first_line(err ? err : "");
    *error = "`gcloud auth print-access-token` gave no token" + (why.empty() ? std::string() : ": " + why) +
             " (run `gcloud auth login`)";
    return "";
  }
  return token;
}

}  // namespace

TokenSource find_token_source() {
  TokenSource source;
  if (const char* token = g_getenv(kEnvironment); token && *token) {
    source.kind = TokenSource::Kind::Environment;
    source.description = kEnvironment;
    return source;
  }
  const std::string adc_path = transport::AdcCredentials::default_path();
  std::string adc_problem;
  if (transport::AdcCredentials::load(adc_problem)) {
    source.kind = TokenSource::Kind::Adc;
    source.description = "Application Default Credentials (" + adc_path + ")";
    return source;
  }
  // A file that is there but unusable is worth saying; a missing one is not.
  if (g_file_test(adc_path.c_str(), G_FILE_TEST_EXISTS)) source.problem = adc_problem;
  if (g_autofree char* gcloud = g_find_program_in_path("gcloud")) {
    source.kind = TokenSource::Kind::Gcloud;
    source.description = std::string("`gcloud auth print-access-token` (") + gcloud + ")";
    return source;
  }
  source.problem = std::string("--vertex needs an OAuth access token: set ") + kEnvironment +
                   ", run `gcloud auth application-default login`, or install the gcloud CLI" +
                   (source.problem.empty() ? std::string() : " (" + source.problem + ")");
  return source;
}

std::string fetch_access_token(const TokenSource& source, std::string* error) {
  switch (source.kind) {
    case TokenSource::Kind::Environment:
      return trimmed(g_getenv(kEnvironment));
    case TokenSource::Kind::Adc:
      return "";  // geminilivesink's own (find_token_source() read the file)
    case TokenSource::Kind::Gcloud:
      return fetch_from_gcloud(error);
    case TokenSource::Kind::None:
      break;
  }
  *error = source.problem;
  return "";
}

}  // namespace geminilive::assistant
