// SPDX-License-Identifier: LGPL-2.1-or-later
// A one-shot timer on a given GMainContext that owns its GSource: cancelling
// it, re-arming it or destroying it removes the pending callback, so an
// object that dies with timers armed is never called back (no
// use-after-free when a connection closes mid-reply).
#pragma once

#include <glib.h>

#include <chrono>
#include <functional>

namespace geminilive::transport {

class SourceTimer {
 public:
  SourceTimer() = default;
  ~SourceTimer() { cancel(); }

  SourceTimer(const SourceTimer&) = delete;
  SourceTimer& operator=(const SourceTimer&) = delete;

  // Runs `fn` once on `context` after `delay` (0: at the next iteration).
  // Replaces any pending callback.
  void start(GMainContext* context, std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel();
  bool active() const { return source_ != nullptr; }

 private:
  struct Data;
  static gboolean dispatch(gpointer data);
  static void destroy(gpointer data);

  GSource* source_ = nullptr;
};

}  // namespace geminilive::transport
