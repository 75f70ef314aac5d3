// SPDX-License-Identifier: LGPL-2.1-or-later
// A screen for machines without one: Xvfb on a free display with a test card
// on it, so that ximagesrc captures something worth describing. Without Xvfb
// the test card itself is the screen (test_card_description()).
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include <memory>
#include <string>

namespace geminilive::assistant {

// A live 1280x720 test card: colour bars, a caption and a clock, as a
// gst_parse description without a sink; its source is named `name`.
std::string test_card_description(int fps, const std::string& name);

class VirtualScreen {
 public:
  // Starts Xvfb (-displayfd picks a free display) and shows the test card on
  // it. nullptr, with *error, when Xvfb is missing or does not start.
  static std::unique_ptr<VirtualScreen> start(std::string* error);
  ~VirtualScreen();

  VirtualScreen(const VirtualScreen&) = delete;
  VirtualScreen& operator=(const VirtualScreen&) = delete;

  const std::string& display() const { return display_; }  // e.g. ":99"

 private:
  VirtualScreen() = default;
  GSubprocess* xvfb_ = nullptr;
  GstElement* card_ = nullptr;  // the pipeline drawing on the display
  std::string display_;
};

}  // namespace geminilive::assistant
