// SPDX-License-Identifier: LGPL-2.1-or-later
// A running assistant: the pipeline on the main loop, its bus messages
// printed as transcript and status lines, tool calls answered, typed lines
// sent, and a clean end on Ctrl-C (or after one exchange).
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <memory>
#include <string>

#include "notes.h"
#include "stdin_lines.h"
#include "transcript.h"

namespace geminilive::assistant {

class Assistant {
 public:
  struct Mode {
    // A recorded question: hold it until the session is ready, end the
    // input after it and stop after the answer.
    bool one_exchange = false;
    bool read_stdin = false;  // typed lines become realtime text
    // vad=false on the sink: Enter starts and stops talking (activity-start,
    // activity-end); a typed line is a turn of its own; the recorded
    // question is wrapped in activity-start/activity-end.
    bool push_to_talk = false;
  };

  // Takes a reference on `pipeline` (built by build_pipeline()). `notes` may
  // be null (no save_note).
  Assistant(GstElement* pipeline, Mode mode, Transcript* transcript, NotesTool* notes);
  ~Assistant();

  Assistant(const Assistant&) = delete;
  Assistant& operator=(const Assistant&) = delete;

  // Runs until the end; returns the exit status (0: a clean end).
  int run();

  unsigned turns() const { return turns_; }

 private:
  static gboolean on_bus(GstBus* bus, GstMessage* message, gpointer self);
  static gboolean on_signal(gpointer self);
  static gboolean on_deadline(gpointer self);
  static GstPadProbeReturn hold_question(GstPad* pad, GstPadProbeInfo* info, gpointer self);
  static GstPadProbeReturn watch_question_end(GstPad* pad, GstPadProbeInfo* info, gpointer self);

  void on_element(GstMessage* message);
  void on_progress(GstMessage* message);
  void on_ready();
  void on_tool_call(const GstStructure* s);
  void on_usage(const GstStructure* s);
  void on_latency(const GstStructure* s);
  void show_latency();
  void on_typed(const std::string& line);
  void release_question();
  // Push-to-talk: emits activity-start or activity-end; false when refused
  // (the element's WARNING says why).
  bool set_talking(bool talking);
  void end_input();  // the first Ctrl-C
  void stop(int status);
  void arm_deadline(unsigned seconds);

  GstElement* pipeline_ = nullptr;
  GstElement* sink_ = nullptr;
  Mode mode_;
  Transcript* transcript_;
  NotesTool* notes_;
  GMainLoop* loop_ = nullptr;
  guint bus_watch_ = 0;
  guint sigint_ = 0;
  guint sigterm_ = 0;
  guint deadline_ = 0;
  std::unique_ptr<StdinLines> stdin_;

  GstPad* question_pad_ = nullptr;  // held until ready
  gulong question_probe_ = 0;

  bool ready_ = false;
  bool talking_ = false;  // push-to-talk: between activity-start and activity-end
  bool ending_ = false;   // EOS sent: waiting for the answer
  bool failed_ = false;
  int status_ = 0;
  unsigned turns_ = 0;
  int64_t total_tokens_ = 0;
  int64_t latency_turn_ = 0;  // the last turn whose latency was taken
  std::string latency_;       // its line, shown when the turn's transcript line is over
};

}  // namespace geminilive::assistant
