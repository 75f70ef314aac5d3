// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/reconnect_policy.h"

#include <algorithm>

namespace geminilive::session {

using std::chrono::milliseconds;

ReconnectPolicy::ReconnectPolicy(const SessionConfig& config)
    : resumption_(config.resumption),
      max_attempts_(config.max_reconnect_attempts),
      delay_(config.reconnect_delay),
      max_delay_(config.max_reconnect_delay),
      stable_after_(config.stable_after) {}

std::optional<ReconnectPolicy::Attempt> ReconnectPolicy::next() {
  if (attempts_ >= max_attempts_) return std::nullopt;
  ++attempts_;
  return Attempt{attempts_, delay_before(attempts_)};
}

std::string ReconnectPolicy::gave_up() const {
  return " (gave up after " + std::to_string(attempts_) + " reconnection attempt" + (attempts_ == 1 ? "" : "s") + ")";
}

milliseconds ReconnectPolicy::delay_before(unsigned number) const {
  if (number <= 1) return milliseconds(0);
  milliseconds delay = delay_;
  for (unsigned i = 2; i < number && delay < max_delay_; ++i) delay *= 2;
  return std::min(delay, max_delay_);
}

}  // namespace geminilive::session
