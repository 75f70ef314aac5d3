// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session_pipeline.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include <cstring>
#include <deque>
#include <mutex>

#include "browser_protocol.h"

namespace geminilive::relay {

namespace {

// What the callbacks share with the pipeline's owner. Each callback holds a
// reference (released by GStreamer's destroy notify), so a message posted
// while the pipeline stops never reaches a freed owner; `closed` silences it.
struct Shared {
  SessionPipeline::Post post;
  SessionPipeline::Fail fail;
  std::mutex mutex;
  bool closed = false;
  std::atomic<gint64> input_end_us{0};  // when the user's input ended; 0: no answer awaited
  PipelineCounters counters;
  // Text and push-to-talk signals, run by the microphone's streaming thread
  // when their marker buffer gets there, so that they keep their place
  // among the audio sent before and after them.
  std::mutex controls_mutex;
  std::deque<std::function<void()>> controls;

  void emit(std::string json, size_t audio_bytes = 0) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!closed) post(std::move(json), audio_bytes);
  }
  void failed(std::string message) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!closed) fail(std::move(message));
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex);
    closed = true;
  }
  // The first answer after the input ended: how long it took.
  void answered() {
    gint64 since = input_end_us.exchange(0);
    if (since) emit(encode_latency((g_get_monotonic_time() - since) / 1000));
  }
  void input_ended() {
    input_end_us = g_get_monotonic_time();
    std::lock_guard<std::mutex> lock(text_mutex);
    turn_over = false;
  }

  // {"text"} goes out a sentence at a time: the tutorial's page shows each
  // as a chat line, and the answer comes in fragments of a few words. What
  // is left at the turn's end goes at once (and what comes after it, since
  // the sources' data may trail the bus's turn-complete).
  std::mutex text_mutex;
  std::string pending_text;
  bool turn_over = false;
  void text(const std::string& fragment) {
    std::string out;
    {
      std::lock_guard<std::mutex> lock(text_mutex);
      pending_text += fragment;
      const char last = pending_text.empty() ? ' ' : pending_text.back();
      if (turn_over || (last && std::strchr(".!?:\n", last)) || pending_text.size() > 300) out.swap(pending_text);
    }
    if (!out.empty()) emit(encode_text(out));
  }
  void end_of_turn() {
    std::string out;
    {
      std::lock_guard<std::mutex> lock(text_mutex);
      turn_over = true;
      out.swap(pending_text);
    }
    if (!out.empty()) emit(encode_text(out));
  }
};

using SharedRef = std::shared_ptr<Shared>;

void release_ref(gpointer data) { delete static_cast<SharedRef*>(data); }
Shared* of(gpointer data) { return static_cast<SharedRef*>(data)->get(); }

// The next sample's bytes, handed to `use` when there are any.
template <typename Use>
GstFlowReturn with_next_sample(GstAppSink* appsink, Use&& use) {
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample(appsink);
  GstBuffer* buffer = sample ? gst_sample_get_buffer(sample) : nullptr;
  GstMapInfo map;
  if (!buffer || !gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_FLOW_OK;
  if (map.size) use(map.data, map.size);
  gst_buffer_unmap(buffer, &map);
  return GST_FLOW_OK;
}

GstFlowReturn on_voice(GstAppSink* appsink, gpointer data) {
  Shared* shared = of(data);
  return with_next_sample(appsink, [shared](const guint8* bytes, gsize size) {
    shared->answered();
    shared->counters.audio_bytes_out += size;
    shared->emit(encode_audio(bytes, size), size);
  });
}

GstFlowReturn on_text(GstAppSink* appsink, gpointer data) {
  Shared* shared = of(data);
  return with_next_sample(appsink, [shared](const guint8* bytes, gsize size) {
    shared->answered();
    ++shared->counters.texts_out;
    shared->text(std::string(reinterpret_cast<const char*>(bytes), size));
  });
}

// The offset that marks an empty buffer as a control (see Shared::controls).
constexpr guint64 kControlMarker = G_GUINT64_CONSTANT(0x67656d696e69);

GstPadProbeReturn on_mic_buffer(GstPad*, GstPadProbeInfo* info, gpointer data) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (gst_buffer_get_size(buffer) != 0 || GST_BUFFER_OFFSET(buffer) != kControlMarker) return GST_PAD_PROBE_OK;
  Shared* shared = of(data);
  std::function<void()> control;
  {
    std::lock_guard<std::mutex> lock(shared->controls_mutex);
    if (shared->controls.empty()) return GST_PAD_PROBE_DROP;
    control = std::move(shared->controls.front());
    shared->controls.pop_front();
  }
  control();
  return GST_PAD_PROBE_DROP;
}

gint64 int64_field(const GstStructure* s, const char* name) {
  gint64 value = 0;
  return gst_structure_get_int64(s, name, &value) ? value : 0;
}

