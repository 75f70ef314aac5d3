// SPDX-License-Identifier: LGPL-2.1-or-later
/**
 * SECTION:element-geminilivesrc
 * @title: geminilivesrc
 *
 * A live source of what the model says in the session of a geminilivesink
 * with the same #GstGeminiLiveSrc:channel, in one pipeline or another of the
 * same process. Several may tap one channel: the voice to the speaker, the
 * transcripts to a file.
 *
 * #GstGeminiLiveSrc:stream chooses what it outputs:
 * - `audio` (default): S16LE mono PCM at 24000 Hz. With
 *   #GstGeminiLiveSrc:paced (the default) it plays in real time: one period
 *   per buffer on the clock, silence (GAP buffers) between answers, and
 *   when the model is interrupted the rest of its answer is dropped at once.
 *   With paced=false it outputs the model's audio as it arrives, with
 *   contiguous timestamps and no silence: for recording and batch work.
 * - `text`: the model's answer in writing, one buffer per fragment: its text
 *   (response-modality=text on a model that writes) or the transcript of its
 *   spoken answer (every model; output-transcription on the sink, the
 *   default);
 * - `input-transcription` / `output-transcription`: what the service heard
 *   and what the model said, one buffer per fragment.
 *
 * Text buffers carry the running time at which they arrived; while nothing
 * comes the source pushes GAP events, so overlays and muxers never stall.
 *
 * When the session's answer is complete after the input ended (see
 * geminilivesink), the source outputs what it still holds and then EOS. When
 * the session fails it posts its own error.
 *
 * An audio source posts a `geminilive/latency` element message per turn when
 * the answer's first sample leaves it (docs/elements.md), and a WARNING when
 * it had to play silence inside an answer that arrived slower than real time.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,rate=16000,channels=1 ! geminilivesink \
 *     geminilivesrc ! audioconvert ! autoaudiosink
 * ]| Speaks the model's answers.
 * |[
 * gst-launch-1.0 filesrc location=question.wav ! wavparse ! geminilivesink \
 *     geminilivesrc paced=false ! wavenc ! filesink location=answer.wav \
 *     geminilivesrc stream=output-transcription ! filesink location=answer.txt
 * ]| Records the answer and its transcript, then stops.
 */
#include "gstgeminilivesrc.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "element_util.h"
#include "elements.h"
#include "errors.h"
#include "session/channel.h"
#include "session/reply_queue.h"
#include "src_tap.h"

GST_DEBUG_CATEGORY(gst_gemini_live_src_debug);
#define GST_CAT_DEFAULT gst_gemini_live_src_debug

namespace {

namespace plugin = geminilive::plugin;
namespace protocol = geminilive::protocol;
namespace session = geminilive::session;
using session::ReplyQueue;

using plugin::kReplyRate;
using plugin::SrcTap;
using plugin::Stream;
using plugin::STREAM_AUDIO;
using plugin::STREAM_INPUT_TRANSCRIPTION;
using plugin::STREAM_OUTPUT_TRANSCRIPTION;
using plugin::STREAM_TEXT;

constexpr int kBytesPerSample = 2;
constexpr GstClockTime kDefaultPeriod = 20 * GST_MSECOND;
constexpr GstClockTime kMinPeriod = 5 * GST_MSECOND;
constexpr GstClockTime kMaxPeriod = GST_SECOND;
// Unpaced audio: at most this much per buffer.
constexpr std::size_t kMaxRawBytes = kReplyRate * kBytesPerSample;
// Text streams: a GAP event after this long without text.
constexpr auto kGapInterval = std::chrono::milliseconds(500);
constexpr GstClockTime kMaxQueueTime = GST_SECOND * ReplyQueue::kDefaultMaxAudioBytes / (kReplyRate * kBytesPerSample);

enum { PROP_0, PROP_CHANNEL, PROP_STREAM, PROP_PACED, PROP_PERIOD_TIME, PROP_MAX_OBSERVED_LATENCY };

/* *INDENT-OFF* */

struct SrcPrivate {
  // Properties (object lock).
  std::string channel_name = plugin::kDefaultChannel;
  Stream stream = STREAM_AUDIO;
  bool paced = true;
  GstClockTime period = kDefaultPeriod;

