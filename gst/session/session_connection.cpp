// SPDX-License-Identifier: LGPL-2.1-or-later
// SessionCore's connections: opening one, and what its listener calls mean
// (open: the setup; a message; the end), and the function calls they bring.
#include <gst/gst.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "session/close_errors.h"
#include "session/session_core.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {
namespace {

using std::chrono::milliseconds;
using transport::CloseInfo;
using transport::WebSocketClient;

uint64_t model_audio_bytes(const protocol::ServerMessage& m) {
  uint64_t bytes = 0;
  if (m.server_content && m.server_content->model_turn)
    for (const auto& part : m.server_content->model_turn->parts)
      if (part.inline_data && part.inline_data->mime_type.rfind("audio/", 0) == 0)
        bytes += part.inline_data->data.size();
  return bytes;
}

}  // namespace

// ---- loop thread: connection ----

void SessionCore::begin() {
  if (torn_down_ || state_ != SessionState::Idle) return;
  if (auto error = check_config(config_)) {
    fail(*error);
    return;
  }
  set_state(SessionState::Connecting);
  // One bound for connect and setup together (0: none, as in the transport).
  arm(Wait::Setup);
  open_connection(false);
}

// The one place a connection is made: the first, a reconnection after a
// drop, and the next one of a goAway switch. Returns its generation.
uint64_t SessionCore::open_connection(bool handover) {
  const uint64_t generation = conns_.new_generation();
  auto client = std::make_shared<WebSocketClient>(loop_, websocket_options(config_), listener_for(generation));
  if (handover) {
    retire(std::exchange(conns_.next, Link{generation, client}).client);
    conns_.next.go_away = conns_.go_away;
  } else {
    std::shared_ptr<WebSocketClient> old = out_.set_client(client);
    conns_.current = Link{generation};
    conns_.new_current();
    retire(std::move(old));
  }
  GST_INFO("connecting to %s%s", shown_uri(config_.uri).c_str(), handover ? " (the next connection)" : "");
  client->connect();
  return generation;
}

transport::WebSocketListener SessionCore::listener_for(uint64_t generation) {
  transport::WebSocketListener l;
  std::weak_ptr<SessionCore> weak = weak_from_this();
  l.on_open = [weak, generation] {
    if (auto s = weak.lock()) s->dispatch(generation, [&](Role role) { s->opened(role); });
  };
  l.on_message = [weak, generation](std::string_view payload, bool) {
    if (auto s = weak.lock()) s->dispatch(generation, [&](Role role) { s->received(role, generation, payload); });
  };
  l.on_closed = [weak, generation](const CloseInfo& info) {
    if (auto s = weak.lock()) s->dispatch(generation, [&](Role role) { s->closed(role, generation, info); });
  };
  return l;
}

// Sends the setup (the stored one: context changes included), resuming
// the session when a handle is known.
void SessionCore::opened(Role role) {
  SessionSetup::Message setup = setup_.message(conns_.handle());
  if (role == Role::Next) {
    GST_INFO("the next connection is open: %s there", setup.resumes ? "resuming" : "starting afresh");
    if (!conns_.next.client) return;
    note_setup(conns_.next, setup);
    conns_.next.setup_sent = true;
    abandon_calls(setup.resumes);
    // The handle in this setup is the session's state now: input from
    // here on is held for the next connection, so none of it is missing
    // from the session it resumes. The switch takes one round trip.
    out_.hold(conns_.next.client.get(), std::move(setup.outbound.json));
    return;
  }
  if (role != Role::Current) return;
  note_setup(conns_.current, setup);
  if (state_ == SessionState::Connecting) set_state(SessionState::SettingUp);
  if (state_ != SessionState::SettingUp && state_ != SessionState::Reconnecting) return;
  abandon_calls(setup.resumes);
  GST_LOG("sending setup%s", setup.resumes ? " with a resumption handle" : "");
  out_.send_setup(std::move(setup.outbound));
}

