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

struct PipelinePlan {
  enum class Screen { X11, TestCard };
  enum class Mic { Device, Question, None };

  Screen screen = Screen::X11;  // X11: ximagesrc on $DISPLAY
  guint64 window_xid = 0;       // 0: the root window
  std::string window_name;

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
inline constexpr char kQuestion[] = "question";           // filesrc of the recorded question
inline constexpr char kQuestionGate[] = "question-gate";  // identity after its parser: held until the session is ready
inline constexpr char kMicOut[] = "mic-out";              // the queue into the sink's audio pad
}  // namespace names

// Builds the pipeline (floating ref sunk: the caller owns it), or nullptr
// with *error naming what is missing. *warning gets what was left out.
GstElement* build_pipeline(const PipelinePlan& plan, std::string* error, std::string* warning);

}  // namespace geminilive::assistant
