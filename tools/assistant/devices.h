// SPDX-License-Identifier: LGPL-2.1-or-later
// What the machine has: a usable X display, a microphone, a speaker.
#pragma once

#include <string>

namespace geminilive::assistant {

struct AudioDevices {
  bool microphone = false;
  bool speaker = false;
  std::string microphone_name;  // for the report, e.g. "Built-in Audio Analog Stereo"
  std::string speaker_name;
};

// Asks GStreamer's device providers (PulseAudio, ALSA, ...) once.
// Monitors of outputs do not count as microphones.
AudioDevices probe_audio_devices();

// True when ximagesrc can open `display` (e.g. ":0"): the variable may be
// set while no server answers (ssh, a stale session).
bool x_display_usable(const std::string& display);

}  // namespace geminilive::assistant
