// SPDX-License-Identifier: LGPL-2.1-or-later
// Application Default Credentials (the authorized_user kind, refreshed over
// HTTPS: transport/oauth_refresh.h) as a SessionConfig::access_token_source:
// the session asks it before each connection opens; it answers at once with
// the token it keeps (until a minute before expiry, so reconnections reuse
// it), else after a refresh POST on the asking thread's context. The refresh
// token, client secret and access tokens are never in an error or a log.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "session/session_config.h"

namespace geminilive::session {

using AccessTokenSource = std::function<void(SessionConfig::AccessTokenReply)>;

// Where Application Default Credentials are looked for:
// $GOOGLE_APPLICATION_CREDENTIALS, else gcloud's
// ~/.config/gcloud/application_default_credentials.json.
std::string adc_path();

// Whether there are credentials to try: GOOGLE_APPLICATION_CREDENTIALS is
// set (a missing file is then an error), or gcloud's file exists.
bool adc_present();

// The credentials at adc_path() as a source; nothing, with `error` in words
// (unreadable, not JSON, service_account, ...), when they can't be used.
std::optional<AccessTokenSource> adc_access_token_source(std::string& error);

}  // namespace geminilive::session
