// SPDX-License-Identifier: LGPL-2.1-or-later
// Built, never run: the session's public headers (what elements and tools
// include) must not bring in the transport. Were they to, the transport's
// own CloseInfo, EventLoopThread and WebSocketClient would meet the
// stand-ins below and the build would fail.
#include "session/channel.h"
#include "session/live_session.h"
#include "session/model_rules.h"
#include "session/reply_queue.h"
#include "session/session_config.h"
#include "session/session_error.h"
#include "session/session_events.h"

namespace geminilive::transport {
struct CloseInfo {
  int stand_in;
};
struct EventLoopThread {
  int stand_in;
};
struct WebSocketClient {
  int stand_in;
};
}  // namespace geminilive::transport

int geminilive_session_public_headers_stand_in() { return sizeof(geminilive::transport::CloseInfo); }
