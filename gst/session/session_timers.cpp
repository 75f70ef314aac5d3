// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/session_timers.h"

#include <algorithm>
#include <utility>

namespace geminilive::session {

using std::chrono::milliseconds;

SessionTimers::SessionTimers(const SessionConfig& config, GMainContext* context)
    : context_(context),
      setup_(config.connect_timeout),
      reply_start_(config.reply_start_timeout),
      turn_end_(config.turn_end_timeout) {}

void SessionTimers::start(Timer which, milliseconds delay, std::function<void()> fn) {
  timers_[static_cast<std::size_t>(which)].start(context_, std::max(delay, milliseconds(0)), std::move(fn));
}

void SessionTimers::cancel(Timer which) { timers_[static_cast<std::size_t>(which)].cancel(); }

void SessionTimers::arm(Wait what, std::function<void()> passed) {
  if (what == Wait::None || (what == Wait::Setup && setup_.count() <= 0)) return;
  waiting_for_ = what;
  phase_.start(context_, std::max(timeout(what), milliseconds(0)), std::move(passed));
}

void SessionTimers::disarm() {
  waiting_for_ = Wait::None;
  phase_.cancel();
}

SessionTimers::Wait SessionTimers::end() { return std::exchange(waiting_for_, Wait::None); }

milliseconds SessionTimers::timeout(Wait what) const {
  switch (what) {
    case Wait::Setup:
      return setup_;
    case Wait::ReplyStart:
      return reply_start_;
    case Wait::TurnEnd:
      return turn_end_;
    case Wait::None:
      break;
  }
  return milliseconds(0);
}

void SessionTimers::cancel_all() {
  disarm();
  for (auto& t : timers_) t.cancel();
}

}  // namespace geminilive::session