  // Between start() and stop().
  const std::shared_ptr<ReplyQueue> queue = std::make_shared<ReplyQueue>();
  std::shared_ptr<session::Channel> channel;  // with tap: under the object lock
  std::shared_ptr<SrcTap> tap;
  std::shared_ptr<plugin::SrcLatency> latency;  // the audio stream's turns (made in init)
  Stream running_stream = STREAM_AUDIO;
  bool running_paced = true;
  guint64 period_samples = 0;

  // Streaming thread.
  guint64 samples = 0;                          // audio samples output so far
  GstClockTime first_ts = GST_CLOCK_TIME_NONE;  // audio: running time of the first buffer
  GstClockTime position = GST_CLOCK_TIME_NONE;  // text: end of what was pushed (buffers, GAPs)
  bool segment_pushed = false;                  // text: before the first GAP
  bool error_posted = false;
  GstClockID period_wait = nullptr;  // paced audio: the wait for a period's start (object lock)
};

/* *INDENT-ON* */

}  // namespace

struct _GstGeminiLiveSrc {
  GstPushSrc parent;
  SrcPrivate* priv;
};

#define gst_gemini_live_src_parent_class parent_class
G_DEFINE_TYPE(GstGeminiLiveSrc, gst_gemini_live_src, GST_TYPE_PUSH_SRC)
GST_ELEMENT_REGISTER_DEFINE(geminilivesrc, "geminilivesrc", GST_RANK_NONE, GST_TYPE_GEMINI_LIVE_SRC)

#define AUDIO_CAPS GEMINILIVE_REPLY_AUDIO_CAPS
#define TEXT_CAPS GEMINILIVE_TEXT_CAPS

static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(AUDIO_CAPS "; " TEXT_CAPS));

static void gst_gemini_live_src_finalize(GObject* object);
static void gst_gemini_live_src_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec);
static void gst_gemini_live_src_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec);
static GstCaps* gst_gemini_live_src_get_caps(GstBaseSrc* bsrc, GstCaps* filter);
static gboolean gst_gemini_live_src_start(GstBaseSrc* bsrc);
static gboolean gst_gemini_live_src_stop(GstBaseSrc* bsrc);
static gboolean gst_gemini_live_src_unlock(GstBaseSrc* bsrc);
static gboolean gst_gemini_live_src_unlock_stop(GstBaseSrc* bsrc);
static gboolean gst_gemini_live_src_query(GstBaseSrc* bsrc, GstQuery* query);
static void gst_gemini_live_src_get_times(GstBaseSrc* bsrc, GstBuffer* buffer, GstClockTime* start, GstClockTime* end);
static GstFlowReturn gst_gemini_live_src_create(GstPushSrc* psrc, GstBuffer** buf);
static gboolean gst_gemini_live_src_send_event(GstElement* element, GstEvent* event);

