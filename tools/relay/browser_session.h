// SPDX-License-Identifier: LGPL-2.1-or-later
// One browser's WebSocket connection and its session: reads the browser's
// messages (browser_protocol.h), feeds them to its SessionPipeline, and sends
// what the pipeline posts back, in order, from the main context. Bad input
// gets an error message and closes this browser only.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <memory>
#include <string>

#include "observed_stream.h"
#include "outbox.h"
#include "session_pipeline.h"

namespace geminilive::relay {

// What every session of this relay gets, whatever the browser says.
struct SessionDefaults {
  std::string uri;      // empty: Google's endpoint
  std::string api_key;  // empty: GEMINI_API_KEY, read by the element
  std::string model;
  std::string system_instruction;
};

struct SessionLimits {
  size_t max_message = 0;  // bytes of one message from the browser
  OutboxLimits outbox;     // what may wait to be sent to it
};

class BrowserSession {
 public:
  // `ended` runs on the main context once the connection is closed (the
  // owner then deletes this session, outside any libsoup signal).
  // `meter` sees the connection's writes (observed_stream.h).
  BrowserSession(SoupWebsocketConnection* connection, std::shared_ptr<WriteMeter> meter, std::string id,
                 const SessionDefaults& defaults, const SessionLimits& limits,
                 std::function<void(BrowserSession*)> ended, std::function<void(const std::string&)> log);
  ~BrowserSession();

  BrowserSession(const BrowserSession&) = delete;
  BrowserSession& operator=(const BrowserSession&) = delete;

  // Sends {"type":"error"} and closes with `code` (what the relay refuses
  // before any setup, e.g. when it is full).
  void refuse(const std::string& message, int code);
  const std::string& id() const { return id_; }
  OutboxStats send_stats() const { return outbox_->stats(); }

 private:
  static void on_message(SoupWebsocketConnection*, gint type, GBytes* message, gpointer self);
  static void on_closed(SoupWebsocketConnection*, gpointer self);
  static void on_error(SoupWebsocketConnection*, GError* error, gpointer self);
  std::string over_limit(const std::string& size) const;
  void handle(const std::string& text);
  void bad_input(const std::string& message, int code);
  void stop_pipeline();

  SoupWebsocketConnection* connection_;
  std::string id_;
  SessionDefaults defaults_;
  size_t max_message_;
  std::function<void(BrowserSession*)> ended_;
  std::function<void(const std::string&)> log_;
  std::shared_ptr<Outbox> outbox_;
  std::unique_ptr<SessionPipeline> pipeline_;
  gint64 started_us_;
  bool closing_ = false;
  bool push_to_talk_ = false;
  bool in_activity_ = false;
};

}  // namespace geminilive::relay
