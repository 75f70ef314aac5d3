// SPDX-License-Identifier: LGPL-2.1-or-later
#include "gstgeminiliveinputsink.h"

#include <gst/audio/audio.h>

#include <array>
#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "element_util.h"
#include "protocol/client_message.h"
#include "protocol/pcm_mime.h"

GST_DEBUG_CATEGORY_STATIC(gst_gemini_live_input_sink_debug);
#define GST_CAT_DEFAULT gst_gemini_live_input_sink_debug

namespace geminilive::plugin {

const char* input_kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::Audio:
      return "audio";
    case InputKind::Video:
      return "video";
    case InputKind::Text:
      break;
  }
  return "text";
}

GstCaps* input_kind_caps(InputKind kind) {
  switch (kind) {
    case InputKind::Audio:
      return gst_caps_from_string(GEMINILIVE_INPUT_AUDIO_CAPS);
    case InputKind::Video:
      return gst_caps_from_string(GEMINILIVE_IMAGE_CAPS);
    case InputKind::Text:
      break;
  }
  return gst_caps_from_string(GEMINILIVE_TEXT_CAPS);
}

}  // namespace geminilive::plugin

namespace {

using geminilive::plugin::InputHost;
using geminilive::plugin::InputKind;
namespace protocol = geminilive::protocol;
namespace session = geminilive::session;

// Frames whose timestamps are this close to the interval still pass (camera
// timestamps jitter).
constexpr GstClockTime kFrameTolerance = 5 * GST_MSECOND;

// Why a buffer was dropped. The first drop of each kind in a stream is a
// warning; later ones are logged and summed up in one warning at EOS.
enum Drop { DROP_WRONG_FORMAT, DROP_TOO_LARGE, DROP_INVALID_TEXT, N_DROPS };

/* *INDENT-OFF* */
struct InputSinkPrivate {
  InputKind kind = InputKind::Audio;
  std::shared_ptr<InputHost> host;

  // Streaming-thread state, reset on start and flush.
  std::string audio_mime;                            // "audio/pcm;rate=16000", from the caps
  std::string video_mime;                            // from the caps; empty: recognised from the bytes
  GstClockTime last_frame_ts = GST_CLOCK_TIME_NONE;  // of the last frame sent
  std::optional<protocol::Blob> held_frame;          // the newest frame not sent yet
  std::string text_tail;                             // an incomplete UTF-8 sequence, completed by the next buffer
  std::string audio_tail;                            // the first byte of a sample cut by the end of a buffer
  std::array<guint, N_DROPS> drops{};                // buffers dropped, by reason
  int upstream_live = -1;                            // -1: not asked yet

  // Pushed by geminilivesink (any thread): read once per buffer.
  std::atomic<GstClockTime> video_interval{0};
  std::atomic<guint64> max_frame_size{0};
  std::atomic<bool> failed{false};

  // Guards `session` (pushed by geminilivesink). render() waits here for
  // room in the session (non-live input only): the session's room, its
  // state changes, failure and unlock() wake it.
  GMutex wait_lock;
  GCond wait_cond;
  bool unlocked = false;
  std::shared_ptr<session::LiveSession> session;

  InputSinkPrivate() {
    g_mutex_init(&wait_lock);
    g_cond_init(&wait_cond);
  }
  ~InputSinkPrivate() {
    g_cond_clear(&wait_cond);
    g_mutex_clear(&wait_lock);
  }

  void reset_stream() {
    last_frame_ts = GST_CLOCK_TIME_NONE;
    held_frame.reset();
    text_tail.clear();
    audio_tail.clear();
    drops.fill(0);
    upstream_live = -1;
  }
};
/* *INDENT-ON* */

// How much of `s` ends on a whole UTF-8 sequence: a sequence cut by the end
// of the buffer waits for the next one.
std::size_t complete_utf8_prefix(std::string_view s) {
  const std::size_t n = s.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return length > back ? n - back : n;
  }
  return n;
}

const char* sniff_image_mime(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) return "image/png";
  return nullptr;
}

