// SPDX-License-Identifier: LGPL-2.1-or-later
// The setup every connection of a session sends: the configured one, with the
// context changes made since (update_context()) and the latest resumption
// handle. Each change makes a new version, so the session knows whether a
// connection's setup carries the newest context. Also the messages that
// seed or change a session's context: the history and contextUpdate.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/client_message.h"
#include "session/held_messages.h"
#include "session/session_config.h"

namespace geminilive::session {

// What update_context() changes; what is absent stays as it is.
struct ContextChange {
  std::optional<protocol::Content> system_instruction;
  std::optional<std::vector<protocol::Tool>> tools;  // empty: no tools any more
};

// Thread-safe: update_context() changes it on the caller's thread, the
// session's loop reads it for each connection.
class SessionSetup {
 public:
  // `backend`: the service the setup goes to (protocol::setup_for_backend());
  // with `transparent`, a setup that asks for handles asks for transparent resumption.
  SessionSetup(protocol::Setup setup, bool resumption, protocol::Backend backend = protocol::Backend::GeminiApi,
               bool transparent = false)
      : setup_(std::move(setup)), resumption_(resumption), transparent_(transparent), backend_(backend) {}
  // `config`'s setup for its backend (on Vertex AI the model named by its
  // resource name, session_model_name()), transparent when it asks for it.
  explicit SessionSetup(const SessionConfig& config);

  // Applies the change; returns the new version (the configured setup is 0).
  uint64_t change(const ContextChange& change);
  uint64_t version() const;

  struct Message {
    Outbound outbound;
    uint64_t version = 0;
    bool resumes = false;  // it carries a handle
  };
  // The setup as it is now. With resumption on it asks for handles, and
  // resumes at `handle` unless that is empty.
  Message message(const std::string& handle) const;

 private:
  mutable std::mutex mutex_;
  protocol::Setup setup_;
  const bool resumption_;
  const bool transparent_;
  const protocol::Backend backend_;
  uint64_t version_ = 0;
};

// The contextUpdate for a change: tools present replace the list (empty
// clears it), absent keep it.
protocol::ContextUpdate context_update_for(const ContextChange& change);

// The history as the service takes it with
// historyConfig.initialHistoryInClientContent: every turn in one clientContent
// with turnComplete, which ends the history without asking for an answer.
Outbound history_message(const std::vector<protocol::Content>& history);

}  // namespace geminilive::session