void SessionCore::received(Role role, uint64_t generation, std::string_view payload) {
  if (is_terminal(state_)) return;  // finished or failed: nothing more is reported
  auto decoded = protocol::decode_server_message(payload);
  out_.count_received(decoded ? model_audio_bytes(decoded.value()) : 0);
  if (!decoded) {
    GST_WARNING("skipping a malformed message (%zu bytes): %s", payload.size(), decoded.error().c_str());
    emit_warning("skipped a malformed message from the service: " + decoded.error());
    return;
  }
  const protocol::ServerMessage& m = decoded.value();
  if (m.session_resumption_update && role != Role::Draining) resumption_update(*m.session_resumption_update);
  if (m.setup_complete && role == Role::Next) {
    complete_switch();
    return;
  }
  const bool resumed_setup = m.setup_complete && role == Role::Current && state_ == SessionState::Reconnecting;
  const TurnEvents turn = turns_.observe(m);
  // Every input sent so far is answered (an interrupted turn's is not:
  // the input that cut in is).
  if (turn.turn_complete && !turn.interrupted) out_.answered();
  if (m.go_away && role == Role::Current) {
    GST_INFO("goAway received");
    conns_.go_away = true;
  }
  // Recorded before the application hears of them: it may answer at once.
  if (m.tool_call) tool_call_received(*m.tool_call, role);
  if (m.tool_call_cancellation) calls_.cancelled(m.tool_call_cancellation->ids);
  // A resumed connection's setupComplete is the session's business only.
  if (!resumed_setup) emit([&](SessionObserver& o) { o.on_message(m); });
  if (torn_down_) return;
  if (role == Role::Draining) {
    if (!turn.turn_complete) return;
    end_draining(generation, true);
    // That may have been the reply the end of input waits for.
    if (state_ == SessionState::Finishing) after_turn_events(turn);
    return;
  }
  if (m.setup_complete && (state_ == SessionState::SettingUp || state_ == SessionState::Reconnecting))
    become_ready();
  else if (state_ == SessionState::Finishing)
    after_turn_events(turn);
  if (m.go_away && state_ == SessionState::Ready) begin_switch();
  if (m.session_resumption_update && conns_.switch_wanted && state_ == SessionState::Ready) begin_switch();
}

void SessionCore::closed(Role role, uint64_t generation, const CloseInfo& info) {
  if (is_terminal(state_)) return;  // we closed it: finished or failed already
  GST_INFO("%s connection ended in state %s: %d '%s'",
           role == Role::Current ? "the"
           : role == Role::Next  ? "the next"
                                 : "a draining",
           session_state_name(state_), info.code, info.reason.c_str());
  if (role == Role::Draining) {
    end_draining(generation, false);
    return;
  }
  if (role == Role::Next) {
    if (close_is_final(info, false)) {
      retire(std::exchange(conns_.next, Link{}).client);
      fail(error_for_close(info, config_));
      return;
    }
    // The current connection still works (until its deadline after a
    // goAway; when it ends, the drop path reconnects).
    GST_INFO("the next connection failed; staying on the current one");
    stay_on_current("could not open the next connection", describe_close(info));
    return;
  }
  const bool normal = info.kind == CloseInfo::Kind::Closed && (info.code == 1000 || info.code == 1001);
  if (state_ == SessionState::Finishing) {
    // Input is over: a new connection would have nothing to send, and a
    // reply cut here does not come back on it.
    if (!normal || turns_.under_way())
      emit_warning("the connection ended before the model's turn ended (" + describe_close(info) + ")");
    finish();
    return;
  }
  const bool after_go_away = conns_.go_away;
  if (!reconnect_.enabled() || close_is_final(info, after_go_away) ||
      (state_ == SessionState::Connecting && info.kind == CloseInfo::Kind::ConnectFailed)) {
    fail(error_for_close(info, config_));
    return;
  }
  if (conns_.next.client) {
    // The goAway switch is under way: its connection carries the session.
    promote_next();
    return;
  }
  reconnect_after(info);
}

