// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/ephemeral_token.h"

#include <future>
#include <utility>

#include "session/endpoint.h"
#include "session/live_session.h"
#include "session/session_loop.h"
#include "transport/auth_token_client.h"

namespace geminilive::session {

void mint_ephemeral_token(MintRequest request, std::function<void(protocol::Expected<std::string>)> done) {
  using Result = protocol::Expected<std::string>;
  if (request.api_key.empty() || is_ephemeral_token(request.api_key)) {
    done(Result(protocol::Error{request.api_key.empty()
                                    ? "No API key to mint a token with: set GEMINI_API_KEY."
                                    : "A token can't mint another: set GEMINI_API_KEY to an API key."}));
    return;
  }
  const std::string url = transport::auth_tokens_url(request.base_uri);
  if (url.empty()) {
    done(
        Result(protocol::Error{"The base URI '" + request.base_uri + "' is not an http(s) or ws(s) URI with a host."}));
    return;
  }
  transport::AuthTokenPost post;
  post.base_uri = request.base_uri;
  post.api_key = std::move(request.api_key);
  post.ca_file = std::move(request.ca_file);
  post.body = protocol::encode_auth_token_request(request.token);
  // The callback holds the loop: a shared one stops when nothing holds it.
  auto loop = shared_session_loop();
  transport::post_auth_token(loop->thread(), std::move(post),
                             [loop, url, done = std::move(done)](transport::HttpAnswer a) {
                               if (a.status == 0) {
                                 done(Result(protocol::Error{"Could not reach " + url + ": " + a.error}));
                                 return;
                               }
                               auto name = protocol::decode_auth_token_name(a.body);
                               if (a.status == 200 && name) {
                                 done(std::move(name));
                                 return;
                               }
                               std::string why = name ? "no token in the answer" : name.error();
                               if (!why.empty() && why.back() == '.') why.pop_back();
                               std::string hint;
                               if (a.status == 401 || a.status == 403 || why.find("API key") != std::string::npos)
                                 hint = " Check GEMINI_API_KEY (an API key of the project).";
                               done(Result(protocol::Error{"The service refused to mint a token (HTTP " +
                                                           std::to_string(a.status) + "): " + why + "." + hint}));
                             });
}

protocol::Expected<std::string> mint_ephemeral_token_sync(MintRequest request) {
  std::promise<protocol::Expected<std::string>> promise;
  auto answer = promise.get_future();
  mint_ephemeral_token(std::move(request),
                       [&promise](protocol::Expected<std::string> r) { promise.set_value(std::move(r)); });
  return answer.get();
}

}  // namespace geminilive::session