static void gst_gemini_live_src_class_init(GstGeminiLiveSrcClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseSrcClass* base_src_class = GST_BASE_SRC_CLASS(klass);
  GstPushSrcClass* push_src_class = GST_PUSH_SRC_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_gemini_live_src_debug, "geminilivesrc", 0, "Gemini Live source");

  gobject_class->finalize = gst_gemini_live_src_finalize;
  gobject_class->set_property = gst_gemini_live_src_set_property;
  gobject_class->get_property = gst_gemini_live_src_get_property;

  const auto ready = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);

  /**
   * GstGeminiLiveSrc:channel:
   *
   * The geminilivesink whose session this source hears: the one with the
   * same channel.
   */
  g_object_class_install_property(
      gobject_class, PROP_CHANNEL,
      g_param_spec_string("channel", "Channel", "The geminilivesink to hear (same channel name)",
                          plugin::kDefaultChannel, ready));
  /**
   * GstGeminiLiveSrc:stream:
   *
   * What to output: the model's audio, its text, or a transcript.
   */
  g_object_class_install_property(
      gobject_class, PROP_STREAM,
      g_param_spec_enum("stream", "Stream", "What to output", GST_TYPE_GEMINI_LIVE_SRC_STREAM, STREAM_AUDIO, ready));
  /**
   * GstGeminiLiveSrc:paced:
   *
   * Audio only. TRUE: real-time output for playback, silence between
   * answers. FALSE: the answer's audio as it arrives (faster than real
   * time), contiguous timestamps, no silence: for recording.
   */
  g_object_class_install_property(
      gobject_class, PROP_PACED,
      g_param_spec_boolean("paced", "Paced", "Real-time audio with silence between answers (FALSE: as it arrives)",
                           TRUE, ready));
  /**
   * GstGeminiLiveSrc:period-time:
   *
   * Paced audio: the length of each buffer, in nanoseconds. It is also the
   * source's latency, and the most of an interrupted answer that still plays.
   */
  g_object_class_install_property(
      gobject_class, PROP_PERIOD_TIME,
      g_param_spec_uint64("period-time", "Period time", "Paced audio: nanoseconds per buffer (also the latency)",
                          kMinPeriod, kMaxPeriod, kDefaultPeriod, ready));

  /**
   * GstGeminiLiveSrc:max-observed-latency:
   *
   * Audio only: the longest a user waited for an answer so far, in
   * nanoseconds, from the end of their speech to the first sample of the
   * answer leaving this source (the largest `to-first-sample` of the
   * `geminilive/latency` messages). 0 until one is measured.
   */
  g_object_class_install_property(
      gobject_class, PROP_MAX_OBSERVED_LATENCY,
      g_param_spec_uint64("max-observed-latency", "Maximum observed latency",
                          "Audio: the longest end of speech -> first answer sample so far (ns)", 0, G_MAXUINT64, 0,
                          static_cast<GParamFlags>(G_PARAM_READABLE | G_PARAM_STATIC_STRINGS)));

  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(element_class, "Gemini Live source", "Source/Audio/Network",
                                        "What a Gemini Live model says: its voice, its text or transcripts",
                                        "geminilive");

  element_class->send_event = GST_DEBUG_FUNCPTR(gst_gemini_live_src_send_event);
  base_src_class->get_caps = GST_DEBUG_FUNCPTR(gst_gemini_live_src_get_caps);
  base_src_class->start = GST_DEBUG_FUNCPTR(gst_gemini_live_src_start);
  base_src_class->stop = GST_DEBUG_FUNCPTR(gst_gemini_live_src_stop);
  base_src_class->unlock = GST_DEBUG_FUNCPTR(gst_gemini_live_src_unlock);
  base_src_class->unlock_stop = GST_DEBUG_FUNCPTR(gst_gemini_live_src_unlock_stop);
  base_src_class->query = GST_DEBUG_FUNCPTR(gst_gemini_live_src_query);
  base_src_class->get_times = GST_DEBUG_FUNCPTR(gst_gemini_live_src_get_times);
  push_src_class->create = GST_DEBUG_FUNCPTR(gst_gemini_live_src_create);

  gst_type_mark_as_plugin_api(GST_TYPE_GEMINI_LIVE_SRC_STREAM, static_cast<GstPluginAPIFlags>(0));
}

static void gst_gemini_live_src_init(GstGeminiLiveSrc* self) {
  self->priv = new SrcPrivate();
  self->priv->latency = std::make_shared<plugin::SrcLatency>(GST_ELEMENT(self));
  gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
  gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
}

