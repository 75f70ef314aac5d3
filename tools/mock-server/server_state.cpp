// SPDX-License-Identifier: LGPL-2.1-or-later
#include "server_state.h"

namespace geminilive::mock {

ServerState::ServerState() : audio_checksum_(g_checksum_new(G_CHECKSUM_SHA256)) {
  g_mutex_init(&mutex_);
  g_cond_init(&cond_);
}

ServerState::~ServerState() {
  g_checksum_free(audio_checksum_);
  g_cond_clear(&cond_);
  g_mutex_clear(&mutex_);
}

void ServerState::update(const std::function<void(ServerStats&)>& fn) {
  g_mutex_lock(&mutex_);
  fn(stats_);
  g_cond_broadcast(&cond_);
  g_mutex_unlock(&mutex_);
}

void ServerState::add_audio(unsigned connection, std::string_view bytes) {
  g_mutex_lock(&mutex_);
  if (connection <= folded_) {
    g_warning("audio on connection %u after it ended", connection);
  } else {
    pending_[connection].audio.append(bytes);
    fold_ended_locked();
  }
  stats_.audio_bytes += bytes.size();
  g_cond_broadcast(&cond_);
  g_mutex_unlock(&mutex_);
}

void ServerState::connection_started(unsigned connection) {
  g_mutex_lock(&mutex_);
  if (connection > folded_) pending_[connection];
  g_mutex_unlock(&mutex_);
}

void ServerState::connection_ended(unsigned connection) {
  g_mutex_lock(&mutex_);
  if (connection > folded_) {
    pending_[connection].ended = true;
    fold_ended_locked();
  }
  g_mutex_unlock(&mutex_);
}

// Hashes the audio of the oldest connections once they have ended, so only
// open connections keep their bytes.
void ServerState::fold_ended_locked() {
  while (!pending_.empty() && pending_.begin()->second.ended) {
    auto it = pending_.begin();
    g_checksum_update(audio_checksum_, reinterpret_cast<const guchar*>(it->second.audio.data()),
                      static_cast<gssize>(it->second.audio.size()));
    folded_ = it->first;
    pending_.erase(it);
  }
}

void ServerState::add_message(std::string text) {
  g_mutex_lock(&mutex_);
  messages_.push_back(std::move(text));
  g_cond_broadcast(&cond_);
  g_mutex_unlock(&mutex_);
}

ServerStats ServerState::snapshot_locked(bool with_hash) const {
  ServerStats copy = stats_;
  if (!with_hash) return copy;
  // get_string() finalizes a checksum, so read it from a copy.
  GChecksum* done = g_checksum_copy(audio_checksum_);
  for (const auto& [number, pending] : pending_)
    g_checksum_update(done, reinterpret_cast<const guchar*>(pending.audio.data()),
                      static_cast<gssize>(pending.audio.size()));
  copy.audio_sha256 = g_checksum_get_string(done);
  g_checksum_free(done);
  return copy;
}

ServerStats ServerState::snapshot() const {
  g_mutex_lock(&mutex_);
  ServerStats copy = snapshot_locked(true);
  g_mutex_unlock(&mutex_);
  return copy;
}

std::vector<std::string> ServerState::messages() const {
  g_mutex_lock(&mutex_);
  std::vector<std::string> copy = messages_;
  g_mutex_unlock(&mutex_);
  return copy;
}

bool ServerState::wait_for(const std::function<bool(const ServerStats&)>& pred,
                           std::chrono::milliseconds timeout) const {
  gint64 deadline = g_get_monotonic_time() + timeout.count() * G_TIME_SPAN_MILLISECOND;
  g_mutex_lock(&mutex_);
  bool ok = false;
  while (!(ok = pred(snapshot_locked(false)))) {
    if (!g_cond_wait_until(&cond_, &mutex_, deadline)) {
      ok = pred(snapshot_locked(false));
      break;
    }
  }
  g_mutex_unlock(&mutex_);
  return ok;
}

}  // namespace geminilive::mock
