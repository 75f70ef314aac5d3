// SPDX-License-Identifier: LGPL-2.1-or-later
#include "assistant.h"

#include <glib-unix.h>

#include <csignal>
#include <cstring>

#include "pipeline.h"
#include "service_lines.h"

GST_DEBUG_CATEGORY_STATIC(assistant_debug);
#define GST_CAT_DEFAULT assistant_debug

namespace geminilive::assistant {

namespace {

constexpr unsigned kOneExchangeBoundS = 120;  // question, answer and all
constexpr unsigned kEndBoundS = 15;           // after Ctrl-C: the answer under way
// The question starts this long after the session is ready, so that the
// model has the first frame before it hears the question.
constexpr GstClockTime kQuestionLead = 500 * GST_MSECOND;
constexpr char kQuestionEnded[] = "geminilive-assistant/question-ended";

}  // namespace

Assistant::Assistant(GstElement* pipeline, Mode mode, Transcript* transcript, NotesTool* notes)
    : pipeline_(GST_ELEMENT(gst_object_ref(pipeline))), mode_(mode), transcript_(transcript), notes_(notes) {
  if (!assistant_debug) GST_DEBUG_CATEGORY_INIT(assistant_debug, "geminiliveassistant", 0, "geminilive-assistant");
  sink_ = gst_bin_get_by_name(GST_BIN(pipeline_), names::kSink);
  loop_ = g_main_loop_new(nullptr, FALSE);
}

Assistant::~Assistant() {
  stdin_.reset();
  for (guint* id : {&bus_watch_, &sigint_, &sigterm_, &deadline_}) {
    if (*id) g_source_remove(*id);
    *id = 0;
  }
  if (question_pad_) {
    if (question_probe_) gst_pad_remove_probe(question_pad_, question_probe_);
    gst_object_unref(question_pad_);
  }
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  gst_object_unref(sink_);
  gst_object_unref(pipeline_);
  g_main_loop_unref(loop_);
}

int Assistant::run() {
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline_);
  bus_watch_ = gst_bus_add_watch(bus, on_bus, this);
  sigint_ = g_unix_signal_add(SIGINT, on_signal, this);
  sigterm_ = g_unix_signal_add(SIGTERM, on_signal, this);

  if (mode_.one_exchange) {
    g_autoptr(GstElement) gate = gst_bin_get_by_name(GST_BIN(pipeline_), names::kQuestionGate);
    g_autoptr(GstElement) mic_out = gst_bin_get_by_name(GST_BIN(pipeline_), names::kMicOut);
    if (gate && mic_out) {
      question_pad_ = gst_element_get_static_pad(gate, "src");
      question_probe_ =
          gst_pad_add_probe(question_pad_, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM, hold_question, this, nullptr);
      g_autoptr(GstPad) out = gst_element_get_static_pad(mic_out, "src");
      gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, watch_question_end, this, nullptr);
    }
    arm_deadline(kOneExchangeBoundS);
  }
  if (mode_.read_stdin) stdin_ = std::make_unique<StdinLines>([this](const std::string& line) { on_typed(line); });

  if (gst_element_set_state(pipeline_, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The ERROR message on the bus says why; collect it.
    g_autoptr(GstMessage) error = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    if (error) on_bus(bus, error, this);
    if (!failed_) transcript_->status("[error] the pipeline could not start", true);
    gst_element_set_state(pipeline_, GST_STATE_NULL);
    return 1;
  }
  g_main_loop_run(loop_);
  gst_element_set_state(pipeline_, GST_STATE_NULL);
  return status_;
}

void Assistant::stop(int status) {
  status_ = status;
  g_main_loop_quit(loop_);
}

void Assistant::arm_deadline(unsigned seconds) {
  if (deadline_) g_source_remove(deadline_);
  deadline_ = g_timeout_add_seconds(seconds, on_deadline, this);
}

gboolean Assistant::on_deadline(gpointer data) {
  auto* self = static_cast<Assistant*>(data);
  self->deadline_ = 0;
  if (self->ending_) {
    self->transcript_->status("[state] stopped without waiting longer for the answer");
    self->stop(0);
  } else {
    self->transcript_->status("[error] no answer within " + std::to_string(kOneExchangeBoundS) + " s", true);
    self->stop(1);
  }
  return G_SOURCE_REMOVE;
}

gboolean Assistant::on_signal(gpointer data) {
  auto* self = static_cast<Assistant*>(data);
  if (self->ending_ || !self->ready_) {
    // A second Ctrl-C, or nothing to wait for yet.
    self->transcript_->status("[state] stopped");
    self->stop(0);
  } else {
    self->end_input();
  }
  return G_SOURCE_CONTINUE;
}

