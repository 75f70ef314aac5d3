// SPDX-License-Identifier: LGPL-2.1-or-later
// Messages for one browser, posted from any thread (streaming threads, the
// session's thread) and sent, in order, from the main context, since
// libsoup objects stay on their thread. The connection is touched only
// there, and is cleared when its session goes.
#pragma once

#include <libsoup/soup.h>

#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace geminilive::relay {

class Outbox : public std::enable_shared_from_this<Outbox> {
 public:
  explicit Outbox(SoupWebsocketConnection* connection);
  ~Outbox();

  void post(std::string json);
  // After what is queued: a close frame with `code`.
  void close(int code, std::string reason);
  // Main context: nothing more is sent (the connection goes).
  void detach();

 private:
  void schedule_locked();
  void flush();

  std::mutex mutex_;
  SoupWebsocketConnection* connection_;
  GMainContext* context_;
  std::deque<std::string> queue_;
  bool scheduled_ = false;
  bool closing_ = false;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
};

}  // namespace geminilive::relay