// "A video frame", "An audio buffer", "A text buffer": for warnings.
const char* buffer_name(InputKind kind) {
  switch (kind) {
    case InputKind::Audio:
      return "An audio buffer";
    case InputKind::Video:
      return "A video frame";
    case InputKind::Text:
      break;
  }
  return "A text buffer";
}

// What a frame that is not what its caps say looks like, for the warning.
std::string describe_frame(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < 4; ++i) {
    char hex[4];
    g_snprintf(hex, sizeof hex, "%s%02X", i ? " " : "", static_cast<unsigned char>(bytes[i]));
    out += hex;
  }
  const char* sniffed = sniff_image_mime(bytes);
  return out + (sniffed ? std::string(" (") + sniffed + ")" : std::string(" (neither JPEG nor PNG)"));
}

}  // namespace

struct _GstGeminiLiveInputSink {
  GstBaseSink parent;
  InputSinkPrivate* priv;
};

#define gst_gemini_live_input_sink_parent_class parent_class
G_DEFINE_TYPE(GstGeminiLiveInputSink, gst_gemini_live_input_sink, GST_TYPE_BASE_SINK)

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS_ANY);

static void gst_gemini_live_input_sink_finalize(GObject* object);
static GstCaps* gst_gemini_live_input_sink_get_caps(GstBaseSink* bsink, GstCaps* filter);
static gboolean gst_gemini_live_input_sink_set_caps(GstBaseSink* bsink, GstCaps* caps);
static gboolean gst_gemini_live_input_sink_start(GstBaseSink* bsink);
static gboolean gst_gemini_live_input_sink_event(GstBaseSink* bsink, GstEvent* event);
static GstFlowReturn gst_gemini_live_input_sink_render(GstBaseSink* bsink, GstBuffer* buffer);
static gboolean gst_gemini_live_input_sink_unlock(GstBaseSink* bsink);
static gboolean gst_gemini_live_input_sink_unlock_stop(GstBaseSink* bsink);

static void gst_gemini_live_input_sink_class_init(GstGeminiLiveInputSinkClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseSinkClass* base_sink_class = GST_BASE_SINK_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_gemini_live_input_sink_debug, "geminiliveinputsink", 0, "geminilivesink's per-pad input");

  gobject_class->finalize = gst_gemini_live_input_sink_finalize;

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_set_static_metadata(element_class, "Gemini Live input", "Sink/Network",
                                        "One input of geminilivesink (internal)", "geminilive");

  base_sink_class->get_caps = GST_DEBUG_FUNCPTR(gst_gemini_live_input_sink_get_caps);
  base_sink_class->set_caps = GST_DEBUG_FUNCPTR(gst_gemini_live_input_sink_set_caps);
  base_sink_class->start = GST_DEBUG_FUNCPTR(gst_gemini_live_input_sink_start);
  base_sink_class->event = GST_DEBUG_FUNCPTR(gst_gemini_live_input_sink_event);
  base_sink_class->render = GST_DEBUG_FUNCPTR(gst_gemini_live_input_sink_render);
  base_sink_class->unlock = GST_DEBUG_FUNCPTR(gst_gemini_live_input_sink_unlock);
  base_sink_class->unlock_stop = GST_DEBUG_FUNCPTR(gst_gemini_live_input_sink_unlock_stop);
}

static void gst_gemini_live_input_sink_init(GstGeminiLiveInputSink* self) {
  self->priv = new InputSinkPrivate();
  // Nobody reads it, and frames can be large.
  gst_base_sink_set_last_sample_enabled(GST_BASE_SINK(self), FALSE);
  // render() only queues a message: no time to reserve for it (and live
  // sources straight into the pad need no queue).
  gst_base_sink_set_processing_deadline(GST_BASE_SINK(self), 0);
}