void Assistant::end_input() {
  ending_ = true;
  transcript_->status("[state] ending: waiting for the answer under way (Ctrl-C again to stop at once)");
  stdin_.reset();
  if (talking_ && set_talking(false)) transcript_->status("[talking] stopped; waiting for the answer");
  // Every source ends; the sink ends the session's input, waits for the
  // model's turn to end, and only then lets the EOS through.
  gst_element_send_event(pipeline_, gst_event_new_eos());
  arm_deadline(kEndBoundS);
}

GstPadProbeReturn Assistant::hold_question(GstPad*, GstPadProbeInfo*, gpointer) {
  return GST_PAD_PROBE_OK;  // blocks until release_question() removes the probe
}

GstPadProbeReturn Assistant::watch_question_end(GstPad*, GstPadProbeInfo* info, gpointer data) {
  auto* self = static_cast<Assistant*>(data);
  if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS) {
    // Streaming thread: hand over to the main loop through the bus.
    gst_element_post_message(self->pipeline_, gst_message_new_application(GST_OBJECT(self->pipeline_),
                                                                          gst_structure_new_empty(kQuestionEnded)));
    return GST_PAD_PROBE_REMOVE;
  }
  return GST_PAD_PROBE_OK;
}

void Assistant::release_question() {
  if (!question_probe_) return;
  // The question's timestamps start at 0; move them to now, or the sink
  // would send it all at once as late data.
  GstClockTime offset = kQuestionLead;
  g_autoptr(GstClock) clock = gst_element_get_clock(pipeline_);
  if (clock) {
    GstClockTime now = gst_clock_get_time(clock);
    GstClockTime base = gst_element_get_base_time(pipeline_);
    if (now > base) offset += now - base;
  }
  gst_pad_set_offset(question_pad_, static_cast<gint64>(offset));
  gst_pad_remove_probe(question_pad_, question_probe_);
  question_probe_ = 0;
  transcript_->status("[state] asking the recorded question");
  // Before the question's first sample (it starts kQuestionLead from now).
  if (mode_.push_to_talk && set_talking(true))
    transcript_->status("[talking] activity-start: the recorded question follows");
}

bool Assistant::set_talking(bool talking) {
  if (talking == talking_) return true;
  gboolean sent = FALSE;
  g_signal_emit_by_name(sink_, talking ? "activity-start" : "activity-end", &sent);
  if (sent) talking_ = talking;
  return sent;
}

void Assistant::on_ready() {
  ready_ = true;
  transcript_->status("[state] ready");
  release_question();
}

void Assistant::on_typed(const std::string& raw) {
  std::string line = raw;
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (mode_.push_to_talk && line.empty()) {
    // Enter alone: start talking, or stop and let the model answer.
    const bool start = !talking_;
    if (!set_talking(start)) return;  // the WARNING is printed
    transcript_->status(start ? "[talking] ... press Enter to stop" : "[talking] stopped; waiting for the answer");
    return;
  }
  if (line.empty()) return;
  // Push-to-talk: the text is a turn of its own, or ends the one under way.
  const bool own_turn = mode_.push_to_talk && !talking_;
  if (own_turn && !set_talking(true)) return;
  gboolean queued = FALSE;
  g_signal_emit_by_name(sink_, "send-text", line.c_str(), &queued);
  if (queued) {
    transcript_->typed(line);
  } else {
    transcript_->status("[warning] not sent: the session is not running", true);
  }
  if (mode_.push_to_talk && set_talking(false) && !own_turn)
    transcript_->status("[talking] stopped; waiting for the answer");
}

void Assistant::on_progress(GstMessage* message) {
  GstProgressType type;
  g_autofree char* code = nullptr;
  g_autofree char* text = nullptr;
  gst_message_parse_progress(message, &type, &code, &text);
  if (g_strcmp0(code, "connect") != 0 || type != GST_PROGRESS_TYPE_START || !text) return;
  std::string line = text;
  if (!line.empty()) line[0] = g_ascii_tolower(line[0]);  // "Connecting to wss://…"
  transcript_->status("[state] " + line);
}

void Assistant::on_usage(const GstStructure* s) {
  int64_t prompt = 0, response = 0, total = 0;
  bool have_total = get_int(s, "total-tokens", &total);
  get_int(s, "prompt-tokens", &prompt);
  get_int(s, "response-tokens", &response);
  if (!have_total) total = prompt + response;
  total_tokens_ += total;
  transcript_->status("[usage] prompt " + std::to_string(prompt) + ", response " + std::to_string(response) +
                      ", total " + std::to_string(total) + " tokens (this session: " + std::to_string(total_tokens_) +
                      ")");
}

