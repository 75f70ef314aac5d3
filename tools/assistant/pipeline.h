// SPDX-License-Identifier: LGPL-2.1-or-later
// The assistant's GStreamer pipeline, from a plan of what to capture, where
// the answers go and what to record.
#pragma once

#include <gst/gst.h>

#include <string>

#include "sink_settings.h"

namespace geminilive::assistant {

// Frames are scaled to at most this many pixels on the long side.
inline constexpr int kMaxFrameSide = 1024;
// Frames per second the screen is captured at: behind the change gate, 2,
// so that a change is seen within half a second and sent within one (the
// gate sends at most one a second); without it, 1, what the model takes.
inline constexpr int kGatedScreenFps = 2;
inline constexpr int kUngatedScreenFps = 1;

struct PipelinePlan {
  enum class Screen { X11, PipeWire, TestCard };
  enum class Mic { Device, Question, None };

  Screen screen = Screen::X11;  // X11: ximagesrc on $DISPLAY
  guint64 window_xid = 0;       // 0: the root window
  std::string window_name;
  int pipewire_fd = -1;       // Screen::PipeWire: the portal's remote (the pipeline's source takes it)
  std::string pipewire_path;  // and the stream's node id

  // geminilivechangegate before jpegenc: frames only when the screen changed.
  bool change_gate = true;
  double gate_keepalive = -1;  // seconds; < 0: the element's default
  double gate_threshold = -1;  // fraction of the picture; < 0: the element's default

  Mic mic = Mic::Device;
  std::string question_wav;  // Mic::Question

  bool speaker = false;     // play the answers (autoaudiosink)
  std::string reply_wav;    // also write them to this WAV; empty: no WAV
  std::string record_path;  // Matroska recording; empty: none

  SinkSettings sink;
};

// Element names the assistant looks up in the pipeline.
namespace names {
inline constexpr char kSink[] = "session";                // geminilivesink
inline constexpr char kScreen[] = "screen";               // the video source
inline constexpr char kChangeGate[] = "change-gate";      // geminilivechangegate, when on
inline constexpr char kQuestion[] = "question";           // filesrc of the recorded question
inline constexpr char kQuestionGate[] = "question-gate";  // identity after its parser: held until the session is ready
inline constexpr char kMicOut[] = "mic-out";              // the queue into the sink's audio pad
}  // namespace names

// Builds the pipeline (floating ref sunk: the caller owns it), or nullptr
// with *error naming what is missing. *warning gets what was left out.
GstElement* build_pipeline(const PipelinePlan& plan, std::string* error, std::string* warning);

}  // namespace geminilive::assistant