static void gst_gemini_live_input_sink_finalize(GObject* object) {
  auto* self = GST_GEMINI_LIVE_INPUT_SINK(object);
  delete self->priv;
  self->priv = nullptr;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

GstElement* gst_gemini_live_input_sink_new(InputKind kind, std::shared_ptr<InputHost> host) {
  g_autofree char* name = g_strdup_printf("%ssink", geminilive::plugin::input_kind_name(kind));
  auto* self = GST_GEMINI_LIVE_INPUT_SINK(g_object_new(GST_TYPE_GEMINI_LIVE_INPUT_SINK, "name", name, nullptr));
  self->priv->kind = kind;
  self->priv->host = std::move(host);
  return GST_ELEMENT(self);
}

InputKind gst_gemini_live_input_sink_kind(GstGeminiLiveInputSink* sink) { return sink->priv->kind; }

static GstCaps* gst_gemini_live_input_sink_get_caps(GstBaseSink* bsink, GstCaps* filter) {
  auto* self = GST_GEMINI_LIVE_INPUT_SINK(bsink);
  GstCaps* caps = geminilive::plugin::input_kind_caps(self->priv->kind);
  if (filter) {
    GstCaps* both = gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(caps);
    caps = both;
  }
  return caps;
}

static gboolean gst_gemini_live_input_sink_set_caps(GstBaseSink* bsink, GstCaps* caps) {
  auto* self = GST_GEMINI_LIVE_INPUT_SINK(bsink);
  InputSinkPrivate* priv = self->priv;
  GST_DEBUG_OBJECT(self, "caps %" GST_PTR_FORMAT, caps);
  switch (priv->kind) {
    case InputKind::Audio: {
      GstAudioInfo info;
      if (!gst_audio_info_from_caps(&info, caps) || GST_AUDIO_INFO_FORMAT(&info) != GST_AUDIO_FORMAT_S16LE ||
          GST_AUDIO_INFO_CHANNELS(&info) != 1) {
        GST_WARNING_OBJECT(self, "refusing %" GST_PTR_FORMAT, caps);
        return FALSE;
      }
      priv->audio_mime = protocol::pcm_mime_type(GST_AUDIO_INFO_RATE(&info));
      if (!priv->audio_tail.empty()) GST_DEBUG_OBJECT(self, "dropping half a sample at a caps change");
      priv->audio_tail.clear();
      return TRUE;
    }
    case InputKind::Video:
      priv->video_mime = gst_structure_get_name(gst_caps_get_structure(caps, 0));
      return TRUE;
    case InputKind::Text:
      break;
  }
  return TRUE;
}

static gboolean gst_gemini_live_input_sink_start(GstBaseSink* bsink) {
  auto* self = GST_GEMINI_LIVE_INPUT_SINK(bsink);
  self->priv->reset_stream();
  return TRUE;
}

// Counts a drop; true for the first of its kind in this stream (the one to
// warn about).
static bool count_drop(GstGeminiLiveInputSink* self, Drop reason) {
  const guint n = ++self->priv->drops[reason];
  if (n > 1) GST_DEBUG_OBJECT(self, "dropped a buffer (reason %d), %u so far", reason, n);
  return n == 1;
}

// At EOS: one warning for each reason that dropped more than the buffer
// already warned about.
static void warn_drop_totals(GstGeminiLiveInputSink* self) {
  InputSinkPrivate* priv = self->priv;
  const char* what = priv->kind == InputKind::Video   ? "video frames"
                     : priv->kind == InputKind::Audio ? "audio buffers"
                                                      : "text buffers";
  if (priv->drops[DROP_WRONG_FORMAT] > 1)
    GST_ELEMENT_WARNING(self, STREAM, FORMAT,
                        ("%u video frames in all were dropped because they were not %s.",
                         priv->drops[DROP_WRONG_FORMAT], priv->video_mime.c_str()),
                        (nullptr));
  if (priv->drops[DROP_TOO_LARGE] > 1)
    GST_ELEMENT_WARNING(
        self, STREAM, FAILED,
        ("%u %s in all were dropped because they were larger than max-frame-size.", priv->drops[DROP_TOO_LARGE], what),
        (nullptr));
  if (priv->drops[DROP_INVALID_TEXT] > 1)
    GST_ELEMENT_WARNING(
        self, STREAM, FORMAT,
        ("%u text buffers in all were dropped because they were not valid UTF-8.", priv->drops[DROP_INVALID_TEXT]),
        (nullptr));
  priv->drops.fill(0);
}

static std::shared_ptr<session::LiveSession> current_session(InputSinkPrivate* priv) {
  g_mutex_lock(&priv->wait_lock);
  auto session = priv->session;
  g_mutex_unlock(&priv->wait_lock);
  return session;
}

// The held frame, if it is newer than the last one sent (at EOS).
static void send_held_frame(GstGeminiLiveInputSink* self) {
  InputSinkPrivate* priv = self->priv;
  if (!priv->held_frame) return;
  auto session = current_session(priv);
  if (session) {
    GST_DEBUG_OBJECT(self, "sending the newest frame at EOS");
    session->send_video_frame(std::move(*priv->held_frame));
  }
  priv->held_frame.reset();
}

static gboolean gst_gemini_live_input_sink_event(GstBaseSink* bsink, GstEvent* event) {
  auto* self = GST_GEMINI_LIVE_INPUT_SINK(bsink);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_EOS:
      send_held_frame(self);
      if (!self->priv->audio_tail.empty()) GST_DEBUG_OBJECT(self, "dropping half a sample at EOS");
      self->priv->audio_tail.clear();
      warn_drop_totals(self);
      self->priv->host->input_eos(GST_ELEMENT(self), gst_event_get_seqnum(event));
      break;
    case GST_EVENT_FLUSH_STOP:
      self->priv->reset_stream();
      self->priv->host->input_flushed(GST_ELEMENT(self));
      break;
    default:
      break;
  }
  return GST_BASE_SINK_CLASS(parent_class)->event(bsink, event);
}

