// SPDX-License-Identifier: LGPL-2.1-or-later
// A thread that runs its own GMainContext. libsoup 3 objects must be created
// and used on one thread only, and SoupWebsocketConnection attaches its I/O to
// the thread-default context of its creator; so every soup call in geminilive
// is made on one of these (souphttpsrc's model). One thread can serve many
// connections, which is how a process holds hundreds of sessions.
#pragma once

#include <glib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace geminilive::transport {

class EventLoopThread {
 public:
  // Starts the thread; returns once its loop runs.
  explicit EventLoopThread(std::string name);
  // Quits the loop and joins the thread. Must not run on the loop thread.
  // Lingering work (below) gets up to kLingerBoundMs to end first.
  ~EventLoopThread();

  EventLoopThread(const EventLoopThread&) = delete;
  EventLoopThread& operator=(const EventLoopThread&) = delete;

  GMainContext* context() const;
  bool is_current() const;

  // Runs `fn` on the loop thread soon. Safe from any thread, never blocks.
  void post(std::function<void()> fn);
  // Runs `fn` on the loop thread and waits for it; runs it inline when called
  // on the loop thread.
  void run_sync(const std::function<void()>& fn);

  // Work that outlives its owner on this loop and must not outlive the loop
  // (a connection finishing its close handshake). Loop thread only. Call
  // end_lingering() once it is done; if the loop stops first, the work gets
  // up to kLingerBoundMs to end, then `abort` runs on the loop thread and must
  // release everything it holds.
  using LingerId = uint64_t;
  static constexpr unsigned kLingerBoundMs = 1000;
  LingerId begin_lingering(std::function<void()> abort);
  void end_lingering(LingerId id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace geminilive::transport