// The sink's element messages, as the page's typed messages.
void on_element_message(Shared* shared, const GstStructure* s) {
  const char* name = gst_structure_get_name(s);
  if (g_str_equal(name, "geminilive/transcript")) {
    const char* direction = gst_structure_get_string(s, "direction");
    const char* text = gst_structure_get_string(s, "text");
    gboolean finished = FALSE;
    gst_structure_get_boolean(s, "finished", &finished);
    shared->emit(encode_transcript(g_strcmp0(direction, "input") == 0, text ? text : "", finished));
  } else if (g_str_equal(name, "geminilive/interrupted")) {
    shared->end_of_turn();
    shared->input_ended();  // the answer to the interrupting input comes next
    shared->emit(encode_event("interrupted"));
  } else if (g_str_equal(name, "geminilive/turn-complete")) {
    shared->end_of_turn();
    shared->emit(encode_event("turn_complete"));
  } else if (g_str_equal(name, "geminilive/usage")) {
    shared->emit(encode_usage(int64_field(s, "prompt-tokens"), int64_field(s, "response-tokens"),
                              int64_field(s, "total-tokens")));
  } else if (g_str_equal(name, "geminilive/voice-activity")) {
    if (g_strcmp0(gst_structure_get_string(s, "type"), "end") == 0) shared->input_ended();
  } else if (g_str_equal(name, "geminilive/reconnecting")) {
    const char* cause = gst_structure_get_string(s, "cause");
    shared->emit(encode_state("reconnecting", cause ? cause : ""));
  } else if (g_str_equal(name, "geminilive/resumed")) {
    gboolean resumed = FALSE;
    gst_structure_get_boolean(s, "resumed", &resumed);
    shared->emit(encode_state("ready", resumed ? "resumed" : "new conversation"));
  }
}

// Runs on the thread that posts (mostly the session's): encodes only.
GstBusSyncReply on_bus(GstBus*, GstMessage* message, gpointer data) {
  Shared* shared = of(data);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ELEMENT:
      if (const GstStructure* s = gst_message_get_structure(message)) on_element_message(shared, s);
      break;
    case GST_MESSAGE_PROGRESS: {
      GstProgressType type;
      g_autofree char* code = nullptr;
      g_autofree char* text = nullptr;
      gst_message_parse_progress(message, &type, &code, &text);
      if (g_strcmp0(code, "connect") != 0) break;
      if (type == GST_PROGRESS_TYPE_START) shared->emit(encode_state("connecting", ""));
      if (type == GST_PROGRESS_TYPE_COMPLETE) shared->emit(encode_state("ready", ""));
      break;
    }
    case GST_MESSAGE_ERROR: {
      g_autoptr(GError) error = nullptr;
      gst_message_parse_error(message, &error, nullptr);
      shared->failed(error ? error->message : "the session failed");
      break;
    }
    case GST_MESSAGE_WARNING: {
      g_autoptr(GError) warning = nullptr;
      gst_message_parse_warning(message, &warning, nullptr);
      if (warning) shared->emit(encode_warning(warning->message));
      break;
    }
    case GST_MESSAGE_EOS:
      shared->failed("the session ended");
      break;
    default:
      break;
  }
  return GST_BUS_DROP;
}

std::string quote(const std::string& value) {
  g_autofree char* escaped = g_strescape(value.c_str(), nullptr);
  return std::string("\"") + escaped + "\"";
}

}  // namespace

struct SessionPipeline::Impl {
  SharedRef shared;
  GstElement* pipeline = nullptr;
  GstElement* sink = nullptr;
  GstAppSrc* mic = nullptr;
  GstAppSrc* screen = nullptr;
  int mic_rate = 0;
  std::string screen_mime;

  ~Impl() {
    if (pipeline) {
      shared->close();
      gst_element_set_state(pipeline, GST_STATE_NULL);
      g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
      gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
    }
    for (GstObject* o : {GST_OBJECT(mic), GST_OBJECT(screen), GST_OBJECT(sink), GST_OBJECT(pipeline)})
      if (o) gst_object_unref(o);
  }
};

SessionPipeline::SessionPipeline(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), counters_(&impl_->shared->counters) {}

SessionPipeline::~SessionPipeline() = default;

