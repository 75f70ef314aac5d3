// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session_store.h"

#include <glib.h>

namespace geminilive::mock {

std::shared_ptr<SessionRecord> SessionStore::create() { return std::make_shared<SessionRecord>(); }

std::string SessionStore::issue_handle(const std::shared_ptr<SessionRecord>& session) {
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
  by_handle_.emplace(handle, session);
  return handle;
}

std::shared_ptr<SessionRecord> SessionStore::find(const std::string& handle) const {
  auto it = by_handle_.find(handle);
  return it == by_handle_.end() ? nullptr : it->second;
}

}  // namespace geminilive::mock