// Each audio source (the speaker, the reply file, the recording) posts its
// own: the first of a turn counts. It comes while the answer is being said:
// shown (console and transcript) once the turn is over.
void Assistant::on_latency(const GstStructure* s) {
  int64_t turn = 0;
  if (!get_int(s, "turn", &turn) || turn <= latency_turn_) return;
  latency_turn_ = turn;
  latency_ = latency_line(s);
  if (turns_ >= turn) show_latency();  // the answer played after its turn's end
}

void Assistant::show_latency() {
  if (latency_.empty()) return;
  transcript_->status(latency_);
  transcript_->file_note(latency_);
  latency_.clear();
}

void Assistant::on_tool_call(const GstStructure* s) {
  const std::string id = string_field(s, "id");
  const std::string name = string_field(s, "name");
  std::string response;
  if (notes_ && name == NotesTool::kName) {
    NotesTool::Result r = notes_->call(string_field(s, "args"));
    response = r.response_json;
    if (r.saved) {
      transcript_->status("[note] saved to " + notes_->path() + ": " + r.note);
      transcript_->file_note("saved a note: " + r.note);
    } else {
      transcript_->status("[note] not saved: " + response, true);
    }
  } else {
    response = R"({"error":"unknown function"})";
    transcript_->status("[tool] the model called an unknown function \"" + name + "\"", true);
  }
  gboolean queued = FALSE;
  g_signal_emit_by_name(sink_, "send-tool-response", id.c_str(), name.c_str(), response.c_str(), nullptr, FALSE,
                        &queued);
  if (!queued) transcript_->status("[warning] the answer to " + name + " was not sent", true);
}

void Assistant::on_element(GstMessage* message) {
  const GstStructure* s = gst_message_get_structure(message);
  if (!s) return;
  const char* name = gst_structure_get_name(s);
  if (g_str_equal(name, kQuestionEnded)) {
    // The question is sent: end the screen too, so that the sink ends the
    // input and the answer comes (then EOS).
    if (talking_ && set_talking(false)) transcript_->status("[talking] activity-end: the recorded question is over");
    g_autoptr(GstElement) screen = gst_bin_get_by_name(GST_BIN(pipeline_), names::kScreen);
    if (screen) gst_element_send_event(screen, gst_event_new_eos());
    transcript_->status("[state] question sent; waiting for the answer");
    return;
  }
  if (!g_str_has_prefix(name, "geminilive/")) return;
  const char* kind = name + strlen("geminilive/");
  if (g_str_equal(kind, "setup-complete")) {
    on_ready();
  } else if (g_str_equal(kind, "transcript")) {
    transcript_->fragment(string_field(s, "direction") == "input", string_field(s, "text"));
  } else if (g_str_equal(kind, "interrupted")) {
    transcript_->end_turn(true);
    transcript_->status("[state] interrupted");
    show_latency();
  } else if (g_str_equal(kind, "turn-complete")) {
    ++turns_;
    transcript_->end_turn(false);
    show_latency();
  } else if (g_str_equal(kind, "usage")) {
    on_usage(s);
  } else if (g_str_equal(kind, "latency")) {
    on_latency(s);
  } else if (g_str_equal(kind, "tool-call")) {
    on_tool_call(s);
  } else {
    ServiceLines shown = service_lines(kind, s);
    for (const auto& line : shown.lines) {
      transcript_->status(line);
      if (shown.for_transcript) transcript_->file_note(line);
    }
  }
}

gboolean Assistant::on_bus(GstBus*, GstMessage* message, gpointer data) {
  auto* self = static_cast<Assistant*>(data);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ELEMENT:
    case GST_MESSAGE_APPLICATION:
      self->on_element(message);
      break;
    case GST_MESSAGE_PROGRESS:
      self->on_progress(message);
      break;
    case GST_MESSAGE_EOS:
      if (self->mode_.one_exchange && self->turns_ == 0) {
        self->transcript_->status("[error] the session ended without an answer", true);
        self->stop(1);
      } else {
        self->transcript_->status("[state] session ended");
        self->stop(0);
      }
      break;
    case GST_MESSAGE_ERROR: {
      if (self->failed_) break;  // geminilivesrc repeats the sink's error
      self->failed_ = true;
      g_autoptr(GError) error = nullptr;
      g_autofree char* debug = nullptr;
      gst_message_parse_error(message, &error, &debug);
      self->transcript_->status(std::string("[error] ") + error->message, true);
      GST_INFO("error from %s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(message)), debug ? debug : "");
      self->stop(1);
      break;
    }
    case GST_MESSAGE_WARNING: {
      g_autoptr(GError) warning = nullptr;
      gst_message_parse_warning(message, &warning, nullptr);
      self->transcript_->status(std::string("[warning] ") + warning->message, true);
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace geminilive::assistant