// What a connection's setup carries: the context version, whether it
// resumes, and whether at a handle whose state says which messages it holds.
void SessionCore::note_setup(Link& link, const SessionSetup::Message& setup) {
  link.version = setup.version;
  link.resumes = setup.resumes;
  link.transparent = replay_ && setup.resumes && conns_.handle_index().has_value();
}

// In transparent mode a handle and the replay log go together: the log
// holds exactly what the state of the latest handle lacks. Once the next
// connection's setup is out, it resumes at the handle that setup carries, so
// the current connection's later handles are not taken (the old one is kept
// if the switch fails: still valid, with a longer log).
void SessionCore::resumption_update(const protocol::SessionResumptionUpdate& update) {
  if (replay_ && conns_.next.setup_sent) return;
  conns_.remember(update);
  GST_DEBUG("resumption update: %s", update.resumable ? "new handle" : "not resumable");
  if (!replay_ || !conns_.handle_current()) return;
  // A handle without an index can't be resumed transparently: nothing to keep.
  const int64_t consumed = update.last_consumed_client_message_index.value_or(std::numeric_limits<int64_t>::max());
  replay_->consumed(consumed);
  GST_LOG("the service holds client messages up to %" G_GINT64_FORMAT "; %zu kept for a replay",
          static_cast<gint64>(consumed), replay_->size());
}

// A new connection carries the session: the replay log starts over on it,
// and gives what the state it resumed lacks when it resumed transparently.
std::deque<Outbound> SessionCore::replay_onto(const Link& link) {
  if (!replay_) return {};
  std::deque<Outbound> again = replay_->restart(link.transparent);
  if (!again.empty()) GST_INFO("sending %zu messages again that the resumed state lacks", again.size());
  replayed_ += again.size();
  return again;
}

// ---- loop thread: function calls ----

// A call on a connection the session's input has left cannot be answered.
void SessionCore::tool_call_received(const protocol::ToolCall& call, Role role) {
  if (role == Role::Draining || (role == Role::Current && conns_.next.setup_sent)) {
    for (const auto& c : calls_.abandon(call))
      emit_warning("The tool call " + c.id + " (" + c.name +
                   ") came on a connection the session was leaving; its response cannot reach the model.");
    return;
  }
  calls_.called(call, conns_.handles_seen(), ToolCalls::Clock::now());
  arm_tool_timer();
}

// A connection resuming at the latest handle (or afresh) carries the
// session from here: the calls its session does not hold are gone.
void SessionCore::abandon_calls(bool resumes) {
  for (const auto& c : calls_.moved(resumes, conns_.handles_seen()))
    emit_warning("The tool call " + c.id + " (" + c.name +
                 ") was lost with its connection; the model no longer waits for its response.");
}

void SessionCore::arm_tool_timer() {
  const auto next = calls_.next_deadline();
  if (!next || is_terminal(state_)) {
    timers_.cancel(Timer::Tool);
    return;
  }
  const auto left = std::chrono::ceil<milliseconds>(*next - ToolCalls::Clock::now());
  after(Timer::Tool, std::max(left, milliseconds(0)), [this] { tool_deadline(); });
}

// The model must not wait forever: an unanswered call gets an error.
void SessionCore::tool_deadline() {
  if (torn_down_ || is_terminal(state_)) return;  // nothing more goes out
  for (const auto& call : calls_.expire(ToolCalls::Clock::now())) {
    GST_INFO("tool call %s (%s) timed out", call.id.c_str(), call.name.c_str());
    enqueue(Outbound::encode(protocol::ToolResponse{{calls_.timeout_response(call)}}), false);
    emit_warning("The tool call " + call.id + " (" + call.name + ") had no response within " +
                 seconds_text(calls_.timeout()) + " s; the model was told it failed.");
  }
  arm_tool_timer();
}

}  // namespace geminilive::session
