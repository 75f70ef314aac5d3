// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveSession's handle (what create() returns) over the SessionCore.
#include "session/live_session.h"

#include <memory>
#include <utility>

#include "session/session_core.h"
#include "session/session_debug.h"

namespace geminilive::session {
namespace {

// What create() returns: dropping it stops the session.
class LiveSessionHandle final : public LiveSession {
 public:
  explicit LiveSessionHandle(std::shared_ptr<SessionCore> core) : core_(std::move(core)) {}
  ~LiveSessionHandle() override { core_->stop(); }

  void start() override { core_->start(); }
  void send(const protocol::ClientMessage& message) override { core_->enqueue(Outbound::encode(message), false); }
  void send_video_frame(protocol::Blob frame) override {
    core_->enqueue(Outbound::encode(protocol::RealtimeInput::with_video(std::move(frame))), true);
  }
  void update_context(ContextChange change) override { core_->update_context(change); }
  bool send_tool_response(protocol::FunctionResponse response) override { return core_->respond(std::move(response)); }
  void end_input(bool audio_stream_end) override { core_->end_input(audio_stream_end); }
  void stop() override { core_->stop(); }
  bool has_room() const override { return core_->has_room(); }
  SessionState state() const override { return core_->state(); }
  SessionStats stats() const override { return core_->stats(); }

 private:
  std::shared_ptr<SessionCore> core_;
};

}  // namespace

std::shared_ptr<LiveSession> LiveSession::create(SessionConfig config, std::shared_ptr<SessionObserver> observer,
                                                 std::shared_ptr<SessionLoop> loop) {
  ensure_session_debug();
  if (!loop) loop = shared_session_loop();
  return std::make_shared<LiveSessionHandle>(
      std::make_shared<SessionCore>(std::move(config), std::move(observer), std::move(loop)));
}

}  // namespace geminilive::session
