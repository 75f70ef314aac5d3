// SPDX-License-Identifier: LGPL-2.1-or-later
/**
 * SECTION:element-geminilivechangegate
 * @title: geminilivechangegate
 *
 * A raw-video filter for the place before `jpegenc` in front of a
 * geminilivesink: it passes a frame only when the picture changed, so a
 * still screen costs one frame instead of one a second. Every frame sent
 * counts toward the model's context and the bill; the frames dropped here
 * are also never encoded.
 *
 * It passes the first frame. For each frame it averages the luma over a
 * grid of 64×36 cells (fewer on a picture smaller than that) and compares
 * it with the grid of the last frame it passed: a cell changed when its
 * mean differs by more than #GstGeminiLiveChangeGate:tolerance levels. The
 * frame passes at once when more than #GstGeminiLiveChangeGate:threshold of
 * the cells changed (a scroll, a new window, a video). A smaller change,
 * down to one cell (a typed character), passes once it has stayed for
 * #GstGeminiLiveChangeGate:settle seconds, seen on consecutive frames. A
 * change that comes and goes in place never passes: a cell seen coming back
 * to its earlier value (a blinking caret, thin or block, at any blink rate)
 * is a caret cell, and its two values are no change until it has held one
 * for 3 s. A still screen passes again after
 * #GstGeminiLiveChangeGate:keepalive seconds, and no frame passes sooner
 * than 1/#GstGeminiLiveChangeGate:max-fps after the last one (a change held
 * back that way passes with the next frame allowed, as long as it is still
 * on screen). Time is the frames' running time (their PTS).
 *
 * The element only passes or drops buffers: a frame passed is the input
 * buffer, timestamps and all. For each frame dropped it pushes a GAP event
 * with that frame's PTS and duration (one frame of the caps' rate when the
 * buffer has none; none for a frame without a PTS), so that time goes on
 * downstream through a still screen: an aggregator right behind the gate
 * (compositor, for one) advances instead of waiting for the next
 * frame passed. geminilivesink sends nothing for a GAP. A video encoder
 * (GstVideoEncoder, jpegenc included) holds serialized events until its next
 * frame, and matroskamux does not go on past GAPs on a video track: behind
 * those the stream waits for the next frame passed.
 *
 * At EOS, and when the application emits the `post-stats` action signal, it
 * posts an element message `geminilive/change-gate` with the counts since
 * it started: `frames-in`, `frames-passed`, `frames-unchanged` (dropped as
 * unchanged) and `frames-over-rate` (changed, but dropped for max-fps), all
 * #guint64.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 ximagesrc use-damage=false ! videoconvert ! videorate ! video/x-raw,framerate=2/1 ! \
 *     geminilivechangegate ! videoscale ! video/x-raw,width=1024,height=576 ! jpegenc ! queue ! geminilivesink
 * ]| Shows the model the X11 screen when it changes, at most a frame a second.
 */
#include "gstgeminilivechangegate.h"

#include <gst/video/video.h>

#include <atomic>
#include <cmath>
#include <mutex>

#include "change_detector.h"
#include "elements.h"

GST_DEBUG_CATEGORY_STATIC(gst_gemini_live_change_gate_debug);
#define GST_CAT_DEFAULT gst_gemini_live_change_gate_debug

namespace {

namespace plugin = geminilive::plugin;
using plugin::Verdict;

constexpr double kDefaultThreshold = 0.005;
constexpr guint kDefaultTolerance = 3;
constexpr double kDefaultSettle = 0.5;
constexpr double kMaxSettle = 60.0;
constexpr double kDefaultKeepalive = 60.0;
constexpr double kDefaultMaxFps = 1.0;
constexpr double kMaxKeepalive = 24 * 3600.0;
constexpr double kMaxMaxFps = 1000.0;

enum { PROP_0, PROP_THRESHOLD, PROP_TOLERANCE, PROP_SETTLE, PROP_KEEPALIVE, PROP_MAX_FPS };

/* *INDENT-OFF* */

struct GatePrivate {
  // Properties (object lock).
  double threshold = kDefaultThreshold;
  guint tolerance = kDefaultTolerance;
  double settle = kDefaultSettle;
  double keepalive = kDefaultKeepalive;
  double max_fps = kDefaultMaxFps;

  // The decision: streaming thread, and flush-stop / start.
  std::mutex gate_mutex;
  plugin::ChangeGate gate;

