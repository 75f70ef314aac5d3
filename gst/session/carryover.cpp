// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/carryover.h"

#include <gst/gst.h>

#include <limits>
#include <string>
#include <utility>

#include "session/session_debug.h"

#define GST_CAT_DEFAULT geminilive_session_debug

namespace geminilive::session {

Carryover::Carryover(const SessionConfig& config, Connections& conns, std::function<void()> replay_overflowed)
    : conns_(conns),
      replay_(config.resumption && config.transparent_resumption
                  ? std::make_unique<ReplayLog>(kMaxReplayBytes, std::move(replay_overflowed))
                  : nullptr),
      history_(config.history.empty() ? Outbound{} : history_message(config.history)) {}

// In transparent mode a handle and the replay log go together: the log
// holds exactly what the state of the latest handle lacks. Once the next
// connection's setup is out, it resumes at the handle that setup carries, so
// the current connection's later handles are not taken (the old one is kept
// if the switch fails: still valid, with a longer log).
void Carryover::update(const protocol::SessionResumptionUpdate& update) {
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

void Carryover::note_setup(Link& link, const SessionSetup::Message& setup) const {
  link.version = setup.version;
  link.resumes = setup.resumes;
  link.transparent = replay_ && setup.resumes && conns_.handle_index().has_value();
}

// One clientContent, before any held input.
const Outbound* Carryover::history(const Link& link) const {
  return link.resumes || history_.json.empty() ? nullptr : &history_;
}

std::deque<Outbound> Carryover::replay_onto(const Link& link) {
  if (!replay_) return {};
  std::deque<Outbound> again = replay_->restart(link.transparent);
  if (!again.empty()) GST_INFO("sending %zu messages again that the resumed state lacks", again.size());
  replayed_ += again.size();
  return again;
}

std::string Carryover::overflow_warning() {
  return "Transparent resumption: more than " + std::to_string(kMaxReplayBytes / (1024 * 1024)) +
         " MiB of input was not yet confirmed by the service; the oldest was dropped from the replay log, so a "
         "reconnection now could lose it.";
}

}  // namespace geminilive::session
