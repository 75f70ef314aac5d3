// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink's flow rows (sink_settings.h): how fast and how much goes
// to the service, how the end of input is waited for, and how the
// connection is kept (resumption, reconnection, stalls). The other rows are
// in sink_setting_rows.cpp, which lists these last.
#include <glib.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "sink_settings.h"

namespace geminilive::plugin {

namespace {

using session::SessionConfig;
using Error = std::optional<std::string>;
using namespace row_value;

constexpr double kUIntMax = G_MAXUINT;
constexpr unsigned P = kSettingPlaying;
const session::SessionConfig kSession;  // the session's own defaults

}  // namespace

// clang-format off
const std::vector<SettingRow>& sink_flow_rows() {
  static const std::vector<SettingRow> rows = {
  /**
   * GstGeminiLiveSink:max-video-fps:
   *
   * At most this many frames per second go to the model, judged on buffer
   * timestamps; frames in between are skipped (the newest skipped frame is
   * still sent at EOS). 0: every frame. The service recommends 1.
   */
  {"max-video-fps", "Max video fps", "Most frames per second sent (0: no limit)", SettingType::Double, 0, 60, 1.0, P,
   nullptr, nullptr, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:max-frame-size:
   *
   * The largest buffer, in bytes, sent from any pad (a video frame, a chunk
   * of audio, a text); larger ones are dropped with a warning. The service
   * does not document its limit on a message; the default of 7 MiB is our
   * choice (base64 makes the message a third larger). 0: no limit.
   */
  {"max-frame-size", "Max frame size", "Largest buffer in bytes sent from a pad; larger ones are dropped (0: no limit)",
   SettingType::UInt64, 0, double(G_MAXUINT64), guint64(7 * 1024 * 1024), P, nullptr, nullptr, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:eos-timeout:
   *
   * After the input ends: how long to wait, in milliseconds, for the model to
   * finish its answer before ending anyway (0: end at once). It also bounds
   * the wait for an answer to start, 10 s otherwise.
   */
  {"eos-timeout", "EOS timeout", "Most milliseconds to wait for the answer after EOS", SettingType::UInt, 0, kUIntMax,
   guint64(30000), 0, nullptr,
   [](const SettingValue& v, SessionConfig& c) -> Error {
     c.turn_end_timeout = std::chrono::milliseconds(unum(v));
     c.reply_start_timeout = std::min(kSession.reply_start_timeout, c.turn_end_timeout);
     return {};
   }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:session-resumption:
   *
   * Keep the conversation across connections: every setup asks for
   * resumption handles; on goAway the session moves to a new connection
   * before the old one ends, and after a drop (1006, 1011, a stall) it
   * reconnects with the latest handle, holding input meanwhile. Off: the
   * first end of the connection is an error.
   */
  {"session-resumption", "Session resumption", "Resume the session on a new connection after goAway or a drop",
   SettingType::Boolean, 0, 0, true, 0, "sessionResumption",
   [](const SettingValue& v, SessionConfig& c) -> Error { c.resumption = flag(v); return {}; }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:session-resumption-transparent:
   *
   * Transparent session resumption (Vertex AI only; the Developer API
   * refuses the setup): every setup asks for it, the service says which
   * input each resumption handle holds, and after a drop or a goAway the new
   * connection is first sent again exactly the input it lacks, so the model
   * gets every input sample exactly once. Needs session-resumption.
   */
  {"session-resumption-transparent", "Transparent session resumption",
   "Lose no input across a drop or goAway: send again what the service had not taken in (Vertex AI only)",
   SettingType::Boolean, 0, 0, false, 0, "sessionResumption.transparent",
   [](const SettingValue& v, SessionConfig& c) -> Error { c.transparent_resumption = flag(v); return {}; }, nullptr, nullptr},
  /**
   * GstGeminiLiveSink:reconnect-attempts:
   *
   * Connections tried in a row after a drop before the element posts an
   * error; the first goes at once, then after 0.5 s, 1 s, 2 s... up to 8 s.
   * A connection that stays up 10 s resets the count. 0: no reconnection.
   */
  {"reconnect-attempts", "Reconnect attempts", "Reconnections in a row after drops before failing (0: none)",
   SettingType::UInt, 0, 100, guint64(kSession.max_reconnect_attempts), 0, nullptr,
   [](const SettingValue& v, SessionConfig& c) -> Error { c.max_reconnect_attempts = unsigned(unum(v)); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:stall-timeout:
   *
   * A connection from which nothing arrives for this many milliseconds, not
   * even the pong to the pings sent every third of it, is taken as dropped
   * (and resumed). Pings go at most every second, so values under 3000 risk
   * false alarms. 0: off.
   */
  {"stall-timeout", "Stall timeout",
   "Milliseconds without any data, pongs included, before a connection counts as dropped (0: off)", SettingType::UInt,
   0, kUIntMax, guint64(kSession.stall_timeout.count()), 0, nullptr,
   [](const SettingValue& v, SessionConfig& c) -> Error { c.stall_timeout = std::chrono::milliseconds(unum(v)); return {}; },
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:sync:
   *
   * Send each buffer at its running time (TRUE: a file is sent in real time,
   * as the model expects speech), or as soon as it arrives.
   */
  {"sync", "Sync", "Send each buffer at its time on the clock", SettingType::Boolean, 0, 0, true, P, nullptr, nullptr,
   nullptr, nullptr},
  /**
   * GstGeminiLiveSink:async:
   *
   * Whether the inputs preroll (go to PAUSED asynchronously). Off by
   * default: nothing is shown in PAUSED, and a preroll would wait for the
   * sink of a geminilivesrc branch, which waits for the answer, which waits
   * for this sink to play. Pads requested while PAUSED or PLAYING never
   * preroll.
   */
  {"async", "Async", "Go to PAUSED asynchronously (preroll)", SettingType::Boolean, 0, 0, false, P, nullptr, nullptr,
   nullptr, nullptr},
  };
  return rows;
}
// clang-format on

}  // namespace geminilive::plugin
