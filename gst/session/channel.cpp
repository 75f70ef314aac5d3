// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/channel.h"

#include <algorithm>
#include <map>
#include <utility>

namespace geminilive::session {
namespace {

// name -> channel, weakly: a channel lives while elements hold it.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<Channel>> channels;
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: channels may outlive static destruction
  return *r;
}

}  // namespace

std::shared_ptr<Channel> Channel::acquire(const std::string& name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::weak_ptr<Channel>& slot = r.channels[name];
  if (auto channel = slot.lock()) return channel;
  std::shared_ptr<Channel> channel(new Channel(name));
  slot = channel;
  return channel;
}

Channel::Channel(std::string name) : name_(std::move(name)) {}

Channel::~Channel() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  // A new channel of the same name may have taken the slot already.
  auto it = r.channels.find(name_);
  if (it != r.channels.end() && it->second.expired()) r.channels.erase(it);
}

void Channel::add_tap(std::shared_ptr<SessionObserver> tap, bool reports_latency) {
  if (!tap) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (reports_latency) latency_taps_.push_back(tap.get());
  latency_tap_count_ = latency_taps_.size();
  taps_.push_back(std::move(tap));
}

void Channel::remove_tap(const SessionObserver* tap) {
  std::shared_ptr<SessionObserver> removed;  // released after the lock
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = std::find_if(taps_.begin(), taps_.end(), [tap](const auto& t) { return t.get() == tap; });
  if (it == taps_.end()) return;
  latency_taps_.erase(std::remove(latency_taps_.begin(), latency_taps_.end(), tap), latency_taps_.end());
  latency_tap_count_ = latency_taps_.size();
  removed = std::move(*it);
  taps_.erase(it);
}

bool Channel::claim_owner(const void* owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (owner_ && owner_ != owner) return false;
  owner_ = owner;
  return true;
}

void Channel::release_owner(const void* owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (owner_ == owner) owner_ = nullptr;
}

void Channel::on_state(SessionState state) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_state_ = state;
  for (const auto& tap : taps_) tap->on_state(state);
}

void Channel::on_message(const protocol::ServerMessage& message) {
  fan_out([&](SessionObserver& tap) { tap.on_message(message); });
}

void Channel::on_reply_started(const ReplyStart& start) {
  fan_out([&](SessionObserver& tap) { tap.on_reply_started(start); });
}

void Channel::on_room() {
  fan_out([](SessionObserver& tap) { tap.on_room(); });
}

void Channel::on_warning(const std::string& text) {
  fan_out([&](SessionObserver& tap) { tap.on_warning(text); });
}

void Channel::on_reconnecting(const Reconnection& reconnection) {
  fan_out([&](SessionObserver& tap) { tap.on_reconnecting(reconnection); });
}

void Channel::on_resumed(const Resumption& resumption) {
  fan_out([&](SessionObserver& tap) { tap.on_resumed(resumption); });
}

void Channel::on_context_changed(const ContextApplied& applied) {
  fan_out([&](SessionObserver& tap) { tap.on_context_changed(applied); });
}

void Channel::on_error(const SessionError& error) {
  fan_out([&](SessionObserver& tap) { tap.on_error(error); });
}

SessionState Channel::last_state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_state_;
}

}  // namespace geminilive::session