std::unique_ptr<SessionPipeline> SessionPipeline::start(const PipelineSettings& settings, Post post, Fail fail,
                                                        std::string* error) {
  const std::string channel = " channel=" + quote(settings.channel);
  // Bounded input queues that drop the oldest: a browser that sends faster
  // than the session takes never grows the relay (about 30 s of audio).
  const std::string description =
      "geminilivesink name=sink sync=false" + channel +
      " appsrc name=mic is-live=true format=time do-timestamp=true max-bytes=1000000 leaky-type=downstream"
      " ! sink.audio"
      " appsrc name=screen is-live=true format=time do-timestamp=true max-buffers=2 leaky-type=downstream"
      " ! sink.video" +
      (settings.text_answers
           ? std::string()
           : " geminilivesrc name=voice paced=false stream=audio" + channel + " ! appsink name=voice-out sync=false") +
      " geminilivesrc name=words stream=text" + channel + " ! appsink name=text-out sync=false";
  g_autoptr(GError) gerror = nullptr;
  GstElement* pipeline = gst_parse_launch_full(description.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &gerror);
  if (!pipeline) {
    *error = gerror ? gerror->message : "could not build the pipeline";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->pipeline = GST_ELEMENT(gst_object_ref_sink(pipeline));
  impl->shared = std::make_shared<Shared>();
  impl->shared->post = std::move(post);
  impl->shared->fail = std::move(fail);
  impl->sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  impl->mic = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(pipeline), "mic"));
  impl->screen = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(pipeline), "screen"));

  if (!settings.uri.empty()) g_object_set(impl->sink, "uri", settings.uri.c_str(), nullptr);
  if (!settings.api_key.empty()) g_object_set(impl->sink, "api-key", settings.api_key.c_str(), nullptr);
  if (!settings.model.empty()) g_object_set(impl->sink, "model", settings.model.c_str(), nullptr);
  if (!settings.system_instruction.empty())
    g_object_set(impl->sink, "system-instruction", settings.system_instruction.c_str(), nullptr);
  if (settings.text_answers) gst_util_set_object_arg(G_OBJECT(impl->sink), "response-modality", "text");
  if (settings.push_to_talk) g_object_set(impl->sink, "vad", FALSE, nullptr);

  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  gst_bus_set_sync_handler(bus, on_bus, new SharedRef(impl->shared), release_ref);
  for (const char* name : {"voice-out", "text-out"}) {
    g_autoptr(GstElement) appsink = gst_bin_get_by_name(GST_BIN(pipeline), name);
    if (!appsink) continue;
    GstAppSinkCallbacks callbacks = {};
    callbacks.new_sample = g_str_equal(name, "voice-out") ? on_voice : on_text;
    gst_app_sink_set_callbacks(GST_APP_SINK(appsink), &callbacks, new SharedRef(impl->shared), release_ref);
  }
  {
    g_autoptr(GstPad) pad = gst_element_get_static_pad(GST_ELEMENT(impl->mic), "src");
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_mic_buffer, new SharedRef(impl->shared), release_ref);
  }
  impl->mic_rate = 16000;  // the tutorial's rate, until a chunk says otherwise
  {
    g_autoptr(GstCaps) caps = gst_caps_from_string("audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=16000");
    gst_app_src_set_caps(impl->mic, caps);
  }
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *error = "the session could not start (see the relay's log)";
    return nullptr;
  }
  return std::unique_ptr<SessionPipeline>(new SessionPipeline(std::move(impl)));
}

void SessionPipeline::push_audio(const std::vector<uint8_t>& pcm, int rate) {
  if (pcm.empty()) return;
  if (rate != impl_->mic_rate) {
    g_autoptr(GstCaps) caps =
        gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout", G_TYPE_STRING, "interleaved",
                            "channels", G_TYPE_INT, 1, "rate", G_TYPE_INT, rate, nullptr);
    gst_app_src_set_caps(impl_->mic, caps);
    impl_->mic_rate = rate;
  }
  counters_->audio_bytes_in += pcm.size();
  gst_app_src_push_buffer(impl_->mic, gst_buffer_new_memdup(pcm.data(), pcm.size()));
}

void SessionPipeline::push_image(const std::vector<uint8_t>& image, const std::string& mime_type) {
  if (image.empty()) return;
  if (mime_type != impl_->screen_mime) {
    g_autoptr(GstCaps) caps = gst_caps_new_empty_simple(mime_type.c_str());
    gst_app_src_set_caps(impl_->screen, caps);
    impl_->screen_mime = mime_type;
  }
  ++counters_->frames_in;
  gst_app_src_push_buffer(impl_->screen, gst_buffer_new_memdup(image.data(), image.size()));
}

void SessionPipeline::in_order(std::function<void()> control) {
  {
    std::lock_guard<std::mutex> lock(impl_->shared->controls_mutex);
    impl_->shared->controls.push_back(std::move(control));
  }
  GstBuffer* marker = gst_buffer_new();
  GST_BUFFER_OFFSET(marker) = kControlMarker;
  gst_app_src_push_buffer(impl_->mic, marker);
}

void SessionPipeline::send_text(const std::string& text) {
  GstElement* sink = impl_->sink;
  Shared* shared = impl_->shared.get();  // the probe holds a reference while controls run
  in_order([sink, shared, text] {
    gboolean sent = FALSE;
    g_signal_emit_by_name(sink, "send-text", text.c_str(), &sent);
    if (sent)
      shared->input_ended();
    else
      shared->failed("text refused: it must be valid UTF-8 and the session running");
  });
}

void SessionPipeline::activity(bool start) {
  GstElement* sink = impl_->sink;
  Shared* shared = impl_->shared.get();
  in_order([sink, shared, start] {
    gboolean sent = FALSE;
    g_signal_emit_by_name(sink, start ? "activity-start" : "activity-end", &sent);
    if (sent && !start) shared->input_ended();
    if (!sent)
      shared->failed(std::string(start ? "activity_start" : "activity_end") +
                     " refused: push-to-talk needs automatic_activity_detection disabled in the setup");
  });
}

}  // namespace geminilive::relay
