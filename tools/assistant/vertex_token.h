// SPDX-License-Identifier: LGPL-2.1-or-later
// The OAuth access token --vertex sends, from the first source that has
// one: $GOOGLE_CLOUD_ACCESS_TOKEN, Application Default Credentials
// (authorized_user, refreshed over HTTPS), `gcloud auth print-access-token`
// when gcloud is on PATH. The token is never printed.
#pragma once

#include <gst/gst.h>

#include <memory>
#include <string>

#include "transport/oauth_refresh.h"

namespace geminilive::assistant {

struct TokenSource {
  enum class Kind { Environment, Adc, Gcloud, None };
  Kind kind = Kind::None;
  std::string description;  // "GOOGLE_CLOUD_ACCESS_TOKEN", "Application Default Credentials (PATH)", ...
  std::string problem;      // why ADC was passed over, or why there is no source
};

// Where the token would come from; reads files, runs nothing.
TokenSource find_token_source();

// Keeps an Application Default Credentials token fresh while the session
// runs: refreshed on the main context when less than five minutes are left,
// and handed to geminilivesink through need-access-token before each
// reconnection (the handler only reads the kept token: it runs on the
// session's network thread).
class AdcTokenKeeper {
 public:
  explicit AdcTokenKeeper(transport::AdcCredentials adc) : adc_(std::move(adc)) {}
  ~AdcTokenKeeper();
  AdcTokenKeeper(const AdcTokenKeeper&) = delete;
  AdcTokenKeeper& operator=(const AdcTokenKeeper&) = delete;

  // Connects to the geminilivesink in `pipeline`; before it starts.
  void attach(GstElement* pipeline);

 private:
  static gchar* on_need_token(GstElement* sink, gpointer self);
  static gboolean on_check(gpointer self);
  void schedule();

  transport::AdcCredentials adc_;
  GstElement* sink_ = nullptr;  // a reference
  gulong handler_ = 0;
  guint timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The token from `source`: ADC refreshes it (and `keeper` then keeps it
// fresh), gcloud runs once (its output never shown). Empty, with `error`,
// when that fails.
std::string fetch_access_token(const TokenSource& source, std::string* error, std::unique_ptr<AdcTokenKeeper>* keeper);

}  // namespace geminilive::assistant