  // Counts since start (read by post-stats from any thread).
  std::atomic<guint64> in{0};
  std::atomic<guint64> passed{0};
  std::atomic<guint64> unchanged{0};
  std::atomic<guint64> over_rate{0};
};

/* *INDENT-ON* */

}  // namespace

struct _GstGeminiLiveChangeGate {
  GstVideoFilter parent;
  GatePrivate* priv;
};

#define gst_gemini_live_change_gate_parent_class parent_class
G_DEFINE_TYPE(GstGeminiLiveChangeGate, gst_gemini_live_change_gate, GST_TYPE_VIDEO_FILTER)
GST_ELEMENT_REGISTER_DEFINE(geminilivechangegate, "geminilivechangegate", GST_RANK_NONE,
                            GST_TYPE_GEMINI_LIVE_CHANGE_GATE)

// Formats whose luma is one byte per pixel to read: a Y plane or component,
// GRAY8, or packed 8-bit RGB.
#define GATE_CAPS                                                                                   \
  GST_VIDEO_CAPS_MAKE(                                                                              \
      "{ I420, YV12, NV12, NV21, Y41B, Y42B, Y444, GRAY8, YUY2, UYVY, YVYU, RGB, BGR, RGBx, BGRx, " \
      "xRGB, xBGR, RGBA, BGRA, ARGB, ABGR }")

static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS(GATE_CAPS));
static GstStaticPadTemplate src_template =
    GST_STATIC_PAD_TEMPLATE("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS(GATE_CAPS));

static void gst_gemini_live_change_gate_finalize(GObject* object);
static void gst_gemini_live_change_gate_set_property(GObject* object, guint prop_id, const GValue* value,
                                                     GParamSpec* pspec);
static void gst_gemini_live_change_gate_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec);
static gboolean gst_gemini_live_change_gate_start(GstBaseTransform* trans);
static gboolean gst_gemini_live_change_gate_sink_event(GstBaseTransform* trans, GstEvent* event);
static gboolean gst_gemini_live_change_gate_set_info(GstVideoFilter* filter, GstCaps* incaps, GstVideoInfo* in_info,
                                                     GstCaps* outcaps, GstVideoInfo* out_info);
static GstFlowReturn gst_gemini_live_change_gate_transform_frame_ip(GstVideoFilter* filter, GstVideoFrame* frame);
static void gst_gemini_live_change_gate_post_stats(GstGeminiLiveChangeGate* self);

