// SPDX-License-Identifier: LGPL-2.1-or-later
// What the session suites share: an observer that records every callback
// (with waits for the test thread), configurations for the in-process
// server, and distinct quiet audio whose order shows in a hash.
#pragma once

#include <gst/check/gstcheck.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "session/live_session.h"
#include "session/session_events.h"

namespace geminilive::testing {

using namespace geminilive::session;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

inline constexpr char kModel[] = "models/gemini-2.5-flash-native-audio-preview-12-2025";
inline constexpr char kBadKey[] = "API key not valid. Please pass a valid API key.";

// ---- what a session reports ----

struct Event {
  enum class Type { State, Message, Warning, Error, Reconnecting, Resumed, ContextChanged };
  Type type;
  SessionState state = SessionState::Idle;
  protocol::ServerMessage message;
  std::string warning;
  SessionError error;
  Reconnection reconnection;
  Resumption resumption;
  ContextApplied context;
};

// Records every callback in order; wait helpers block the test thread. Once
// `forbid()` is called, any further callback counts as late.
class Events : public SessionObserver {
 public:
  void on_state(SessionState state) override { add({Event::Type::State, state, {}, {}, {}}); }
  void on_message(const protocol::ServerMessage& m) override { add({Event::Type::Message, {}, m, {}, {}}); }
  void on_warning(const std::string& text) override { add({Event::Type::Warning, {}, {}, text, {}}); }
  void on_error(const SessionError& error) override { add({Event::Type::Error, {}, {}, {}, error}); }
  void on_reconnecting(const Reconnection& r) override {
    Event e{Event::Type::Reconnecting, {}, {}, {}, {}};
    e.reconnection = r;
    add(std::move(e));
  }
  void on_resumed(const Resumption& r) override {
    Event e{Event::Type::Resumed, {}, {}, {}, {}};
    e.resumption = r;
    add(std::move(e));
  }

  void on_context_changed(const ContextApplied& applied) override {
    Event e{Event::Type::ContextChanged, {}, {}, {}, {}};
    e.context = applied;
    add(std::move(e));
  }

  bool wait(const std::function<bool(const std::vector<Event>&)>& pred, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cond_.wait_for(lock, timeout, [&] { return pred(events_); });
  }
  void wait_state(SessionState state, std::chrono::milliseconds timeout = kWait) {
    fail_unless(wait([&](const auto& events) { return index_of_state(events, state) != SIZE_MAX; }, timeout),
                "state %s did not come (now %s)", session_state_name(state), session_state_name(last_state()));
  }
  SessionError wait_error() {
    fail_unless(wait([](const auto& events) {
                  for (const auto& e : events)
                    if (e.type == Event::Type::Error) return true;
                  return false;
                }),
                "no error came");
    for (const auto& e : events())
      if (e.type == Event::Type::Error) return e.error;
    return {};
  }
  void wait_message(const std::function<bool(const protocol::ServerMessage&)>& pred) {
    fail_unless(wait([&](const auto& events) {
                  for (const auto& e : events)
                    if (e.type == Event::Type::Message && pred(e.message)) return true;
                  return false;
                }),
                "the expected message did not come");
  }

  static std::size_t index_of_state(const std::vector<Event>& events, SessionState state) {
    for (std::size_t i = 0; i < events.size(); ++i)
      if (events[i].type == Event::Type::State && events[i].state == state) return i;
    return SIZE_MAX;
  }

  std::vector<Event> events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  // Waits for an event of `type`; returns the first.
  Event wait_event(Event::Type type) {
    auto find = [type](const std::vector<Event>& events) -> const Event* {
      for (const auto& e : events)
        if (e.type == type) return &e;
      return nullptr;
    };
    fail_unless(wait([&](const auto& events) { return find(events) != nullptr; }), "no event of type %d came",
                static_cast<int>(type));
    const auto all = events();
    return *find(all);
  }
  void wait_warning(const std::string& text) {
    fail_unless(wait([&](const auto& events) {
                  for (const auto& e : events)
                    if (e.type == Event::Type::Warning && e.warning == text) return true;
                  return false;
                }),
                "the warning \"%s\" did not come", text.c_str());
  }

