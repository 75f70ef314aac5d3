// SPDX-License-Identifier: LGPL-2.1-or-later
// Session resumption for the local Live server: every sessionResumptionUpdate
// hands out a new opaque handle; each handle stays valid (for the server's
// lifetime) and names the session state at the time, as the service does.
// Used on the server thread only.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace geminilive::mock {

// What a session carries across connections.
struct SessionRecord {
  unsigned turns = 0;        // turns started, over all its connections
  unsigned connections = 0;  // connections that used it (1 + resumptions)
  double audio_seconds = 0.0;
  unsigned frames = 0;
  // The text of the system instruction in effect (setup, then contextUpdate):
  // a resumed setup whose instruction differs changes the context.
  std::string system_instruction;
};

class SessionStore {
 public:
  std::shared_ptr<SessionRecord> create();
  // A fresh handle that resumes `session`.
  std::string issue_handle(const std::shared_ptr<SessionRecord>& session);
  // nullptr when the handle was never issued.
  std::shared_ptr<SessionRecord> find(const std::string& handle) const;
  // Every handle becomes unknown; sessions in use go on.
  void forget_handles() { by_handle_.clear(); }

 private:
  std::map<std::string, std::shared_ptr<SessionRecord>> by_handle_;
};

}  // namespace geminilive::mock
