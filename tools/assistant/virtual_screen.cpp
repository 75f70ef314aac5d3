// SPDX-License-Identifier: LGPL-2.1-or-later
#include "virtual_screen.h"

#include <glib-unix.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>

GST_DEBUG_CATEGORY_STATIC(assistant_debug);
#define GST_CAT_DEFAULT assistant_debug

namespace geminilive::assistant {

namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kStartTimeoutMs = 10000;

// Reads Xvfb's display number from the -displayfd pipe ("99\n"), waiting at
// most the timeout for the server to be up.
bool read_display_number(int fd, std::string* number) {
  std::string line;
  gint64 deadline = g_get_monotonic_time() + kStartTimeoutMs * 1000LL;
  while (line.find('\n') == std::string::npos) {
    int left = static_cast<int>((deadline - g_get_monotonic_time()) / 1000);
    if (left <= 0) return false;
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) return false;
    char buf[32];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return false;  // Xvfb exited
    line.append(buf, static_cast<size_t>(n));
  }
  *number = line.substr(0, line.find('\n'));
  return !number->empty();
}

}  // namespace

// A still desktop, as the change gate sees one: smpte75 bars (pattern=smpte
// has a square of noise that changes every frame, like a video) and a clock
// of a panel's size that shows minutes (its digits change under 0.3 % of
// the gate's cells, below its threshold).
std::string test_card_description(int fps, const std::string& name) {
  return "videotestsrc name=" + name + " is-live=true pattern=smpte75 ! video/x-raw,width=" + std::to_string(kWidth) +
         ",height=" + std::to_string(kHeight) + ",framerate=" + std::to_string(fps) +
         "/1 ! textoverlay text=\"geminilive virtual screen\" valignment=top halignment=center "
         "font-desc=\"Sans 36\" ! clockoverlay time-format=\"%H:%M\" halignment=right valignment=bottom "
         "font-desc=\"Sans 16\"";
}

std::unique_ptr<VirtualScreen> VirtualScreen::start(std::string* error) {
  if (!assistant_debug) GST_DEBUG_CATEGORY_INIT(assistant_debug, "geminiliveassistant", 0, "geminilive-assistant");
  g_autofree char* xvfb = g_find_program_in_path("Xvfb");
  if (!xvfb) {
    *error = "Xvfb is not installed (Debian package xvfb)";
    return nullptr;
  }
  int fds[2];
  g_autoptr(GError) gerror = nullptr;
  if (!g_unix_open_pipe(fds, FD_CLOEXEC, &gerror)) {
    *error = gerror->message;
    return nullptr;
  }
  std::unique_ptr<VirtualScreen> screen(new VirtualScreen());
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
      static_cast<GSubprocessFlags>(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE));
  g_subprocess_launcher_take_fd(launcher, fds[1], 3);  // the child's fd 3 is the pipe's write end
  g_autofree char* geometry = g_strdup_printf("%dx%dx24", kWidth, kHeight);
  screen->xvfb_ = g_subprocess_launcher_spawn(launcher, &gerror, xvfb, "-displayfd", "3", "-screen", "0", geometry,
                                              "-nolisten", "tcp", "-noreset", nullptr);
  // The launcher holds the write end until it goes; drop ours now so that
  // an exiting Xvfb ends the read.
  g_clear_object(&launcher);
  std::string number;
  bool up = screen->xvfb_ && read_display_number(fds[0], &number);
  close(fds[0]);
  if (!up) {
    *error = screen->xvfb_ ? "Xvfb did not report a display within 10 s" : gerror->message;
    return nullptr;
  }
  screen->display_ = ":" + number;
  GST_INFO("Xvfb on %s", screen->display_.c_str());

  // Something to look at: ximagesink opens a window covering the screen.
  std::string card =
      test_card_description(5, "card") + " ! videoconvert ! ximagesink sync=false display=" + screen->display_;
  g_autoptr(GError) parse_error = nullptr;
  screen->card_ = gst_parse_launch(card.c_str(), &parse_error);
  if (screen->card_) {
    gst_element_set_state(screen->card_, GST_STATE_PLAYING);
    // Prerolled: ximagesink has opened its window and drawn the first
    // picture, so the first frame captured shows the card, not a black
    // screen the card then replaces (a change the gate would send).
    if (gst_element_get_state(screen->card_, nullptr, nullptr, kStartTimeoutMs * GST_MSECOND) !=
        GST_STATE_CHANGE_SUCCESS)
      GST_WARNING("the test card did not start within 10 s");
  } else {
    // The screen still works, only black.
    GST_WARNING("no test card on the virtual screen: %s", parse_error ? parse_error->message : "?");
  }
  return screen;
}

VirtualScreen::~VirtualScreen() {
  if (card_) {
    gst_element_set_state(card_, GST_STATE_NULL);
    gst_object_unref(card_);
  }
  if (xvfb_) {
    g_subprocess_send_signal(xvfb_, SIGTERM);
    // GLib's worker thread reaps it; the identifier goes once it has.
    for (int i = 0; i < 60 && g_subprocess_get_identifier(xvfb_); ++i) g_usleep(50 * 1000);
    if (g_subprocess_get_identifier(xvfb_)) g_subprocess_force_exit(xvfb_);
    g_object_unref(xvfb_);
  }
}

}  // namespace geminilive::assistant