  std::vector<std::string> warnings() {
    std::vector<std::string> out;
    for (const auto& e : events())
      if (e.type == Event::Type::Warning) out.push_back(e.warning);
    return out;
  }
  SessionState last_state() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = events_.rbegin(); it != events_.rend(); ++it)
      if (it->type == Event::Type::State) return it->state;
    return SessionState::Idle;
  }
  // The model's text and audio, in order.
  std::string reply_text() {
    std::string text;
    for (const auto& e : events())
      if (e.type == Event::Type::Message && e.message.server_content && e.message.server_content->model_turn)
        text += e.message.server_content->model_turn->text();
    return text;
  }
  std::string reply_pcm() {
    std::string pcm;
    for (const auto& e : events())
      if (e.type == Event::Type::Message && e.message.server_content && e.message.server_content->model_turn)
        for (const auto& part : e.message.server_content->model_turn->parts)
          if (part.inline_data) pcm += part.inline_data->data;
    return pcm;
  }

  void forbid() { forbidden_ = true; }
  int late_calls() const { return late_; }

 private:
  void add(Event e) {
    if (forbidden_) ++late_;
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(std::move(e));
    cond_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable cond_;
  std::vector<Event> events_;
  std::atomic<bool> forbidden_{false};
  std::atomic<int> late_{0};
};

// received_messages() takes the server's lock: not from a wait_for() predicate.
inline bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

inline bool is_turn_complete(const protocol::ServerMessage& m) {
  return m.server_content && m.server_content->turn_complete;
}

// ---- configuration and input ----

inline ServerOptions opts() {
  ServerOptions o;
  o.reply_speed = 0.0;  // whole replies at once
  return o;
}

inline SessionConfig config_for(const LiveServer& server, bool text_reply = false) {
  SessionConfig c;
  c.uri = live_uri(server);
  c.api_key = "test-key";
  c.setup.model = kModel;
  if (text_reply) {
    c.setup.generation_config = protocol::GenerationConfig{};
    c.setup.generation_config->response_modalities = {"TEXT"};
  }
  c.connect_timeout = 5s;
  c.reply_start_timeout = 5s;
  c.turn_end_timeout = 10s;
  return c;
}

inline std::shared_ptr<LiveSession> start_session(const SessionConfig& config,
                                                  std::shared_ptr<SessionObserver> events) {
  auto s = LiveSession::create(config, std::move(events));
  s->start();
  return s;
}

// A server and a session on it that has reached Ready. Members go in
// reverse: the session stops before the server does.
struct Live {
  std::unique_ptr<LiveServer> server;
  std::shared_ptr<Events> events = std::make_shared<Events>();
  std::shared_ptr<LiveSession> session;
};

inline Live ready_session(ServerOptions options = opts(), bool text_reply = false,
                          const std::function<void(SessionConfig&)>& adjust = {}) {
  Live l;
  l.server = start_server(std::move(options));
  SessionConfig config = config_for(*l.server, text_reply);
  if (adjust) adjust(config);
  l.session = start_session(config, l.events);
  l.events->wait_state(SessionState::Ready);
  return l;
}

// Quiet S16LE samples (well below the server's speech threshold), distinct
// per `seed`, so order and completeness show in the hash.
inline std::string quiet_pcm(std::size_t bytes, unsigned seed) {
  std::string pcm(bytes & ~std::size_t(1), '\0');
  for (std::size_t i = 0; i + 1 < pcm.size(); i += 2) {
    const auto sample = static_cast<int16_t>(((i / 2 + seed * 7919u) * 2654435761u) % 201) - 100;
    pcm[i] = static_cast<char>(static_cast<uint16_t>(sample) & 0xFF);
    pcm[i + 1] = static_cast<char>(static_cast<uint16_t>(sample) >> 8);
  }
  return pcm;
}

inline protocol::RealtimeInput audio(std::string pcm, unsigned rate = 16000) {
  return protocol::RealtimeInput::with_audio({"audio/pcm;rate=" + std::to_string(rate), std::move(pcm)});
}

inline protocol::Blob jpeg() { return {"image/jpeg", read_fixture("frame-64x48.jpg")}; }

}  // namespace geminilive::testing
