// SPDX-License-Identifier: LGPL-2.1-or-later
// Which screen the assistant captures: a Wayland desktop's (the ScreenCast
// portal), a PipeWire node, an X display or one of its windows, a virtual
// screen (Xvfb), or the test card; and the change gate in front of it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "options.h"
#include "pipeline.h"
#include "screencast_portal.h"
#include "virtual_screen.h"

namespace geminilive::assistant {

// What the capture needs kept alive while the pipeline runs.
struct ScreenHolders {
  std::unique_ptr<ScreenCastPortal> portal;
  std::unique_ptr<VirtualScreen> virtual_screen;
};

// Fills plan's screen fields and says what it chose through `say`. False
// with *error (and *status, the exit status) when the asked screen cannot
// be had: --window without a display, no portal on Wayland, the user
// cancelled the portal's dialog.
bool choose_screen(const Options& options, PipelinePlan* plan, ScreenHolders* holders,
                   const std::function<void(const std::string&)>& say, std::string* error, int* status);

// When the desktop stops sharing (the portal's session closed), says so and
// ends the screen branch of `pipeline` (EOS from the source): the talk goes
// on, and the model keeps the last frame it got. Nothing without a portal.
void end_screen_when_sharing_stops(ScreenHolders* holders, GstElement* pipeline,
                                   const std::function<void(const std::string&)>& say);

}  // namespace geminilive::assistant
