// SPDX-License-Identifier: LGPL-2.1-or-later
// The writing end of an open connection, on the loop thread: hands text
// frames to libsoup, but only while the socket takes data (asked once per
// kCheckEvery bytes), so libsoup's own unbounded queue holds at most about
// that much; otherwise it waits for the socket to be writable and calls
// back. The frame's string goes back to protocol::recycle_string().
// Several frames handed over at once go out corked (TCP_CORK), so the
// kernel sends them in full segments rather than one segment per frame.
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include <cstddef>
#include <functional>
#include <string>

namespace geminilive::transport {

class FrameWriter {
 public:
  static constexpr std::size_t kCheckEvery = 256 * 1024;

  ~FrameWriter() { detach(); }

  // `writable` runs on `context` when the socket takes data again after
  // ready() said no.
  void attach(SoupWebsocketConnection* conn, GMainContext* context, std::function<void()> writable);
  void detach();
  bool attached() const { return conn_ != nullptr; }

  // Whether frames may go to libsoup now; when not, the writable callback
  // comes once the socket takes data.
  bool ready();
  void send(std::string text);
  // Frames sent between these go out in as few TCP segments as possible;
  // end_batch() pushes them at once (nothing waits past it). Only worth
  // its two system calls for more than one frame.
  void begin_batch(std::size_t frames);
  void end_batch();

 private:
  static gboolean on_writable(GSocket*, GIOCondition, gpointer data);
  void stop_waiting();

  SoupWebsocketConnection* conn_ = nullptr;  // borrowed: the client holds it while attached
  GSocket* socket_ = nullptr;                // borrowed from conn's stream (null: not a socket we can ask)
  GMainContext* context_ = nullptr;
  GSource* wait_ = nullptr;
  std::function<void()> writable_;
  std::size_t handed_ = 0;  // bytes given to libsoup since the socket was last writable
  bool corked_ = false;
};

}  // namespace geminilive::transport