static void gst_gemini_live_change_gate_class_init(GstGeminiLiveChangeGateClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass* trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  GstVideoFilterClass* filter_class = GST_VIDEO_FILTER_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_gemini_live_change_gate_debug, "geminilivechangegate", 0, "Gemini Live change gate");

  gobject_class->finalize = gst_gemini_live_change_gate_finalize;
  gobject_class->set_property = gst_gemini_live_change_gate_set_property;
  gobject_class->get_property = gst_gemini_live_change_gate_get_property;

  const auto playing = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);

  /**
   * GstGeminiLiveChangeGate:threshold:
   *
   * A frame changed a lot (and passes at once) when more than this
   * fraction (0 to 1) of the grid's cells changed since the last frame
   * passed; 0: any cell. A smaller change waits for
   * #GstGeminiLiveChangeGate:settle.
   *
   * The default, 0.005, is more than 11 of the 2304 cells. At 1920×1080 a
   * cell is 30×30 pixels: a blinking caret touches 1 to 4 cells, a mouse
   * pointer that moved changes at most 8 (where it was and where it is), a
   * typed character 1 or 2: none of these passes at once. Scrolling, a new
   * window or a video does.
   */
  g_object_class_install_property(
      gobject_class, PROP_THRESHOLD,
      g_param_spec_double("threshold", "Threshold",
                          "Fraction of the picture's cells that must change for a frame to pass (0: any)", 0.0, 1.0,
                          kDefaultThreshold, playing));
  /**
   * GstGeminiLiveChangeGate:tolerance:
   *
   * How far, in luma levels of 255, a cell's mean may move and still count
   * as unchanged: sensor noise and compression artefacts average out over a
   * cell to less than the default, 3. It is low because a screen's pixels
   * are exact and a typed `;` differs from a thin caret in its cell by only
   * 3 or 4 levels (at 1280×720, 20×20 pixels a cell).
   */
  g_object_class_install_property(
      gobject_class, PROP_TOLERANCE,
      g_param_spec_uint("tolerance", "Tolerance", "Luma levels (of 255) a cell's mean may drift and still be unchanged",
                        0, 255, kDefaultTolerance, playing));
  /**
   * GstGeminiLiveChangeGate:settle:
   *
   * Seconds of running time a change of at most
   * #GstGeminiLiveChangeGate:threshold of the cells (down to one cell) must
   * stay on screen, seen on consecutive frames (two at least), before it
   * passes; 0: never (small changes then add up against the last frame
   * passed until they exceed the threshold).
   *
   * The default, 0.5, is one capture interval at 2 frames a second: a
   * typed character passes on the second frame that shows it, within a
   * second of the keystroke, while a caret blinking 0.5 s on and 0.5 s off
   * shows on one frame only. A caret that stays longer on or off than
   * that is told by its coming back (see the element's description).
   */
  g_object_class_install_property(
      gobject_class, PROP_SETTLE,
      g_param_spec_double("settle", "Settle",
                          "Seconds a change below the threshold must stay on screen before it passes (0: never)", 0.0,
                          kMaxSettle, kDefaultSettle, playing));
  /**
   * GstGeminiLiveChangeGate:keepalive:
   *
   * Seconds of running time after the last frame passed when a still
   * picture passes again, so the model knows the screen is still there;
   * 0: never.
   *
   * The default, 60: the model keeps the last frame in its context, and
   * every change that stays passes within a second by itself, so a repeat
   * of a still screen tells the model nothing new; once a minute keeps its
   * picture fresh through a long talk for 1/60 of what one a second costs.
   */
  g_object_class_install_property(
      gobject_class, PROP_KEEPALIVE,
      g_param_spec_double("keepalive", "Keepalive",
                          "Seconds after the last frame passed when an unchanged frame passes again (0: never)", 0.0,
                          kMaxKeepalive, kDefaultKeepalive, playing));
  /**
   * GstGeminiLiveChangeGate:max-fps:
   *
   * The most frames per second of running time it passes, however much the
   * picture changes (continuous motion passes at this rate); 0: no limit.
   * The default, 1, is what geminilivesink sends at most by default.
   */
  g_object_class_install_property(
      gobject_class, PROP_MAX_FPS,
      g_param_spec_double("max-fps", "Max fps", "Most frames per second passed (0: no limit)", 0.0, kMaxMaxFps,
                          kDefaultMaxFps, playing));

  /**
   * GstGeminiLiveChangeGate::post-stats:
   * @gate: the #GstGeminiLiveChangeGate
   *
   * Posts the `geminilive/change-gate` element message with the counts so
   * far (it is also posted at EOS).
   */
  g_signal_new_class_handler(
      "post-stats", G_TYPE_FROM_CLASS(klass), static_cast<GSignalFlags>(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK(gst_gemini_live_change_gate_post_stats), nullptr, nullptr, nullptr, G_TYPE_NONE, 0);

  gst_element_class_add_static_pad_template(element_class, &sink_template);
  gst_element_class_add_static_pad_template(element_class, &src_template);
  gst_element_class_set_static_metadata(
      element_class, "Gemini Live change gate", "Filter/Video",
      "Passes a video frame only when the picture changed (or is due again), at most max-fps", "geminilive");

  trans_class->start = GST_DEBUG_FUNCPTR(gst_gemini_live_change_gate_start);
  trans_class->sink_event = GST_DEBUG_FUNCPTR(gst_gemini_live_change_gate_sink_event);
  trans_class->passthrough_on_same_caps = TRUE;
  trans_class->transform_ip_on_passthrough = TRUE;
  filter_class->set_info = GST_DEBUG_FUNCPTR(gst_gemini_live_change_gate_set_info);
  filter_class->transform_frame_ip = GST_DEBUG_FUNCPTR(gst_gemini_live_change_gate_transform_frame_ip);
}

static void gst_gemini_live_change_gate_init(GstGeminiLiveChangeGate* self) {
  self->priv = new GatePrivate();
  gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), TRUE);
  // Every frame is judged here: QoS must not drop frames before the gate sees them.
  gst_base_transform_set_qos_enabled(GST_BASE_TRANSFORM(self), FALSE);
}

