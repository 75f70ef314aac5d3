// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/finisher.h"

#include <gst/gst.h>

#include "session/close_errors.h"
#include "session/session_debug.h"
#include "session/session_error.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

using transport::CloseInfo;
using Wait = SessionTimers::Wait;

void Finisher::input_ended(bool audio_stream_end) {
  if (host_.torn_down() || input_ended_ || is_terminal(host_.state())) return;
  input_ended_ = true;
  audio_stream_ended_ = audio_stream_end;
  // Before Ready, ready() comes after the held input is sent.
  if (host_.state() == SessionState::Ready) enter_finishing();
}

void Finisher::ready() {
  if (input_ended_ && host_.state() == SessionState::Ready) enter_finishing();
}

// The model may still answer the last input (the audio stream's end, a
// text sent since the last turnComplete), so "no reply under way" is not
// "done": then wait reply_start_timeout for one. Without audio, when every
// input was answered, nothing more is coming.
void Finisher::enter_finishing() {
  host_.set_state(SessionState::Finishing);
  if (host_.torn_down()) return;
  if (turns_.under_way()) {
    host_.arm(Wait::TurnEnd);
  } else if (audio_stream_ended_ || out_.unanswered()) {
    host_.arm(Wait::ReplyStart);
  } else {
    GST_INFO("the input ended with every input answered");
    finish();
  }
}

void Finisher::after_turn_events(const TurnEvents& turn) {
  if (turn.turn_complete) {
    // An interrupted turn ends because the user's input cut in: the reply
    // to that input is still to come.
    if (turn.interrupted)
      host_.arm(Wait::ReplyStart);
    else
      finish();
    return;
  }
  if (turn.reply_started) host_.arm(Wait::TurnEnd);
}

// Input is over: a new connection would have nothing to send, and a reply
// cut here does not come back on it.
void Finisher::connection_ended(const CloseInfo& info) {
  const bool normal = info.kind == CloseInfo::Kind::Closed && (info.code == 1000 || info.code == 1001);
  if (!normal || turns_.under_way())
    host_.warn("the connection ended before the model's turn ended (" + describe_close(info) + ")");
  finish();
}

void Finisher::deadline_passed(Wait what) {
  if (what == Wait::ReplyStart) {
    GST_INFO("no reply started within %s of the end of input", format_seconds(config_.reply_start_timeout).c_str());
    finish();
  } else if (what == Wait::TurnEnd) {
    host_.warn("the wait for the end of the model's turn timed out after " + format_seconds(config_.turn_end_timeout));
    finish();
  }
}

void Finisher::finish() {
  if (is_terminal(host_.state())) return;
  host_.disarm();
  out_.stop();
  host_.set_state(SessionState::Finished);
  close_connection();
}

void Finisher::fail(const SessionError& error) {
  if (is_terminal(host_.state())) return;
  host_.disarm();
  out_.stop();
  GST_WARNING("session failed: %s", error.message.c_str());
  host_.notify([&](SessionObserver& o) { o.on_error(error); });
  host_.set_state(SessionState::Failed);
  close_connection();
}

void Finisher::close_connection() {
  if (auto client = out_.client()) client->close(1000);
}

}  // namespace geminilive::session
