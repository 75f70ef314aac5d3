// SPDX-License-Identifier: LGPL-2.1-or-later
// The HTTP half of minting an ephemeral token: POST {base}/v1alpha/auth_tokens
// with the API key in x-goog-api-key, on an EventLoopThread (libsoup async;
// the caller's thread never waits on the network). The body and the answer
// are JSON the caller makes and reads (protocol/auth_token_request.h). The
// key is never logged.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "transport/event_loop_thread.h"

namespace geminilive::transport {

struct HttpAnswer {
  int status = 0;     // 0: no HTTP answer (see error)
  std::string body;   // the answer's body
  std::string error;  // why there is no answer (DNS, TLS, timeout, ...), in words
};

struct AuthTokenPost {
  // "https://generativelanguage.googleapis.com" (the default), or a host
  // base such as "http://127.0.0.1:PORT"; ws:// and wss:// mean http:// and
  // https://. A path after the host is kept as a prefix.
  std::string base_uri;
  std::string api_key;
  std::string body;
  std::string ca_file;  // PEM CAs to trust instead of the system store
  unsigned timeout_s = 30;
};

// The URL the request goes to, or "" when base_uri is not an http(s) or
// ws(s) URI with a host.
std::string auth_tokens_url(const std::string& base_uri);

// Posts on `loop` and calls `done` there, once.
void post_auth_token(const std::shared_ptr<EventLoopThread>& loop, AuthTokenPost post,
                     std::function<void(HttpAnswer)> done);

}  // namespace geminilive::transport
