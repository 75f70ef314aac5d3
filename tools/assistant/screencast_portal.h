// SPDX-License-Identifier: LGPL-2.1-or-later
// The screen on a Wayland desktop: the xdg-desktop-portal ScreenCast API
// (org.freedesktop.portal.ScreenCast on the session bus). The desktop shows
// its own dialog, the user picks a monitor or a window, and the portal hands
// over a PipeWire remote (a file descriptor) and the node id of the stream,
// for pipewiresrc fd=… path=….
#pragma once

#include <gio/gio.h>

#include <functional>
#include <memory>
#include <string>

namespace geminilive::assistant {

class ScreenCastPortal {
 public:
  // What went wrong, for the message and the exit status.
  enum class Failure { None, NoBus, NoPortal, Cancelled, Refused, TimedOut };

  // CreateSession, SelectSources (a monitor or a window, the pointer drawn
  // in when the desktop can), Start (the dialog: waits for the user, at most
  // `answer_timeout_s`), OpenPipeWireRemote. Blocks the calling thread on a
  // main context of its own. nullptr with *failure and *error on failure.
  static std::unique_ptr<ScreenCastPortal> open(unsigned answer_timeout_s, Failure* failure, std::string* error);
  // Closes the portal session (the desktop stops sharing) and the remote.
  ~ScreenCastPortal();

  ScreenCastPortal(const ScreenCastPortal&) = delete;
  ScreenCastPortal& operator=(const ScreenCastPortal&) = delete;

  // Calls `closed` once, on the main context that is the thread default
  // here, when the desktop ends the session: the user stopped sharing from
  // its indicator (the stream then stops without an error or EOS).
  void watch_closed(std::function<void()> closed);

  int pipewire_fd() const { return fd_; }  // owned here; pipewiresrc duplicates it
  guint32 node_id() const { return node_id_; }
  int width() const { return width_; }  // the stream's size when the portal says it; else 0
  int height() const { return height_; }
  bool is_window() const { return source_type_ == 2; }

 private:
  ScreenCastPortal() = default;

  static void on_closed(GDBusConnection*, const char*, const char*, const char*, const char*, GVariant*, gpointer);

  GDBusConnection* bus_ = nullptr;
  guint closed_subscription_ = 0;
  std::function<void()> closed_;
  std::string session_handle_;
  int fd_ = -1;
  guint32 node_id_ = 0;
  int width_ = 0;
  int height_ = 0;
  guint32 source_type_ = 0;  // 1 monitor, 2 window, 4 virtual
};

// True in a Wayland session: WAYLAND_DISPLAY is set, or XDG_SESSION_TYPE is
// "wayland" (where ximagesrc sees only the windows of X11 programs).
bool wayland_session();

}  // namespace geminilive::assistant
