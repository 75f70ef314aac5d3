// SPDX-License-Identifier: LGPL-2.1-or-later
// SessionCore's connections: opening one, and what its listener calls mean
// (open: the setup; a message; the end), routed to the session's parts.
#include <gst/gst.h>

#include <string_view>
#include <utility>

#include "session/close_errors.h"
#include "session/endpoint.h"
#include "session/session_core.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {
namespace {

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
// drop, and the next one of a switch. Returns its generation.
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
  GST_INFO("connecting to %s%s", shown_uri(session_endpoint(config_).uri).c_str(),
           handover ? " (the next connection)" : "");
  if (!config_.access_token_source) {
    client->connect();
    return generation;
  }
  // The client waits for its bearer; the deadline the caller arms (setup,
  // or the switch's) bounds the wait with the connection's.
  GST_DEBUG("asking for the access token of connection %" G_GUINT64_FORMAT, generation);
  config_.access_token_source(
      [weak = weak_from_this(), loop = loop_, generation, client = std::weak_ptr<WebSocketClient>(client)](
          const std::string& token, const std::string& error) {
        loop->post([weak, generation, client, token, error] {
          if (auto self = weak.lock()) self->access_token_came(generation, client.lock(), token, error);
        });
      });
  return generation;
}

// A connection's bearer is here: it connects, unless the session left it
// meanwhile (its deadline passed, the session stopped).
void SessionCore::access_token_came(uint64_t generation, const std::shared_ptr<WebSocketClient>& client,
                                    const std::string& token, const std::string& error) {
  if (torn_down_ || is_terminal(state_) || !client || !conns_.role_of(generation)) return;
  if (!error.empty()) {
    GST_WARNING("no access token for the connection: %s", error.c_str());
    fail(credentials_error(error));
    return;
  }
  GST_DEBUG("access token for connection %" G_GUINT64_FORMAT " is here", generation);
  client->connect(session_endpoint(config_, token).headers);
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
    carryover_.note_setup(conns_.next, setup);
    conns_.next.setup_sent = true;
    moved(conns_.next);
    // The handle in this setup is the session's state now: input from
    // here on is held for the next connection, so none of it is missing
    // from the session it resumes. The switch takes one round trip.
    out_.hold(conns_.next.client.get(), std::move(setup.outbound.json));
    return;
  }
  if (role != Role::Current) return;
  carryover_.note_setup(conns_.current, setup);
  if (state_ == SessionState::Connecting) set_state(SessionState::SettingUp);
  if (state_ != SessionState::SettingUp && state_ != SessionState::Reconnecting) return;
  moved(conns_.current);
  GST_LOG("sending setup%s", setup.resumes ? " with a resumption handle" : "");
  out_.send_setup(std::move(setup.outbound));
}

// A connection whose setup resumes at the latest handle (or afresh) carries
// the session from here: the calls its session does not hold are gone.
void SessionCore::moved(const Link& link) { tools_.moved(link.resumes, conns_.handles_seen()); }

void SessionCore::received(Role role, uint64_t generation, std::string_view payload) {
  if (is_terminal(state_)) return;  // finished or failed: nothing more is reported
  const int64_t received_us = g_get_monotonic_time();
  auto decoded = protocol::decode_server_message(payload);
  out_.count_received(decoded ? model_audio_bytes(decoded.value()) : 0);
  if (!decoded) {
    GST_WARNING("skipping a malformed message (%zu bytes): %s", payload.size(), decoded.error().c_str());
    warn("skipped a malformed message from the service: " + decoded.error());
    return;
  }
  const protocol::ServerMessage& m = decoded.value();
  if (m.session_resumption_update && role != Role::Draining) carryover_.update(*m.session_resumption_update);
  if (m.setup_complete && role == Role::Next) {
    switchover_.complete();
    return;
  }
  const bool resumed_setup = m.setup_complete && role == Role::Current && state_ == SessionState::Reconnecting;
  const TurnEvents turn = turns_.observe(m, received_us);
  // Every input sent so far is answered (an interrupted turn's is not:
  // the input that cut in is).
  if (turn.turn_complete && !turn.interrupted) out_.answered();
  if (m.go_away && role == Role::Current) {
    GST_INFO("goAway received");
    conns_.go_away = true;
  }
  // Recorded before the application hears of them: it may answer at once.
  // A call on a connection the session's input has left cannot be answered.
  if (m.tool_call)
    tools_.called(*m.tool_call, role == Role::Draining || (role == Role::Current && conns_.next.setup_sent),
                  conns_.handles_seen());
  if (m.tool_call_cancellation) tools_.cancelled(m.tool_call_cancellation->ids);
  // A resumed connection's setupComplete is the session's business only.
  if (turn.reply_started) emit([&](SessionObserver& o) { o.on_reply_started(turn.reply); });
  if (!resumed_setup) emit([&](SessionObserver& o) { o.on_message(m); });
  if (torn_down_) return;
  if (role == Role::Draining) {
    if (!turn.turn_complete) return;
    switchover_.end_draining(generation, true);
    // That may have been the reply the end of input waits for.
    if (state_ == SessionState::Finishing) finisher_.after_turn_events(turn);
    return;
  }
  if (m.setup_complete && (state_ == SessionState::SettingUp || state_ == SessionState::Reconnecting))
    become_ready();
  else if (state_ == SessionState::Finishing)
    finisher_.after_turn_events(turn);
  if (m.go_away && state_ == SessionState::Ready) switchover_.begin();
  if (m.session_resumption_update && conns_.switch_wanted && state_ == SessionState::Ready) switchover_.begin();
}

void SessionCore::closed(Role role, uint64_t generation, const CloseInfo& info) {
  if (is_terminal(state_)) return;  // we closed it: finished or failed already
  GST_INFO("%s connection ended in state %s: %d '%s'",
           role == Role::Current ? "the"
           : role == Role::Next  ? "the next"
                                 : "a draining",
           session_state_name(state_), info.code, info.reason.c_str());
  if (role == Role::Draining)
    switchover_.end_draining(generation, false);
  else if (role == Role::Next)
    switchover_.next_closed(info);
  else if (state_ == SessionState::Finishing)
    finisher_.connection_ended(info);
  else
    reconnector_.dropped(info);
}

}  // namespace geminilive::session
