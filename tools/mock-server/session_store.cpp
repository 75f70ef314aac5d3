// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session_store.h"

#include <glib.h>

namespace geminilive::mock {

std::shared_ptr<SessionRecord> SessionStore::create() { return std::make_shared<SessionRecord>(); }

AudioDigest& AudioDigest::operator=(const AudioDigest& other) {
  if (this != &other) {
    g_checksum_free(checksum_);
    checksum_ = g_checksum_copy(other.checksum_);
    bytes_ = other.bytes_;
  }
  return *this;
}

void AudioDigest::add(std::string_view audio) {
  g_checksum_update(checksum_, reinterpret_cast<const guchar*>(audio.data()), static_cast<gssize>(audio.size()));
  bytes_ += audio.size();
}

std::string AudioDigest::sha256() const {
  // get_string() finalizes a checksum, so read it from a copy.
  GChecksum* done = g_checksum_copy(checksum_);
  std::string hex = g_checksum_get_string(done);
  g_checksum_free(done);
  return hex;
}

std::string SessionStore::issue_handle(const std::shared_ptr<SessionRecord>& session, bool snapshot) {
  // Opaque to clients: 192 random bits in hex. Collisions are not a concern.
  std::string handle;
  do {
    handle.clear();
    for (int i = 0; i < 6; ++i) {
      char word[9];
      g_snprintf(word, sizeof word, "%08x", g_random_int());
      handle += word;
    }
  } while (by_handle_.count(handle));
  by_handle_.emplace(handle, Named{snapshot ? std::make_shared<SessionRecord>(*session) : session, snapshot});
  return handle;
}

std::shared_ptr<SessionRecord> SessionStore::resume(const std::string& handle) const {
  auto it = by_handle_.find(handle);
  if (it == by_handle_.end()) return nullptr;
  return it->second.snapshot ? std::make_shared<SessionRecord>(*it->second.session) : it->second.session;
}

}  // namespace geminilive::mock