static void gst_gemini_live_src_finalize(GObject* object) {
  auto* self = GST_GEMINI_LIVE_SRC(object);
  delete self->priv;
  self->priv = nullptr;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_gemini_live_src_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_SRC(object);
  SrcPrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_CHANNEL: {
      const char* name = g_value_get_string(value);
      priv->channel_name = name && *name ? name : plugin::kDefaultChannel;
      break;
    }
    case PROP_STREAM:
      priv->stream = static_cast<Stream>(g_value_get_enum(value));
      break;
    case PROP_PACED:
      priv->paced = g_value_get_boolean(value);
      break;
    case PROP_PERIOD_TIME:
      priv->period = g_value_get_uint64(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_gemini_live_src_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_SRC(object);
  SrcPrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_CHANNEL:
      g_value_set_string(value, priv->channel_name.c_str());
      break;
    case PROP_STREAM:
      g_value_set_enum(value, priv->stream);
      break;
    case PROP_PACED:
      g_value_set_boolean(value, priv->paced);
      break;
    case PROP_PERIOD_TIME:
      g_value_set_uint64(value, priv->period);
      break;
    case PROP_MAX_OBSERVED_LATENCY:
      g_value_set_uint64(value, priv->latency->max_observed());
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static GstCaps* gst_gemini_live_src_get_caps(GstBaseSrc* bsrc, GstCaps* filter) {
  auto* self = GST_GEMINI_LIVE_SRC(bsrc);
  GST_OBJECT_LOCK(self);
  const bool audio = self->priv->stream == STREAM_AUDIO;
  GST_OBJECT_UNLOCK(self);
  GstCaps* caps = gst_caps_from_string(audio ? AUDIO_CAPS : TEXT_CAPS);
  if (filter) {
    GstCaps* both = gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref(caps);
    caps = both;
  }
  return caps;
}

static gboolean gst_gemini_live_src_start(GstBaseSrc* bsrc) {
  auto* self = GST_GEMINI_LIVE_SRC(bsrc);
  SrcPrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  const std::string channel_name = priv->channel_name;
  priv->running_stream = priv->stream;
  priv->running_paced = priv->paced;
  priv->period_samples = std::max<guint64>(gst_util_uint64_scale_int(priv->period, kReplyRate, GST_SECOND), 1);
  GST_OBJECT_UNLOCK(self);

  priv->queue->reset();
  priv->samples = 0;
  priv->first_ts = GST_CLOCK_TIME_NONE;
  priv->position = GST_CLOCK_TIME_NONE;
  priv->segment_pushed = false;
  priv->error_posted = false;

  auto channel = session::Channel::acquire(channel_name);
  const bool audio = priv->running_stream == STREAM_AUDIO;
  priv->latency->reset();
  auto tap =
      std::make_shared<SrcTap>(GST_ELEMENT(self), priv->running_stream, priv->queue, audio ? priv->latency : nullptr);
  channel->add_tap(tap, audio);  // an audio source reports each turn's latency
  // send_event() reads them from an application thread.
  GST_OBJECT_LOCK(self);
  priv->channel = std::move(channel);
  priv->tap = std::move(tap);
  GST_OBJECT_UNLOCK(self);
  GST_INFO_OBJECT(self, "listening on channel %s", channel_name.c_str());
  return TRUE;
}

static gboolean gst_gemini_live_src_stop(GstBaseSrc* bsrc) {
  auto* self = GST_GEMINI_LIVE_SRC(bsrc);
  SrcPrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  std::shared_ptr<session::Channel> channel = std::move(priv->channel);
  std::shared_ptr<SrcTap> tap = std::move(priv->tap);
  GST_OBJECT_UNLOCK(self);
  if (channel) channel->remove_tap(tap.get());
  priv->queue->reset();
  return TRUE;
}

static gboolean gst_gemini_live_src_unlock(GstBaseSrc* bsrc) {
  auto* self = GST_GEMINI_LIVE_SRC(bsrc);
  self->priv->queue->set_flushing(true);
  GST_OBJECT_LOCK(self);
  if (self->priv->period_wait) gst_clock_id_unschedule(self->priv->period_wait);
  GST_OBJECT_UNLOCK(self);
  return TRUE;
}

static gboolean gst_gemini_live_src_unlock_stop(GstBaseSrc* bsrc) {
  GST_GEMINI_LIVE_SRC(bsrc)->priv->queue->set_flushing(false);
  return TRUE;
}

static gboolean gst_gemini_live_src_query(GstBaseSrc* bsrc, GstQuery* query) {
  auto* self = GST_GEMINI_LIVE_SRC(bsrc);
  if (GST_QUERY_TYPE(query) == GST_QUERY_LATENCY) {
    GST_OBJECT_LOCK(self);
    const bool paced = self->priv->stream == STREAM_AUDIO && self->priv->paced;
    const GstClockTime period = self->priv->period;
    GST_OBJECT_UNLOCK(self);
    // Paced: a buffer goes out at its start, a period before it has played.
    const GstClockTime min = paced ? period : 0;
    const GstClockTime max = paced ? std::max(period, kMaxQueueTime) : GST_CLOCK_TIME_NONE;
    GST_DEBUG_OBJECT(self, "latency: live, min %" GST_TIME_FORMAT ", max %" GST_TIME_FORMAT, GST_TIME_ARGS(min),
                     GST_TIME_ARGS(max));
    gst_query_set_latency(query, TRUE, min, max);
    return TRUE;
  }
  return GST_BASE_SRC_CLASS(parent_class)->query(bsrc, query);
}

// Nothing for BaseSrc to sync: paced audio waits for each period's start
// in create() itself (wait_for_period()), and the rest is pushed as soon as
// it is there.
static void gst_gemini_live_src_get_times(GstBaseSrc*, GstBuffer*, GstClockTime* start, GstClockTime* end) {
  *start = *end = GST_CLOCK_TIME_NONE;
}

// Before the base time (just after PLAYING), the stream's start.
static GstClockTime running_time_now(GstGeminiLiveSrc* self) {
  GstClock* clock = gst_element_get_clock(GST_ELEMENT(self));
  if (!clock) return GST_CLOCK_TIME_NONE;
  gst_object_unref(clock);
  const GstClockTime now = plugin::running_time_now(GST_ELEMENT(self));
  return GST_CLOCK_TIME_IS_VALID(now) ? now : 0;
}

// The ERROR message once, then GST_FLOW_ERROR.
static GstFlowReturn stream_error(GstGeminiLiveSrc* self) {
  SrcPrivate* priv = self->priv;
  if (!priv->error_posted) {
    priv->error_posted = true;
    if (auto error = priv->queue->error()) plugin::post_session_error(GST_ELEMENT(self), *error);
  }
  return GST_FLOW_ERROR;
}

// Whether the stream stops here (and with what) rather than output data:
// flushing, the session's error, or EOS once everything has been output.
static bool stream_stops(GstGeminiLiveSrc* self, ReplyQueue::Status status, GstFlowReturn* ret) {
  switch (status) {
    case ReplyQueue::Status::Flushing:
      *ret = GST_FLOW_FLUSHING;
      return true;
    case ReplyQueue::Status::Failed:
      *ret = stream_error(self);
      return true;
    case ReplyQueue::Status::Finished:
      GST_INFO_OBJECT(self, "the answer is complete: EOS");
      *ret = GST_FLOW_EOS;
      return true;
    case ReplyQueue::Status::Data:
    case ReplyQueue::Status::Timeout:  // paced audio: silence
      break;
  }
  return false;
}

// Audio PCM in a buffer stamped from the sample count.
static GstBuffer* audio_buffer(GstGeminiLiveSrc* self, const std::string& pcm, gsize size, GstClockTime base) {
  SrcPrivate* priv = self->priv;
  GstBuffer* buffer = gst_buffer_new_allocate(nullptr, size, nullptr);
  gst_buffer_fill(buffer, 0, pcm.data(), pcm.size());
  if (pcm.size() < size) gst_buffer_memset(buffer, pcm.size(), 0, size - pcm.size());
  const guint64 samples = size / kBytesPerSample;
  const GstClockTime pts = base + gst_util_uint64_scale_int(priv->samples, GST_SECOND, kReplyRate);
  const GstClockTime next = base + gst_util_uint64_scale_int(priv->samples + samples, GST_SECOND, kReplyRate);
  GST_BUFFER_PTS(buffer) = pts;
  GST_BUFFER_DURATION(buffer) = next - pts;
  GST_BUFFER_OFFSET(buffer) = priv->samples;
  GST_BUFFER_OFFSET_END(buffer) = priv->samples + samples;
  if (priv->samples == 0) GST_BUFFER_FLAG_SET(buffer, GST_BUFFER_FLAG_DISCONT);
  priv->samples += samples;
  return buffer;
}

// Waits on the clock for the start of the period that begins at `pts` (the
// stream's running time). The answer is taken only then: an `interrupted`
// that comes during the wait silences this very period. unlock() ends the
// wait.
static void wait_for_period(GstGeminiLiveSrc* self, GstClockTime pts) {
  SrcPrivate* priv = self->priv;
  GstClock* clock = gst_element_get_clock(GST_ELEMENT(self));
  if (!clock) return;
  GST_OBJECT_LOCK(self);
  GstClockID id = gst_clock_new_single_shot_id(clock, GST_ELEMENT(self)->base_time + pts);
  priv->period_wait = id;
  GST_OBJECT_UNLOCK(self);
  // After period_wait is set: an unlock() from here on unschedules it.
  if (priv->queue->poll() != ReplyQueue::Status::Flushing) gst_clock_id_wait(id, nullptr);
  GST_OBJECT_LOCK(self);
  priv->period_wait = nullptr;
  GST_OBJECT_UNLOCK(self);
  gst_clock_id_unref(id);
  gst_object_unref(clock);
}

// One period, taken at its start: the answer's audio, or silence. Periods
// follow each other from the running time of the first.
static GstFlowReturn create_paced(GstGeminiLiveSrc* self, GstBuffer** out) {
  SrcPrivate* priv = self->priv;
  if (!GST_CLOCK_TIME_IS_VALID(priv->first_ts)) {
    priv->first_ts = running_time_now(self);
    if (!GST_CLOCK_TIME_IS_VALID(priv->first_ts)) priv->first_ts = 0;
  }
  wait_for_period(self, priv->first_ts + gst_util_uint64_scale_int(priv->samples, GST_SECOND, kReplyRate));
  GstFlowReturn ret;
  if (stream_stops(self, priv->queue->poll(), &ret)) return ret;
  const gsize size = priv->period_samples * kBytesPerSample;
  ReplyQueue::AudioTurns turns;
  const std::string pcm = priv->queue->take_audio(size, &turns);
  priv->latency->audio_taken(turns, pcm.size(), size);
  *out = audio_buffer(self, pcm, size, priv->first_ts);
  if (pcm.empty()) GST_BUFFER_FLAG_SET(*out, GST_BUFFER_FLAG_GAP);
  return GST_FLOW_OK;
}

// The answer's audio as it arrives, stamped contiguously from the running
// time of the first buffer.
static GstFlowReturn create_raw(GstGeminiLiveSrc* self, GstBuffer** out) {
  SrcPrivate* priv = self->priv;
  GstFlowReturn ret;
  if (stream_stops(self, priv->queue->wait(), &ret)) return ret;
  ReplyQueue::AudioTurns turns;
  std::string pcm = priv->queue->take_audio(kMaxRawBytes, &turns);
  pcm.resize(pcm.size() - pcm.size() % kBytesPerSample);      // the service sends whole samples
  priv->latency->audio_taken(turns, pcm.size(), pcm.size());  // no silence: it waits for audio
  if (pcm.empty()) return GST_FLOW_FLUSHING;
  if (!GST_CLOCK_TIME_IS_VALID(priv->first_ts)) {
    priv->first_ts = running_time_now(self);
    if (!GST_CLOCK_TIME_IS_VALID(priv->first_ts)) priv->first_ts = 0;
  }
  *out = audio_buffer(self, pcm, pcm.size(), priv->first_ts);
  return GST_FLOW_OK;
}

// A GAP event from the end of the last output up to now, so that downstream
// knows nothing is missing.
static void push_gap(GstGeminiLiveSrc* self) {
  SrcPrivate* priv = self->priv;
  const GstClockTime now = running_time_now(self);
  if (!GST_CLOCK_TIME_IS_VALID(now) || now <= priv->position) return;
  GstPad* pad = GST_BASE_SRC_PAD(self);
  if (!priv->segment_pushed) {
    // BaseSrc sends its segment with the first buffer; a GAP before it needs
    // one too (the same).
    GST_OBJECT_LOCK(self);
    GstSegment segment = GST_BASE_SRC(self)->segment;
    GST_OBJECT_UNLOCK(self);
    gst_pad_push_event(pad, gst_event_new_segment(&segment));
    priv->segment_pushed = true;
  }
  GST_LOG_OBJECT(self, "gap %" GST_TIME_FORMAT " + %" GST_TIME_FORMAT, GST_TIME_ARGS(priv->position),
                 GST_TIME_ARGS(now - priv->position));
  gst_pad_push_event(pad, gst_event_new_gap(priv->position, now - priv->position));
  priv->position = now;
}

// One text fragment, stamped with the running time it arrived at; GAP events
// while there is none.
static GstFlowReturn create_text(GstGeminiLiveSrc* self, GstBuffer** out) {
  SrcPrivate* priv = self->priv;
  if (!GST_CLOCK_TIME_IS_VALID(priv->position)) {
    priv->position = running_time_now(self);
    if (!GST_CLOCK_TIME_IS_VALID(priv->position)) priv->position = 0;
  }
  for (;;) {
    const ReplyQueue::Status status = priv->queue->wait(std::chrono::steady_clock::now() + kGapInterval);
    if (status == ReplyQueue::Status::Timeout) {
      push_gap(self);
      continue;
    }
    GstFlowReturn ret;
    if (stream_stops(self, status, &ret)) return ret;
    auto text = priv->queue->take_text();
    if (!text) continue;
    GstClockTime ts = running_time_now(self);
    if (!GST_CLOCK_TIME_IS_VALID(ts) || ts < priv->position) ts = priv->position;
    GstBuffer* buffer = gst_buffer_new_allocate(nullptr, text->size(), nullptr);
    gst_buffer_fill(buffer, 0, text->data(), text->size());
    GST_BUFFER_PTS(buffer) = ts;
    priv->position = ts;
    GST_LOG_OBJECT(self, "text at %" GST_TIME_FORMAT ": %zu bytes", GST_TIME_ARGS(ts), text->size());
    *out = buffer;
    return GST_FLOW_OK;
  }
}

static GstFlowReturn gst_gemini_live_src_create(GstPushSrc* psrc, GstBuffer** buf) {
  auto* self = GST_GEMINI_LIVE_SRC(psrc);
  if (self->priv->running_stream != STREAM_AUDIO) return create_text(self, buf);
  return self->priv->running_paced ? create_paced(self, buf) : create_raw(self, buf);
}

// An EOS sent to the pipeline (gst-launch-1.0 -e, an application ending a
// recording) reaches geminilivesink's inputs too, which ends the session's
// input; the answer to it is still to come. So while a session runs on the
// channel the source ends after that answer, as it would without the event.
static gboolean gst_gemini_live_src_send_event(GstElement* element, GstEvent* event) {
  auto* self = GST_GEMINI_LIVE_SRC(element);
  SrcPrivate* priv = self->priv;
  // An application thread: the state thread may be starting or stopping.
  GST_OBJECT_LOCK(self);
  std::shared_ptr<session::Channel> channel = priv->channel;
  std::shared_ptr<SrcTap> tap = priv->tap;
  GST_OBJECT_UNLOCK(self);
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS && channel && tap && tap->end_after_answer(*channel)) {
    GST_INFO_OBJECT(self, "EOS requested: ending after the session's answer");
    gst_event_unref(event);
    return TRUE;
  }
  return GST_ELEMENT_CLASS(parent_class)->send_event(element, event);
}