static void gst_gemini_live_change_gate_finalize(GObject* object) {
  auto* self = GST_GEMINI_LIVE_CHANGE_GATE(object);
  delete self->priv;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

static void gst_gemini_live_change_gate_set_property(GObject* object, guint prop_id, const GValue* value,
                                                     GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_CHANGE_GATE(object);
  GatePrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_THRESHOLD:
      priv->threshold = g_value_get_double(value);
      break;
    case PROP_TOLERANCE:
      priv->tolerance = g_value_get_uint(value);
      break;
    case PROP_SETTLE:
      priv->settle = g_value_get_double(value);
      break;
    case PROP_KEEPALIVE:
      priv->keepalive = g_value_get_double(value);
      break;
    case PROP_MAX_FPS:
      priv->max_fps = g_value_get_double(value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_gemini_live_change_gate_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_CHANGE_GATE(object);
  GatePrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_THRESHOLD:
      g_value_set_double(value, priv->threshold);
      break;
    case PROP_TOLERANCE:
      g_value_set_uint(value, priv->tolerance);
      break;
    case PROP_SETTLE:
      g_value_set_double(value, priv->settle);
      break;
    case PROP_KEEPALIVE:
      g_value_set_double(value, priv->keepalive);
      break;
    case PROP_MAX_FPS:
      g_value_set_double(value, priv->max_fps);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_gemini_live_change_gate_post_stats(GstGeminiLiveChangeGate* self) {
  GatePrivate* priv = self->priv;
  GstStructure* s =
      gst_structure_new("geminilive/change-gate", "frames-in", G_TYPE_UINT64, priv->in.load(), "frames-passed",
                        G_TYPE_UINT64, priv->passed.load(), "frames-unchanged", G_TYPE_UINT64, priv->unchanged.load(),
                        "frames-over-rate", G_TYPE_UINT64, priv->over_rate.load(), nullptr);
  GST_DEBUG_OBJECT(self, "stats: %" GST_PTR_FORMAT, s);
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

// READY→PAUSED: the counts and the last frame start over.
static gboolean gst_gemini_live_change_gate_start(GstBaseTransform* trans) {
  GatePrivate* priv = GST_GEMINI_LIVE_CHANGE_GATE(trans)->priv;
  {
    std::lock_guard<std::mutex> lock(priv->gate_mutex);
    priv->gate.reset();
  }
  priv->in = 0;
  priv->passed = 0;
  priv->unchanged = 0;
  priv->over_rate = 0;
  return TRUE;
}

static gboolean gst_gemini_live_change_gate_sink_event(GstBaseTransform* trans, GstEvent* event) {
  auto* self = GST_GEMINI_LIVE_CHANGE_GATE(trans);
  switch (GST_EVENT_TYPE(event)) {
    case GST_EVENT_FLUSH_STOP: {
      // After a seek or flush the first frame passes again; the counts go on.
      std::lock_guard<std::mutex> lock(self->priv->gate_mutex);
      self->priv->gate.reset();
      break;
    }
    case GST_EVENT_EOS:
      gst_gemini_live_change_gate_post_stats(self);
      break;
    default:
      break;
  }
  return GST_BASE_TRANSFORM_CLASS(parent_class)->sink_event(trans, event);
}

static gboolean gst_gemini_live_change_gate_set_info(GstVideoFilter* filter, GstCaps*, GstVideoInfo* in_info, GstCaps*,
                                                     GstVideoInfo*) {
  auto* self = GST_GEMINI_LIVE_CHANGE_GATE(filter);
  GST_DEBUG_OBJECT(self, "%s %dx%d: the next frame passes as the first", GST_VIDEO_INFO_NAME(in_info),
                   GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info));
  std::lock_guard<std::mutex> lock(self->priv->gate_mutex);
  self->priv->gate.reset();
  return TRUE;
}

// Where the frame's luma is: the Y component, or R, G and B.
static plugin::LumaView luma_view(const GstVideoFrame* frame) {
  plugin::LumaView v;
  v.width = GST_VIDEO_FRAME_WIDTH(frame);
  v.height = GST_VIDEO_FRAME_HEIGHT(frame);
  if (GST_VIDEO_FORMAT_INFO_IS_RGB(frame->info.finfo)) {
    v.r = static_cast<const uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(frame, GST_VIDEO_COMP_R));
    v.g = static_cast<const uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(frame, GST_VIDEO_COMP_G));
    v.b = static_cast<const uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(frame, GST_VIDEO_COMP_B));
    v.row_stride = GST_VIDEO_FRAME_COMP_STRIDE(frame, GST_VIDEO_COMP_R);
    v.pixel_stride = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, GST_VIDEO_COMP_R);
  } else {
    v.y = static_cast<const uint8_t*>(GST_VIDEO_FRAME_COMP_DATA(frame, GST_VIDEO_COMP_Y));
    v.row_stride = GST_VIDEO_FRAME_COMP_STRIDE(frame, GST_VIDEO_COMP_Y);
    v.pixel_stride = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, GST_VIDEO_COMP_Y);
  }
  return v;
}

