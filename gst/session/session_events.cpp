// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/session_events.h"

namespace geminilive::session {

const char* session_state_name(SessionState state) {
  switch (state) {
    case SessionState::Idle:
      return "idle";
    case SessionState::Connecting:
      return "connecting";
    case SessionState::SettingUp:
      return "setting-up";
    case SessionState::Ready:
      return "ready";
    case SessionState::Reconnecting:
      return "reconnecting";
    case SessionState::Finishing:
      return "finishing";
    case SessionState::Finished:
      return "finished";
    case SessionState::Closed:
      return "closed";
    case SessionState::Failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace geminilive::session
