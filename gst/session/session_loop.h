// SPDX-License-Identifier: LGPL-2.1-or-later
// SessionLoop, the thread sessions run on (opaque in live_session.h): an
// EventLoopThread that every connection, timer and observer call of its
// sessions uses. An EventLoopThread cannot be destroyed on its own thread
// (it would join itself), yet a session's last reference may go away there
// (a late callback held it); so its last release on its own thread hands it
// to a short-lived thread that destroys it. Internal to gst/session.
#pragma once

#include <memory>
#include <string>

#include "transport/event_loop_thread.h"

namespace geminilive::session {

class SessionLoop {
 public:
  // Starts a thread named `name`.
  explicit SessionLoop(const std::string& name);

  // The thread, as the transport takes it. Any reference to it is released
  // off the loop's own thread when it is the last.
  const std::shared_ptr<transport::EventLoopThread>& thread() const { return thread_; }

 private:
  std::shared_ptr<transport::EventLoopThread> thread_;
};

}  // namespace geminilive::session
