// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink's rows for the way in (sink_settings.h): the backend,
// for Vertex AI the project, location and OAuth access token, and the CAs
// trusted for wss://. The API key
// and uri rows are in sink_setting_rows.cpp, which lists these right after
// api-key. session/endpoint.h turns them into the connection's URI and
// headers.
#include <glib.h>

#include <string>
#include <vector>

#include "sink_settings.h"

namespace geminilive::plugin {

namespace {

using session::SessionConfig;
using Error = std::optional<std::string>;

using row_value::str;

const SettingEnum kBackend{"GstGeminiLiveBackend",
                           {{0, "gemini-api", "Gemini Developer API: an API key or an ephemeral token", nullptr},
                            {1, "vertex-ai", "Vertex AI: an OAuth access token, a project and a location", nullptr}}};

}  // namespace

// clang-format off
const std::vector<SettingRow>& sink_access_rows() {
  static const std::vector<SettingRow> rows = {
  /**
   * GstGeminiLiveSink:backend:
   *
   * The service: `gemini-api`, the Gemini Developer API (#GstGeminiLiveSink:api-key
   * holds an API key or an ephemeral token, `auth_tokens/...`), or
   * `vertex-ai`, Vertex AI (#GstGeminiLiveSink:project,
   * #GstGeminiLiveSink:location and #GstGeminiLiveSink:access-token; an API
   * key without a project is Vertex express mode). With the default
   * #GstGeminiLiveSink:uri, vertex-ai connects to the location's host.
   */
  {"backend", "Backend", "The service: Gemini Developer API or Vertex AI", SettingType::Enum, 0, 0, gint64(0), 0,
   nullptr,
   [](const SettingValue& v, SessionConfig& c) -> Error {
     c.backend = std::get<gint64>(v) == 1 ? protocol::Backend::VertexAi : protocol::Backend::GeminiApi;
     return {};
   }, &kBackend, nullptr},
  /**
   * GstGeminiLiveSink:project:
   *
   * The Google Cloud project id (backend=vertex-ai): the model is
   * `projects/PROJECT/locations/LOCATION/publishers/google/models/MODEL`.
   * NULL: Vertex express mode with an API key.
   */
  {"project", "Project", "Google Cloud project id (backend=vertex-ai)", SettingType::String, 0, 0, std::string(), 0,
   nullptr, [](const SettingValue& v, SessionConfig& c) -> Error { c.project = str(v); return {}; }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:location:
   *
   * The Google Cloud location (backend=vertex-ai): `global` (host
   * aiplatform.googleapis.com), `us` or `eu` (multi-regional,
   * aiplatform.us.rep.googleapis.com), or a region such as `us-central1`
   * (us-central1-aiplatform.googleapis.com).
   */
  {"location", "Location", "Google Cloud location (backend=vertex-ai): global, us, eu, us-central1, ...",
   SettingType::String, 0, 0, std::string("global"), kSettingEmptyIsDefault, nullptr,
   [](const SettingValue& v, SessionConfig& c) -> Error { c.location = str(v); return {}; }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:access-token:
   *
   * The OAuth 2 access token for Vertex AI (scope cloud-platform), sent as
   * `Authorization: Bearer`. When not set: $GOOGLE_CLOUD_ACCESS_TOKEN (read
   * when the element is made and again when it starts). Such tokens last
   * about an hour: #GstGeminiLiveSink::need-access-token gives a fresh one
   * for each connection. With neither (and a project), Application Default
   * Credentials: the authorized_user file $GOOGLE_APPLICATION_CREDENTIALS
   * names, else gcloud's, refreshed over HTTPS before the connection that
   * needs a token. Never logged; reads back as "***" once set.
   */
  {"access-token", "Access token",
   "OAuth access token for Vertex AI (default: $GOOGLE_CLOUD_ACCESS_TOKEN); reads back as ***", SettingType::String,
   0, 0, std::string(), kSettingSecret, nullptr,
   [](const SettingValue& v, SessionConfig& c) -> Error { c.access_token = str(v); return {}; }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:ca-file:
   *
   * A PEM file of certificate authorities to trust for wss:// instead of the
   * system's.
   */
  {"ca-file", "CA file", "PEM certificate authorities to trust instead of the system's", SettingType::String, 0, 0,
   std::string(), 0, nullptr, [](const SettingValue& v, SessionConfig& c) -> Error { c.ca_file = str(v); return {}; },
   nullptr, nullptr},
  };
  return rows;
}
// clang-format on

}  // namespace geminilive::plugin
