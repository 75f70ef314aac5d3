// SPDX-License-Identifier: LGPL-2.1-or-later
#include "screen_choice.h"

#include <gst/gst.h>

#include "devices.h"

namespace geminilive::assistant {

namespace {

// How long the user may take in the desktop's screen-sharing dialog.
constexpr unsigned kPortalAnswerTimeoutS = 300;

void plan_gate(const Options& options, PipelinePlan* plan, const std::function<void(const std::string&)>& say) {
  plan->change_gate = options.change_gate;
  plan->gate_keepalive = options.gate_keepalive;
  plan->gate_threshold = options.gate_threshold;
  if (!plan->change_gate) {
    say("[screen] --no-change-gate: a frame every second, changed or not");
    return;
  }
  // The element's default, asked of the element: it is said once, there.
  double seconds = options.gate_keepalive;
  if (seconds < 0) {
    GstElement* gate = gst_element_factory_make("geminilivechangegate", nullptr);
    if (gate) {
      g_object_get(gate, "keepalive", &seconds, nullptr);
      gst_object_unref(gate);
    }
  }
  std::string keepalive = seconds == 0 ? "never again when still" : "again after the keepalive when still";
  if (seconds > 0) {
    g_autofree char* s = g_strdup_printf("again after %g s when still", seconds);
    keepalive = s;
  }
  std::string threshold;
  if (options.gate_threshold >= 0) {
    g_autofree char* t = g_strdup_printf(", when more than %g %% of it changed", options.gate_threshold * 100);
    threshold = t;
  }
  say("[screen] frames only when the screen changes (at most 1 a second" + threshold + "; " + keepalive + ")");
}

bool plan_portal(PipelinePlan* plan, ScreenHolders* holders, const std::function<void(const std::string&)>& say,
                 std::string* error, int* status) {
  say("[screen] Wayland session: asking the desktop to share a screen or a window (pick one in its dialog)");
  ScreenCastPortal::Failure failure;
  holders->portal = ScreenCastPortal::open(kPortalAnswerTimeoutS, &failure, error);
  if (!holders->portal) {
    *status = failure == ScreenCastPortal::Failure::Cancelled ? 1 : 2;
    if (failure == ScreenCastPortal::Failure::NoPortal || failure == ScreenCastPortal::Failure::NoBus)
      *error += " (--pipewire-node ID captures a PipeWire node without the portal)";
    return false;
  }
  const ScreenCastPortal& p = *holders->portal;
  plan->screen = PipelinePlan::Screen::PipeWire;
  plan->pipewire_fd = p.pipewire_fd();
  plan->pipewire_path = std::to_string(p.node_id());
  std::string what = p.is_window() ? "a window" : "a screen";
  if (p.width() > 0) what += " of " + std::to_string(p.width()) + "x" + std::to_string(p.height());
  say("[screen] the desktop shares " + what + " (PipeWire node " + plan->pipewire_path + ")");
  return true;
}

}  // namespace

bool choose_screen(const Options& options, PipelinePlan* plan, ScreenHolders* holders,
                   const std::function<void(const std::string&)>& say, std::string* error, int* status) {
  *status = 2;
  plan_gate(options, plan, say);
  const bool window = options.window_xid || !options.window_name.empty();
  plan->window_xid = options.window_xid;
  plan->window_name = options.window_name;
  if (!options.pipewire_node.empty()) {
    if (window) {
      *error = "--pipewire-node and --window exclude each other";
      return false;
    }
    plan->screen = PipelinePlan::Screen::PipeWire;
    plan->pipewire_path = options.pipewire_node;
    say("[screen] PipeWire node " + options.pipewire_node);
    return true;
  }
  // On Wayland, ximagesrc sees only the windows of X11 programs (through
  // Xwayland): the whole screen comes from the portal. A window given by
  // id or title is an X11 window, so Xwayland serves.
  if (wayland_session() && !window) return plan_portal(plan, holders, say, error, status);

  const char* display = g_getenv("DISPLAY");
  if (display && *display && x_display_usable(display)) {
    plan->screen = PipelinePlan::Screen::X11;
    say(std::string("[screen] ") + (window ? "a window of display " : "display ") + display);
    return true;
  }
  if (window) {
    *error = std::string("--window needs an X display, and ") +
             (display && *display ? std::string("DISPLAY=") + display + " does not answer" : "DISPLAY is not set");
    return false;
  }
  std::string why;
  if ((holders->virtual_screen = VirtualScreen::start(&why))) {
    g_setenv("DISPLAY", holders->virtual_screen->display().c_str(), TRUE);  // for ximagesrc
    plan->screen = PipelinePlan::Screen::X11;
    say("[screen] no display: capturing a virtual screen (Xvfb on " + holders->virtual_screen->display() +
        ", showing a test card)");
  } else {
    plan->screen = PipelinePlan::Screen::TestCard;
    say("[screen] no display, and no virtual one (" + why + "): sending a test card");
  }
  return true;
}

void end_screen_when_sharing_stops(ScreenHolders* holders, GstElement* pipeline,
                                   const std::function<void(const std::string&)>& say) {
  if (!holders->portal) return;
  holders->portal->watch_closed([pipeline, say] {
    say("[screen] the desktop stopped sharing the screen: the model keeps the last frame it got");
    g_autoptr(GstElement) screen = gst_bin_get_by_name(GST_BIN(pipeline), names::kScreen);
    if (screen) gst_element_send_event(screen, gst_event_new_eos());
  });
}

}  // namespace geminilive::assistant
