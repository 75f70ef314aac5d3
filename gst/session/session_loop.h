// SPDX-License-Identifier: LGPL-2.1-or-later
// Event-loop threads for sessions. An EventLoopThread cannot be destroyed on
// its own thread (it would join itself), yet a session's last reference may
// go away there (a late callback held it); so sessions hold their loop
// through released_off_loop().
#pragma once

#include <memory>

#include "transport/event_loop_thread.h"

namespace geminilive::session {

// A reference to `loop` whose last release, when it happens on the loop's own
// thread, hands the loop to a short-lived thread that destroys it.
std::shared_ptr<transport::EventLoopThread> released_off_loop(std::shared_ptr<transport::EventLoopThread> loop);

}  // namespace geminilive::session