static GstFlowReturn render_audio(GstGeminiLiveInputSink* self, session::LiveSession& session, std::string bytes) {
  if (self->priv->audio_mime.empty()) {
    GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, ("The audio pad got data without caps."),
                      ("audio/x-raw caps must say the rate"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  // Whole S16 samples only: a byte cut off a sample waits for the rest.
  std::string& tail = self->priv->audio_tail;
  if (!tail.empty()) {
    bytes.insert(0, tail);
    tail.clear();
  }
  if (bytes.size() % 2 != 0) {
    tail.assign(1, bytes.back());
    bytes.pop_back();
    GST_LOG_OBJECT(self, "keeping the last byte of a cut sample for the next buffer");
  }
  if (bytes.empty()) return GST_FLOW_OK;
  session.send(protocol::RealtimeInput::with_audio({self->priv->audio_mime, std::move(bytes)}));
  return GST_FLOW_OK;
}

static GstFlowReturn render_video(GstGeminiLiveInputSink* self, session::LiveSession& session, std::string bytes,
                                  GstClockTime pts) {
  InputSinkPrivate* priv = self->priv;
  std::string mime = priv->video_mime;
  if (mime.empty()) {
    const char* sniffed = sniff_image_mime(bytes);
    if (!sniffed) {
      GST_ELEMENT_ERROR(self, STREAM, WRONG_TYPE, ("The video pad takes JPEG or PNG images."),
                        ("a buffer without caps that is neither"));
      return GST_FLOW_NOT_NEGOTIATED;
    }
    mime = sniffed;
  } else if (const char* sniffed = sniff_image_mime(bytes); !sniffed || mime != sniffed) {
    // Sent anyway, the frame would be taken for what it is not.
    if (count_drop(self, DROP_WRONG_FORMAT))
      GST_ELEMENT_WARNING(self, STREAM, FORMAT,
                          ("A video frame was dropped: the caps say %s, but it begins with %s.", mime.c_str(),
                           describe_frame(bytes).c_str()),
                          ("later ones are counted, and their total is given at EOS"));
    return GST_FLOW_OK;
  }
  // Frames without timestamps are limited on arrival time.
  const GstClockTime ts = GST_CLOCK_TIME_IS_VALID(pts) ? pts : g_get_monotonic_time() * GST_USECOND;
  const GstClockTime interval = priv->video_interval.load(std::memory_order_relaxed);
  const bool due = interval == 0 || !GST_CLOCK_TIME_IS_VALID(priv->last_frame_ts) || ts < priv->last_frame_ts ||
                   ts - priv->last_frame_ts + kFrameTolerance >= interval;
  if (!due) {
    GST_LOG_OBJECT(self, "frame at %" GST_TIME_FORMAT " waits (max-video-fps)", GST_TIME_ARGS(ts));
    priv->held_frame = protocol::Blob{std::move(mime), std::move(bytes)};
    return GST_FLOW_OK;
  }
  priv->held_frame.reset();
  priv->last_frame_ts = ts;
  GST_LOG_OBJECT(self, "sending a %s frame at %" GST_TIME_FORMAT, mime.c_str(), GST_TIME_ARGS(ts));
  session.send_video_frame({std::move(mime), std::move(bytes)});
  return GST_FLOW_OK;
}

static GstFlowReturn render_text(GstGeminiLiveInputSink* self, session::LiveSession& session, std::string bytes) {
  InputSinkPrivate* priv = self->priv;
  std::string text = priv->text_tail + bytes;
  const std::size_t complete = complete_utf8_prefix(text);
  priv->text_tail = text.substr(complete);
  text.resize(complete);
  if (!g_utf8_validate_len(text.data(), text.size(), nullptr)) {
    // The transport would refuse it; a character begun here goes too.
    priv->text_tail.clear();
    if (count_drop(self, DROP_INVALID_TEXT))
      GST_ELEMENT_WARNING(self, STREAM, FORMAT, ("Text that is not valid UTF-8 was dropped (%zu bytes).", bytes.size()),
                          ("later ones are counted, and their total is given at EOS"));
    return GST_FLOW_OK;
  }
  // A line of a file or a terminal: the line break is not part of it.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return GST_FLOW_OK;
  GST_DEBUG_OBJECT(self, "sending %zu bytes of text", text.size());
  session.send(protocol::RealtimeInput::with_text(std::move(text)));
  return GST_FLOW_OK;
}

static gboolean gst_gemini_live_input_sink_unlock(GstBaseSink* bsink) {
  InputSinkPrivate* priv = GST_GEMINI_LIVE_INPUT_SINK(bsink)->priv;
  g_mutex_lock(&priv->wait_lock);
  priv->unlocked = true;
  g_cond_broadcast(&priv->wait_cond);
  g_mutex_unlock(&priv->wait_lock);
  return TRUE;
}

static gboolean gst_gemini_live_input_sink_unlock_stop(GstBaseSink* bsink) {
  InputSinkPrivate* priv = GST_GEMINI_LIVE_INPUT_SINK(bsink)->priv;
  g_mutex_lock(&priv->wait_lock);
  priv->unlocked = false;
  g_mutex_unlock(&priv->wait_lock);
  return TRUE;
}

// The queue policy (docs/elements.md, "Queues"): a live input never waits
// (while the session cannot send, it holds up to 30 s of audio, then drops
// the oldest with a warning); a non-live one (a file) waits here until the
// session has room, so it loses nothing.
static GstFlowReturn wait_for_room(GstGeminiLiveInputSink* self, session::LiveSession& session) {
  InputSinkPrivate* priv = self->priv;
  if (priv->upstream_live < 0) {
    gboolean live = FALSE, upstream_live = FALSE;
    gst_base_sink_query_latency(GST_BASE_SINK(self), &live, &upstream_live, nullptr, nullptr);
    priv->upstream_live = upstream_live ? 1 : 0;
    GST_DEBUG_OBJECT(self, "upstream is %s", upstream_live ? "live: never waiting" : "not live: waiting for room");
  }
  if (priv->upstream_live == 1 || session.has_room()) return GST_FLOW_OK;
  GST_DEBUG_OBJECT(self, "waiting for the session to send what it holds");
  g_mutex_lock(&priv->wait_lock);
  // The session signals room (geminilivesink wakes us), as do its failure,
  // its end and unlock().
  while (!priv->unlocked && !priv->failed && priv->session && !session.has_room())
    g_cond_wait(&priv->wait_cond, &priv->wait_lock);
  const bool unlocked = priv->unlocked;
  const bool gone = !priv->session;
  g_mutex_unlock(&priv->wait_lock);
  if (priv->failed) return GST_FLOW_ERROR;
  if (gone) return GST_FLOW_FLUSHING;
  return unlocked ? gst_base_sink_wait_preroll(GST_BASE_SINK(self)) : GST_FLOW_OK;
}

static GstFlowReturn gst_gemini_live_input_sink_render(GstBaseSink* bsink, GstBuffer* buffer) {
  auto* self = GST_GEMINI_LIVE_INPUT_SINK(bsink);
  // geminilivesink has posted the error.
  if (self->priv->failed) return GST_FLOW_ERROR;
  auto session = current_session(self->priv);
  if (!session) return GST_FLOW_FLUSHING;
  if (GstFlowReturn ret = wait_for_room(self, *session); ret != GST_FLOW_OK) return ret;

  const gsize size = gst_buffer_get_size(buffer);
  if (size == 0) {
    GST_DEBUG_OBJECT(self, "dropping an empty buffer");
    return GST_FLOW_OK;
  }
  const guint64 max_size = self->priv->max_frame_size.load(std::memory_order_relaxed);
  if (max_size > 0 && size > max_size) {
    if (count_drop(self, DROP_TOO_LARGE))
      GST_ELEMENT_WARNING(self, STREAM, FAILED,
                          ("%s of %" G_GSIZE_FORMAT
                           " bytes was dropped: it is larger than max-frame-size, %" G_GUINT64_FORMAT " bytes.",
                           buffer_name(self->priv->kind), size, max_size),
                          ("later ones are counted, and their total is given at EOS"));
    return GST_FLOW_OK;
  }

  GstMapInfo map;
  if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR(self, RESOURCE, READ, ("Could not read a buffer."), (nullptr));
    return GST_FLOW_ERROR;
  }
  std::string bytes(reinterpret_cast<const char*>(map.data), map.size);
  gst_buffer_unmap(buffer, &map);

  switch (self->priv->kind) {
    case InputKind::Audio:
      return render_audio(self, *session, std::move(bytes));
    case InputKind::Video:
      return render_video(self, *session, std::move(bytes), GST_BUFFER_PTS(buffer));
    case InputKind::Text:
      break;
  }
  return render_text(self, *session, std::move(bytes));
}

void gst_gemini_live_input_sink_set_session(GstGeminiLiveInputSink* sink,
                                            std::shared_ptr<geminilive::session::LiveSession> session) {
  InputSinkPrivate* priv = sink->priv;
  std::shared_ptr<geminilive::session::LiveSession> old;
  g_mutex_lock(&priv->wait_lock);
  old = std::exchange(priv->session, std::move(session));
  priv->failed = false;
  g_cond_broadcast(&priv->wait_cond);
  g_mutex_unlock(&priv->wait_lock);
  // `old` goes here, outside the lock.
}

void gst_gemini_live_input_sink_set_failed(GstGeminiLiveInputSink* sink) {
  InputSinkPrivate* priv = sink->priv;
  g_mutex_lock(&priv->wait_lock);
  priv->failed = true;
  g_cond_broadcast(&priv->wait_cond);
  g_mutex_unlock(&priv->wait_lock);
}

void gst_gemini_live_input_sink_set_limits(GstGeminiLiveInputSink* sink, GstClockTime video_interval,
                                           guint64 max_frame_size) {
  sink->priv->video_interval = video_interval;
  sink->priv->max_frame_size = max_frame_size;
}

void gst_gemini_live_input_sink_wake(GstGeminiLiveInputSink* sink) {
  InputSinkPrivate* priv = sink->priv;
  g_mutex_lock(&priv->wait_lock);
  g_cond_broadcast(&priv->wait_cond);
  g_mutex_unlock(&priv->wait_lock);
}
