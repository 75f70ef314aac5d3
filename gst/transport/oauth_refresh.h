// SPDX-License-Identifier: LGPL-2.1-or-later
// Application Default Credentials of the authorized_user kind, refreshed over
// HTTPS (libsoup, async) into OAuth access tokens for Vertex AI, each kept
// until a minute before it expires. The refresh token and the access tokens
// never appear in a log or an error.
#pragma once

#include <glib.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace geminilive::transport {

class AdcCredentials {
 public:
  // The file GOOGLE_APPLICATION_CREDENTIALS names, else gcloud's
  // ~/.config/gcloud/application_default_credentials.json. Nothing, with
  // `error` saying why (no file, unreadable, service_account, ...), when
  // there are none we can use.
  static std::optional<AdcCredentials> load(std::string& error);
  static std::optional<AdcCredentials> from_file(const std::string& path, std::string& error);
  // Where load() looks.
  static std::string default_path();

  using Clock = std::chrono::steady_clock;
  struct Token {
    std::string value;  // never logged
    Clock::time_point expiry;
  };
  // `token` is empty when `error` is set.
  using Callback = std::function<void(const Token& token, const std::string& error)>;

  // A token good for at least `min_validity` more (a minute by default): the
  // one kept, or a fresh one from the token endpoint. Never blocks: the
  // request runs on `context`, which must be the thread-default context of
  // the thread iterating it (an EventLoopThread's, or the main one's), and
  // `done` runs there.
  void fetch(GMainContext* context, Callback done, std::chrono::seconds min_validity = std::chrono::seconds(60)) const;
  // The token kept, when it is good for at least another minute: for a
  // caller that must answer at once (a SessionConfig::access_token_provider
  // on the session's loop), fetch() having refreshed it ahead.
  std::optional<Token> kept() const;
  // fetch() on a context of its own, waited for (at most the request's 30 s
  // timeout): for programs before their pipeline starts, never for
  // streaming threads.
  std::optional<Token> fetch_sync(std::string& error) const;

  struct State;  // opaque: the credentials and the token kept

 private:
  explicit AdcCredentials(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace geminilive::transport
