// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/session_loop.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "session/live_session.h"

namespace geminilive::session {
namespace {

// A reference to `loop` whose last release, when it happens on the loop's own
// thread, hands the loop to a short-lived thread that destroys it.
std::shared_ptr<transport::EventLoopThread> released_off_loop(std::shared_ptr<transport::EventLoopThread> loop) {
  transport::EventLoopThread* raw = loop.get();
  return std::shared_ptr<transport::EventLoopThread>(
      raw, [inner = std::move(loop)](transport::EventLoopThread* l) mutable {
        // Released here, not with the deleter: weak references keep the
        // deleter (and so `inner`) alive after this call.
        if (l->is_current())
          std::thread([last = std::move(inner)]() mutable { last.reset(); }).detach();
        else
          inner.reset();
      });
}

}  // namespace

SessionLoop::SessionLoop(const std::string& name)
    : thread_(released_off_loop(std::make_shared<transport::EventLoopThread>(name))) {}

std::shared_ptr<SessionLoop> new_session_loop(const std::string& name) { return std::make_shared<SessionLoop>(name); }

std::shared_ptr<SessionLoop> shared_session_loop() {
  // Weak: a thread lives while sessions (or elements) hold it, and a new one
  // starts when a process opens sessions again. Each wakeup of a loop polls
  // every socket and timer on it, so a loop takes up to kSessionsPerLoop
  // holders and the next one starts a loop of its own: 200 sessions on one
  // loop spent a third of their CPU in poll() (docs/benchmarks.md).
  static std::mutex mutex;
  static std::vector<std::weak_ptr<SessionLoop>> loops;
  std::lock_guard<std::mutex> lock(mutex);
  loops.erase(std::remove_if(loops.begin(), loops.end(), [](const auto& w) { return w.expired(); }), loops.end());
  const auto least = std::min_element(loops.begin(), loops.end(),
                                      [](const auto& a, const auto& b) { return a.use_count() < b.use_count(); });
  // lock() fails only if the last holder let go meanwhile: then a new loop.
  if (least != loops.end() && least->use_count() < kSessionsPerLoop)
    if (auto loop = least->lock()) return loop;
  auto loop = new_session_loop("geminilive-session");
  loops.push_back(loop);
  return loop;
}

}  // namespace geminilive::session
