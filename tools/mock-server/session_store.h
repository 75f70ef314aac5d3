// SPDX-License-Identifier: LGPL-2.1-or-later
// Session resumption for the local Live server: every sessionResumptionUpdate
// hands out a new opaque handle; each handle stays valid (for the server's
// lifetime) and names the session state at the time, as the service does.
// With transparent resumption a handle names a snapshot: the state holding
// exactly the client messages up to its lastConsumedClientMessageIndex, so
// a resumed session lacks what came after (and the client must send it
// again). Used on the server thread only.
#pragma once

#include <glib.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace geminilive::mock {

// The realtime audio a session's state holds: its length and SHA-256. A
// copy (a snapshot's) goes on hashing from where it was.
class AudioDigest {
 public:
  AudioDigest() : checksum_(g_checksum_new(G_CHECKSUM_SHA256)) {}
  AudioDigest(const AudioDigest& other) : checksum_(g_checksum_copy(other.checksum_)), bytes_(other.bytes_) {}
  AudioDigest& operator=(const AudioDigest& other);
  ~AudioDigest() { g_checksum_free(checksum_); }

  void add(std::string_view audio);
  uint64_t bytes() const { return bytes_; }
  std::string sha256() const;

 private:
  GChecksum* checksum_;
  uint64_t bytes_ = 0;
};

// What a session carries across connections.
struct SessionRecord {
  unsigned turns = 0;        // turns started, over all its connections
  unsigned connections = 0;  // connections that used it (1 + resumptions)
  double audio_seconds = 0.0;
  unsigned frames = 0;
  // The text of the system instruction in effect (setup, then contextUpdate):
  // a resumed setup whose instruction differs changes the context.
  std::string system_instruction;
  AudioDigest audio;  // realtime audio in its state, in order
};

class SessionStore {
 public:
  std::shared_ptr<SessionRecord> create();
  // A fresh handle that resumes `session` as it goes on, or, with
  // `snapshot`, as it is now (transparent resumption).
  std::string issue_handle(const std::shared_ptr<SessionRecord>& session, bool snapshot = false);
  // The session a setup with `handle` resumes: the one it names, or a copy
  // of its snapshot (each resumption starts from it); nullptr when the
  // handle was never issued.
  std::shared_ptr<SessionRecord> resume(const std::string& handle) const;
  // Every handle becomes unknown; sessions in use go on.
  void forget_handles() { by_handle_.clear(); }

 private:
  struct Named {
    std::shared_ptr<SessionRecord> session;
    bool snapshot = false;
  };
  std::map<std::string, Named> by_handle_;
};

}  // namespace geminilive::mock
