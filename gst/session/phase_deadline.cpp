// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/phase_deadline.h"

#include <algorithm>
#include <utility>

namespace geminilive::session {

using std::chrono::milliseconds;

PhaseDeadline::PhaseDeadline(const SessionConfig& config)
    : setup_(config.connect_timeout), reply_start_(config.reply_start_timeout), turn_end_(config.turn_end_timeout) {}

void PhaseDeadline::arm(Wait what, GMainContext* context, std::function<void()> passed) {
  if (what == Wait::None || (what == Wait::Setup && setup_.count() <= 0)) return;
  waiting_for_ = what;
  timer_.start(context, std::max(timeout(what), milliseconds(0)), std::move(passed));
}

void PhaseDeadline::disarm() {
  waiting_for_ = Wait::None;
  timer_.cancel();
}

PhaseDeadline::Wait PhaseDeadline::end() { return std::exchange(waiting_for_, Wait::None); }

milliseconds PhaseDeadline::timeout(Wait what) const {
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

}  // namespace geminilive::session
