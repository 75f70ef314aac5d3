// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/access_token_source.h"

#include <glib.h>

#include <utility>

#include "transport/oauth_refresh.h"

namespace geminilive::session {

std::string adc_path() { return transport::AdcCredentials::default_path(); }

bool adc_present() {
  const char* named = g_getenv("GOOGLE_APPLICATION_CREDENTIALS");
  return (named && *named) || g_file_test(adc_path().c_str(), G_FILE_TEST_EXISTS);
}

std::optional<AccessTokenSource> adc_access_token_source(std::string& error) {
  auto adc = transport::AdcCredentials::load(error);
  if (!adc) return std::nullopt;
  return AccessTokenSource([adc = std::move(*adc)](SessionConfig::AccessTokenReply reply) {
    // Called on the session's loop thread, whose context is its
    // thread-default one: the refresh runs there and answers there.
    GMainContext* context = g_main_context_ref_thread_default();
    adc.fetch(context, [reply = std::move(reply)](const transport::AdcCredentials::Token& token,
                                                  const std::string& error) { reply(token.value, error); });
    g_main_context_unref(context);
  });
}

}  // namespace geminilive::session
