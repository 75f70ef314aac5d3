// SPDX-License-Identifier: LGPL-2.1-or-later
// check_config() (declared in live_session.h) and what a config implies.
#include "session/session_config.h"

#include "session/endpoint.h"
#include "session/live_session.h"
#include "session/session_error.h"
#include "transport/websocket_client.h"

namespace geminilive::session {

HeldMessages::Limits held_limits(const SessionConfig& config) {
  HeldMessages::Limits limits;
  limits.audio = config.max_held_audio;
  return limits;
}

std::optional<SessionError> check_config(const SessionConfig& config) {
  if (auto problem = credentials_problem(config); !problem.empty()) return settings_error(std::move(problem));
  if (config.uri.empty()) return settings_error("No Gemini Live URI: the uri property is empty.");
  if (auto problem = transport::websocket_uri_problem(config.uri); !problem.empty())
    return settings_error("The Gemini Live URI is not usable: " + problem + ".");
  if (!config.ca_file.empty())
    if (auto problem = transport::ca_file_problem(config.ca_file); !problem.empty())
      return settings_error("The CA file is not usable: " + problem + ".");
  if (!is_utf8(Outbound::encode(config.setup).json))
    return settings_error("The session's settings (model, voice, system instruction, tools, ...) are not UTF-8 text.");
  return std::nullopt;
}

}  // namespace geminilive::session