static const char* verdict_name(Verdict v) {
  static const char* const names[] = {"passes: first",     "passes: changed",    "passes: small change stayed",
                                      "passes: keepalive", "dropped: unchanged", "dropped: over max-fps"};
  return names[static_cast<int>(v)];
}

// A dropped frame becomes a GAP event over the time it covered, so that
// downstream time still advances: an aggregator waiting for this stream's
// next data goes on instead of waiting for the next frame passed, which on a
// still screen is the keepalive.
static void push_gap_for(GstGeminiLiveChangeGate* self, const GstVideoFrame* frame) {
  const GstClockTime pts = GST_BUFFER_PTS(frame->buffer);
  if (!GST_CLOCK_TIME_IS_VALID(pts)) return;  // a GAP needs a time
  GstClockTime duration = GST_BUFFER_DURATION(frame->buffer);
  const GstVideoInfo* info = &frame->info;
  if (!GST_CLOCK_TIME_IS_VALID(duration) && GST_VIDEO_INFO_FPS_N(info) > 0)
    duration = gst_util_uint64_scale_int(GST_SECOND, GST_VIDEO_INFO_FPS_D(info), GST_VIDEO_INFO_FPS_N(info));
  GST_LOG_OBJECT(self, "gap at %" GST_TIME_FORMAT " for %" GST_TIME_FORMAT, GST_TIME_ARGS(pts),
                 GST_TIME_ARGS(duration));
  gst_pad_push_event(GST_BASE_TRANSFORM_SRC_PAD(self), gst_event_new_gap(pts, duration));
}

static GstFlowReturn gst_gemini_live_change_gate_transform_frame_ip(GstVideoFilter* filter, GstVideoFrame* frame) {
  auto* self = GST_GEMINI_LIVE_CHANGE_GATE(filter);
  GatePrivate* priv = self->priv;
  GstBaseTransform* trans = GST_BASE_TRANSFORM(filter);

  plugin::GateSettings settings;
  GST_OBJECT_LOCK(self);
  settings.threshold = priv->threshold;
  settings.tolerance = static_cast<int>(priv->tolerance);
  settings.settle_ns = static_cast<int64_t>(std::llround(priv->settle * GST_SECOND));
  settings.keepalive_ns = static_cast<int64_t>(std::llround(priv->keepalive * GST_SECOND));
  settings.min_interval_ns = priv->max_fps > 0 ? static_cast<int64_t>(std::llround(GST_SECOND / priv->max_fps)) : 0;
  GST_OBJECT_UNLOCK(self);

  const GstClockTime pts = GST_BUFFER_PTS(frame->buffer);
  GstClockTime running = GST_CLOCK_TIME_NONE;
  if (GST_CLOCK_TIME_IS_VALID(pts)) running = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, pts);
  const int64_t running_ns = GST_CLOCK_TIME_IS_VALID(running) ? static_cast<int64_t>(running) : -1;

  Verdict verdict;
  double fraction;
  int settled;
  {
    std::lock_guard<std::mutex> lock(priv->gate_mutex);
    verdict = priv->gate.decide(luma_view(frame), running_ns, settings);
    fraction = priv->gate.last_changed_fraction();
    settled = priv->gate.last_settled_cells();
  }
  ++priv->in;
  GST_LOG_OBJECT(self,
                 "frame at %" GST_TIME_FORMAT " (running %" GST_TIME_FORMAT "), %.4f of cells changed, %d stayed: %s",
                 GST_TIME_ARGS(pts), GST_TIME_ARGS(running), fraction, settled, verdict_name(verdict));
  switch (verdict) {
    case Verdict::kFirst:
    case Verdict::kChanged:
    case Verdict::kSettled:
    case Verdict::kKeepalive:
      ++priv->passed;
      return GST_FLOW_OK;
    case Verdict::kUnchanged:
      ++priv->unchanged;
      break;
    case Verdict::kOverRate:
      ++priv->over_rate;
      break;
  }
  push_gap_for(self, frame);
  return GST_BASE_TRANSFORM_FLOW_DROPPED;
}
