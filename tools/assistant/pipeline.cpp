// SPDX-License-Identifier: LGPL-2.1-or-later
#include "pipeline.h"

#include "virtual_screen.h"

namespace geminilive::assistant {

namespace {

// What the model hears natively (docs/elements.md, the audio pad).
constexpr char kMicCaps[] = "audio/x-raw,format=S16LE,rate=16000,channels=1";
// Queues into the muxer never block the branches that feed the session: the
// muxer waits for every track, and some start late (the question, answers).
constexpr char kRecordQueue[] = "queue max-size-buffers=0 max-size-bytes=0 max-size-time=0";

std::string screen_source(const PipelinePlan& plan, int fps) {
  const std::string rate = ",framerate=" + std::to_string(fps) + "/1";
  switch (plan.screen) {
    case PipelinePlan::Screen::X11: {
      // use-damage=false: whole frames at the asked rate, even on a still screen.
      std::string d = std::string("ximagesrc name=") + names::kScreen + " use-damage=false";
      if (plan.window_xid) d += " xid=" + std::to_string(plan.window_xid);
      return d + " ! video/x-raw" + rate;
    }
    case PipelinePlan::Screen::PipeWire:
      // A compositor sends a frame when the screen changed, not at a steady
      // rate: keepalive-time repeats the last one on a still screen and
      // videorate evens them out (fd and path are set after parsing).
      return std::string("pipewiresrc name=") + names::kScreen + " keepalive-time=" + std::to_string(1000 / fps) +
             " ! videorate ! video/x-raw" + rate;
    case PipelinePlan::Screen::TestCard:
      break;
  }
  return test_card_description(fps, names::kScreen);
}

// videoscale keeps the aspect ratio when it fixates to these ranges, and
// never scales up.
std::string scaled_jpeg() {
  const std::string side = std::to_string(kMaxFrameSide);
  return " ! videoscale ! video/x-raw,width=[1," + side + "],height=[1," + side +
         "],pixel-aspect-ratio=1/1 ! jpegenc ! ";
}

// A recording of a gated screen takes every captured frame, split off
// before the gate: behind it, the muxer would wait through a still screen
// (GAP events do not move matroskamux's video track), and the recording's
// audio would pile up meanwhile. Ungated, the frames sent are the screen.
bool record_before_gate(const PipelinePlan& plan) { return plan.change_gate && !plan.record_path.empty(); }

std::string screen_branch(const PipelinePlan& plan) {
  std::string d = screen_source(plan, plan.change_gate ? kGatedScreenFps : kUngatedScreenFps) + " ! videoconvert";
  if (record_before_gate(plan)) d += " ! tee name=captured captured. ! queue";
  // Before scaling and encoding: the frames it drops cost neither.
  if (plan.change_gate) d += std::string(" ! geminilivechangegate name=") + names::kChangeGate;
  d += scaled_jpeg() + "tee name=frames frames. ! queue ! " + names::kSink + ".video ";
  return d;
}

std::string mic_branch(const PipelinePlan& plan) {
  std::string d;
  switch (plan.mic) {
    case PipelinePlan::Mic::None:
      return "";
    case PipelinePlan::Mic::Device:
      d = "autoaudiosrc";  // PulseAudio (pulsesrc) when present, else ALSA
      break;
    case PipelinePlan::Mic::Question:
      // wavparse pulls from filesrc: the gate after it is where the question
      // can be held and moved in time.
      d = std::string("filesrc name=") + names::kQuestion + " ! wavparse ! identity name=" + names::kQuestionGate;
      break;
  }
  return d + " ! audioconvert ! audioresample ! " + kMicCaps + " ! tee name=mic mic. ! queue name=" + names::kMicOut +
         " ! " + names::kSink + ".audio ";
}

std::string answer_branches(const PipelinePlan& plan) {
  std::string d;
  if (plan.speaker) d += "geminilivesrc ! audioconvert ! audioresample ! autoaudiosink ";
  // Unpaced: the answer as it arrives, without the silence a player needs.
  if (!plan.reply_wav.empty()) d += "geminilivesrc paced=false ! wavenc ! filesink name=reply-file ";
  return d;
}

// The recording's tracks that get a name, by the queue feeding each.
struct TrackName {
  const char* queue;
  const char* title;
};
constexpr TrackName kTrackNames[] = {
    {"rec-mic", "microphone"}, {"rec-voice", "gemini"}, {"rec-heard", "you"}, {"rec-said", "gemini"}};

std::string record_branches(const PipelinePlan& plan) {
  if (plan.record_path.empty()) return "";
  auto queue = [](const char* name) { return std::string(kRecordQueue) + " name=" + name; };
  std::string d = "matroskamux name=mux ! filesink name=record-file ";
  if (record_before_gate(plan))
    // Encoded on a thread of its own, then queued: JPEGs, not raw frames, wait for the muxer.
    d += "captured. ! queue" + scaled_jpeg() + kRecordQueue + " ! mux.video_%u ";
  else
    d += "frames. ! " + std::string(kRecordQueue) + " ! mux.video_%u ";
  if (plan.mic != PipelinePlan::Mic::None) d += "mic. ! " + queue("rec-mic") + " ! mux.audio_%u ";
  // Paced: the answers on the session's timeline, silence in between.
  d += "geminilivesrc ! " + queue("rec-voice") + " ! mux.audio_%u ";
  d += "geminilivesrc stream=input-transcription ! " + queue("rec-heard") + " ! mux.subtitle_%u ";
  d += "geminilivesrc stream=output-transcription ! " + queue("rec-said") + " ! mux.subtitle_%u ";
  return d;
}

// Names a track: a title tag just before the track's first data (a buffer,
// or the gap a transcript starts with), after the tags from upstream. The
// muxer writes its header on the first data of all tracks; taginject would
// wait for a buffer, too late for transcripts.
GstPadProbeReturn add_title(GstPad* pad, GstPadProbeInfo* info, gpointer title) {
  if ((info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) &&
      GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_GAP)
    return GST_PAD_PROBE_OK;
  GstTagList* tags = gst_tag_list_new(GST_TAG_TITLE, static_cast<const char*>(title), nullptr);
  gst_tag_list_set_scope(tags, GST_TAG_SCOPE_STREAM);
  gst_pad_push_event(pad, gst_event_new_tag(tags));  // this thread holds the stream lock already
  return GST_PAD_PROBE_REMOVE;                       // and lets the data pass
}

void name_tracks(GstElement* pipeline) {
  for (const TrackName& t : kTrackNames) {
    g_autoptr(GstElement) queue = gst_bin_get_by_name(GST_BIN(pipeline), t.queue);
    if (!queue) continue;
    g_autoptr(GstPad) pad = gst_element_get_static_pad(queue, "src");
    gst_pad_add_probe(pad,
                      static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                      add_title, const_cast<char*>(t.title), nullptr);
  }
}

void set_location(GstElement* pipeline, const char* name, const std::string& location) {
  g_autoptr(GstElement) e = gst_bin_get_by_name(GST_BIN(pipeline), name);
  if (e) g_object_set(e, "location", location.c_str(), nullptr);
}

// What a launch description cannot say well: a window's title, a file
// descriptor, doubles (the locale may write them with a comma).
void configure_screen(GstElement* pipeline, const PipelinePlan& plan) {
  g_autoptr(GstElement) screen = gst_bin_get_by_name(GST_BIN(pipeline), names::kScreen);
  if (!plan.window_name.empty()) g_object_set(screen, "xname", plan.window_name.c_str(), nullptr);
  if (plan.screen == PipelinePlan::Screen::PipeWire) {
    if (plan.pipewire_fd >= 0) g_object_set(screen, "fd", plan.pipewire_fd, nullptr);
    g_object_set(screen, "path", plan.pipewire_path.c_str(), nullptr);
  }
  g_autoptr(GstElement) gate = gst_bin_get_by_name(GST_BIN(pipeline), names::kChangeGate);
  if (!gate) return;
  if (plan.gate_keepalive >= 0) g_object_set(gate, "keepalive", plan.gate_keepalive, nullptr);
  if (plan.gate_threshold >= 0) g_object_set(gate, "threshold", plan.gate_threshold, nullptr);
}

}  // namespace

GstElement* build_pipeline(const PipelinePlan& plan, std::string* error, std::string* warning) {
  std::string description = std::string("geminilivesink name=") + names::kSink + " " + screen_branch(plan) +
                            mic_branch(plan) + answer_branches(plan) + record_branches(plan);
  g_autoptr(GError) gerror = nullptr;
  g_autoptr(GstParseContext) context = gst_parse_context_new();
  GstElement* pipeline = gst_parse_launch_full(description.c_str(), context, GST_PARSE_FLAG_FATAL_ERRORS, &gerror);
  if (!pipeline) {
    g_auto(GStrv) missing = gst_parse_context_get_missing_elements(context);
    *error = gerror ? gerror->message : "could not build the pipeline";
    if (missing && missing[0]) {
      g_autofree char* list = g_strjoinv(", ", missing);
      *error += std::string(" (missing: ") + list +
                "; Debian packages gstreamer1.0-plugins-base, -good, gstreamer1.0-x and gstreamer1.0-pipewire: "
                "tools/setup installs them)";
    }
    return nullptr;
  }
  gst_object_ref_sink(pipeline);

  set_location(pipeline, names::kQuestion, plan.question_wav);
  set_location(pipeline, "reply-file", plan.reply_wav);
  set_location(pipeline, "record-file", plan.record_path);
  name_tracks(pipeline);
  configure_screen(pipeline, plan);
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), names::kSink);
  configure_sink(sink, plan.sink, warning);
  return pipeline;
}

}  // namespace geminilive::assistant
