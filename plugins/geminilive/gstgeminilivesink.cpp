// SPDX-License-Identifier: LGPL-2.1-or-later
/**
 * SECTION:element-geminilivesink
 * @title: geminilivesink
 *
 * Sends audio, video frames and text to a Gemini Live session, and owns that
 * session: it holds its configuration (model, voice, system instruction,
 * ...), connects on READY→PAUSED and posts what the service says as
 * `geminilive/…` element messages. geminilivesrc elements with the same
 * #GstGeminiLiveSink:channel play or record the answers.
 *
 * Request pads:
 * - `audio`: S16LE mono PCM, 8000 to 48000 Hz (16000 is what the model hears
 *   natively), sent as `audio/pcm;rate=<rate>`;
 * - `video`: JPEG or PNG images, one frame per message, at most
 *   #GstGeminiLiveSink:max-video-fps frames per second;
 * - `text`: UTF-8 text, each buffer one realtime text message.
 *
 * When every linked pad has had EOS, the sink tells the service that the
 * input is over (audioStreamEnd when audio was linked), waits for the model's
 * turn to end (at most #GstGeminiLiveSink:eos-timeout), and then posts EOS;
 * the sources of the channel end after their last data.
 *
 * Functions declared in #GstGeminiLiveSink:tools may be called by the model:
 * each call is a #GstGeminiLiveSink::tool-call signal and a
 * `geminilive/tool-call` message, answered with
 * #GstGeminiLiveSink::send-tool-response; calls the service withdraws are
 * #GstGeminiLiveSink::tool-call-cancelled.
 *
 * The model (#GstGeminiLiveSink:model, gemini-3.8-live by default) decides
 * what the session may ask for: a setting the model refuses fails
 * READY→PAUSED with an error naming both. With #GstGeminiLiveSink:vad off
 * the application marks turns itself (push-to-talk) with
 * #GstGeminiLiveSink::activity-start and #GstGeminiLiveSink::activity-end.
 * #GstGeminiLiveSink:system-instruction and #GstGeminiLiveSink:tools may
 * change while PLAYING.
 *
 * The API key comes from #GstGeminiLiveSink:api-key or, when that is not
 * set, from the GEMINI_API_KEY (then GOOGLE_API_KEY) environment variable;
 * an ephemeral token (`auth_tokens/...`, minted by geminilive-token) goes
 * there too. #GstGeminiLiveSink:backend=vertex-ai takes an OAuth
 * #GstGeminiLiveSink:access-token (or GOOGLE_CLOUD_ACCESS_TOKEN, or
 * #GstGeminiLiveSink::need-access-token) with a #GstGeminiLiveSink:project.
 * A #GstGeminiLiveSink:uri naming only a host gets the path for the
 * credentials. Keys and tokens are never logged and cannot be read back.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 ximagesrc use-damage=false ! videoconvert ! videorate ! video/x-raw,framerate=1/1 ! \
 *     videoscale ! video/x-raw,width=1024,height=576 ! jpegenc ! geminilivesink name=s \
 *     pulsesrc ! audioconvert ! audioresample ! audio/x-raw,rate=16000,channels=1 ! s.audio \
 *     geminilivesrc ! audioconvert ! autoaudiosink
 * ]| Shares the screen and talks with the model, which answers aloud.
 * |[
 * gst-launch-1.0 filesrc location=question.wav ! wavparse ! audioconvert ! audioresample ! \
 *     audio/x-raw,rate=16000,channels=1 ! geminilivesink \
 *     geminilivesrc paced=false ! wavenc ! filesink location=answer.wav
 * ]| Answers a recorded question into a file, then stops.
 * |[
 * gst-launch-1.0 filesrc location=question.txt ! s.text geminilivesink name=s \
 *     geminilivesrc stream=text ! filesink location=answer.txt
 * ]| Answers a text question in text (the transcript of the spoken answer).
 */
#include "gstgeminilivesink.h"

#include <memory>
#include <string>
#include <utility>

#include "element_util.h"
#include "elements.h"
#include "errors.h"
#include "gstgeminiliveinputsink.h"
#include "protocol/setup.h"
#include "session/channel.h"
#include "session/endpoint.h"
#include "session/live_session.h"
#include "session/session_error.h"
#include "sink_access.h"
#include "sink_actions.h"
#include "sink_core.h"
#include "sink_settings.h"

GST_DEBUG_CATEGORY(gst_gemini_live_sink_debug);
#define GST_CAT_DEFAULT gst_gemini_live_sink_debug

namespace {

using geminilive::plugin::InputKind;
using geminilive::plugin::SinkCore;
using geminilive::plugin::SinkSettings;
namespace plugin = geminilive::plugin;
namespace protocol = geminilive::protocol;
namespace session = geminilive::session;

guint need_access_token_signal = 0;

struct SinkPrivate {
  SinkSettings settings;      // object lock
  std::string running_model;  // the model of the running session; object lock
  std::shared_ptr<SinkCore> core;
  std::shared_ptr<session::Channel> channel;  // while PAUSED or PLAYING
};

}  // namespace

struct _GstGeminiLiveSink {
  GstBin parent;
  SinkPrivate* priv;
};

#define gst_gemini_live_sink_parent_class parent_class
G_DEFINE_TYPE(GstGeminiLiveSink, gst_gemini_live_sink, GST_TYPE_BIN)
GST_ELEMENT_REGISTER_DEFINE(geminilivesink, "geminilivesink", GST_RANK_NONE, GST_TYPE_GEMINI_LIVE_SINK)

static GstStaticPadTemplate audio_template =
    GST_STATIC_PAD_TEMPLATE("audio", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS(GEMINILIVE_INPUT_AUDIO_CAPS));
static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE("video", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS(GEMINILIVE_IMAGE_CAPS));
static GstStaticPadTemplate text_template =
    GST_STATIC_PAD_TEMPLATE("text", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS(GEMINILIVE_TEXT_CAPS));

static void gst_gemini_live_sink_finalize(GObject* object);
static void gst_gemini_live_sink_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec);
static void gst_gemini_live_sink_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec);
static GstPad* gst_gemini_live_sink_request_new_pad(GstElement* element, GstPadTemplate* templ, const gchar* name,
                                                    const GstCaps* caps);
static void gst_gemini_live_sink_release_pad(GstElement* element, GstPad* pad);
static GstStateChangeReturn gst_gemini_live_sink_change_state(GstElement* element, GstStateChange transition);
static void gst_gemini_live_sink_handle_message(GstBin* bin, GstMessage* message);
static gboolean gst_gemini_live_sink_send_text(GstGeminiLiveSink* self, const gchar* text);
static gboolean gst_gemini_live_sink_activity_start(GstGeminiLiveSink* self);
static gboolean gst_gemini_live_sink_activity_end(GstGeminiLiveSink* self);
static gboolean gst_gemini_live_sink_send_content(GstGeminiLiveSink* self, const gchar* role, const gchar* text,
                                                  gboolean turn_complete);
static gboolean gst_gemini_live_sink_send_tool_response(GstGeminiLiveSink* self, const gchar* id, const gchar* name,
                                                        const gchar* response_json, const gchar* scheduling,
                                                        gboolean will_continue);

static void gst_gemini_live_sink_class_init(GstGeminiLiveSinkClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBinClass* bin_class = GST_BIN_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_gemini_live_sink_debug, "geminilivesink", 0, "Gemini Live sink");

  gobject_class->finalize = gst_gemini_live_sink_finalize;
  gobject_class->set_property = gst_gemini_live_sink_set_property;
  gobject_class->get_property = gst_gemini_live_sink_get_property;

  // The properties and their docs: sink_setting_rows.cpp.
  SinkSettings::install_properties(gobject_class, static_cast<GParamFlags>(GST_PARAM_MUTABLE_READY),
                                   static_cast<GParamFlags>(GST_PARAM_MUTABLE_PLAYING));
  for (const auto& row : plugin::sink_setting_rows())
    if (row.choices)
      gst_type_mark_as_plugin_api(SinkSettings::enum_type(*row.choices), static_cast<GstPluginAPIFlags>(0));

  const auto action = static_cast<GSignalFlags>(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION);
  /**
   * GstGeminiLiveSink::send-text:
   * @sink: the sink
   * @text: what to say
   *
   * Sends @text as realtime text, as if it had come on the text pad.
   *
   * Returns: %TRUE if it was queued: the sink is PAUSED or PLAYING and @text
   * is non-empty UTF-8.
   */
  g_signal_new_class_handler("send-text", G_TYPE_FROM_CLASS(klass), action, G_CALLBACK(gst_gemini_live_sink_send_text),
                             nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 1, G_TYPE_STRING);
  /**
   * GstGeminiLiveSink::activity-start:
   * @sink: the sink
   *
   * Push-to-talk: the user starts talking (`realtimeInput.activityStart`).
   * Only with #GstGeminiLiveSink:vad off; the audio sent until
   * #GstGeminiLiveSink::activity-end is the user's turn.
   *
   * Returns: %TRUE if it was queued; %FALSE, with a WARNING message, while
   * vad is on or when the session is not running.
   */
  g_signal_new_class_handler("activity-start", G_TYPE_FROM_CLASS(klass), action,
                             G_CALLBACK(gst_gemini_live_sink_activity_start), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN,
                             0);
  /**
   * GstGeminiLiveSink::activity-end:
   * @sink: the sink
   *
   * Push-to-talk: the user stopped talking (`realtimeInput.activityEnd`);
   * the model answers.
   *
   * Returns: %TRUE if it was queued; %FALSE, with a WARNING message, while
   * vad is on or when the session is not running.
   */
  g_signal_new_class_handler("activity-end", G_TYPE_FROM_CLASS(klass), action,
                             G_CALLBACK(gst_gemini_live_sink_activity_end), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN,
                             0);
  /**
   * GstGeminiLiveSink::send-content:
   * @sink: the sink
   * @role: "user" or "model" (NULL: "user")
   * @text: the turn's text
   * @turn_complete: %TRUE: the model answers now (and stops an answer under
   *   way); %FALSE: more content follows
   *
   * Adds a conversation turn (`clientContent`). Models that take turns only
   * as initial history (gemini-3.1-flash-live-preview: use
   * #GstGeminiLiveSink:history) refuse it.
   *
   * Returns: %TRUE if it was queued; %FALSE, with a WARNING message saying
   * why, otherwise.
   */
  g_signal_new_class_handler("send-content", G_TYPE_FROM_CLASS(klass), action,
                             G_CALLBACK(gst_gemini_live_sink_send_content), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN,
                             3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);
  /**
   * GstGeminiLiveSink::tool-call:
   * @sink: the sink
   * @id: the call's id, to give back to send-tool-response ("" when the
   *   service gave none)
   * @name: the function's name
   * @args_json: the arguments, a compact JSON object ("{}" when none)
   *
   * The model calls a function declared in #GstGeminiLiveSink:tools; emitted
   * once per call, on the session's thread, after the matching
   * `geminilive/tool-call` message is posted. Do not block in the handler,
   * nor change the element's state from it: answer with
   * #GstGeminiLiveSink::send-tool-response, from this or any other thread,
   * now or later, within #GstGeminiLiveSink:tool-timeout.
   */
  plugin::sink_signals[plugin::SIGNAL_TOOL_CALL] =
      g_signal_new("tool-call", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, nullptr, nullptr, nullptr, G_TYPE_NONE,
                   3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstGeminiLiveSink::tool-call-cancelled:
   * @sink: the sink
   * @id: the id of the call the service withdrew
   *
   * The service no longer wants the call answered (the user cut in);
   * emitted once per id after the `geminilive/tool-call-cancelled` message.
   * A response sent for it later is dropped.
   */
  plugin::sink_signals[plugin::SIGNAL_TOOL_CALL_CANCELLED] =
      g_signal_new("tool-call-cancelled", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, nullptr, nullptr, nullptr,
                   G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * GstGeminiLiveSink::send-tool-response:
   * @sink: the sink
   * @id: the id of the call answered (from #GstGeminiLiveSink::tool-call)
   * @name: the function's name
   * @response_json: the result, a JSON object: `{"output": ...}` or
   *   `{"error": ...}` by convention
   * @scheduling: for NON_BLOCKING functions, what the model does with the
   *   result: "silent" (takes it in, says nothing), "when-idle" (speaks
   *   after what it is saying), "interrupt" (speaks now); NULL: the
   *   service's default (when-idle)
   * @will_continue: %TRUE: more responses to this call follow; the call
   *   stays open until one with %FALSE
   *
   * Sends `{"toolResponse":{"functionResponses":[{"id","name","response",
   * "scheduling","willContinue"}]}}`. Any thread.
   *
   * Returns: %TRUE if it was queued; %FALSE, with a WARNING message saying
   * why, when @response_json is not a JSON object, @name is empty,
   * @scheduling is unknown, or the session is not running; %FALSE quietly
   * when the call was cancelled or already answered by the tool timeout.
   */
  g_signal_new_class_handler("send-tool-response", G_TYPE_FROM_CLASS(klass), action,
                             G_CALLBACK(gst_gemini_live_sink_send_tool_response), nullptr, nullptr, nullptr,
                             G_TYPE_BOOLEAN, 5, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                             G_TYPE_BOOLEAN);

  /**
   * GstGeminiLiveSink::need-access-token:
   * @sink: the sink
   *
   * Asks for the OAuth access token of the next connection
   * (backend=vertex-ai): emitted before each connection opens, the first and
   * every reconnection, on the session's network thread. Return a fresh
   * token quickly (one refreshed ahead of time, not fetched over the network
   * in the handler), or %NULL to keep #GstGeminiLiveSink:access-token.
   * Connect before READY→PAUSED. A handler takes precedence over
   * Application Default Credentials, which the sink uses only without one.
   *
   * Returns: (transfer full) (nullable): the token
   */
  need_access_token_signal = g_signal_new("need-access-token", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                          g_signal_accumulator_first_wins, nullptr, nullptr, G_TYPE_STRING, 0);

  gst_element_class_add_static_pad_template(element_class, &audio_template);
  gst_element_class_add_static_pad_template(element_class, &video_template);
  gst_element_class_add_static_pad_template(element_class, &text_template);
  gst_element_class_set_static_metadata(element_class, "Gemini Live sink", "Sink/Network",
                                        "Talks to a Gemini Live session: sends audio, video frames and text",
                                        "geminilive");

  element_class->request_new_pad = GST_DEBUG_FUNCPTR(gst_gemini_live_sink_request_new_pad);
  element_class->release_pad = GST_DEBUG_FUNCPTR(gst_gemini_live_sink_release_pad);
  element_class->change_state = GST_DEBUG_FUNCPTR(gst_gemini_live_sink_change_state);
  bin_class->handle_message = GST_DEBUG_FUNCPTR(gst_gemini_live_sink_handle_message);
}

static void gst_gemini_live_sink_init(GstGeminiLiveSink* self) {
  self->priv = new SinkPrivate();
  SinkSettings& s = self->priv->settings;
  s.set("api-key", session::api_key_from_environment());
  s.set("access-token", plugin::env_access_token());
  self->priv->core = std::make_shared<SinkCore>(GST_ELEMENT(self));
  self->priv->core->set_max_video_fps(s.get_double("max-video-fps"));
  self->priv->core->set_max_frame_size(s.get_uint("max-frame-size"));
  // A sink even before any pad is requested (GstBin sets it only for sink children).
  GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SINK);
}

static void gst_gemini_live_sink_finalize(GObject* object) {
  auto* self = GST_GEMINI_LIVE_SINK(object);
  delete self->priv;
  self->priv = nullptr;
  G_OBJECT_CLASS(parent_class)->finalize(object);
}

// Sets the boolean property `name` of every input.
static void set_on_inputs(GstGeminiLiveSink* self, const char* name, gboolean value) {
  struct Args {
    const char* name;
    gboolean value;
  } args{name, value};
  GstIterator* it = gst_bin_iterate_elements(GST_BIN(self));
  gst_iterator_foreach(
      it,
      [](const GValue* item, gpointer data) {
        const auto* a = static_cast<const Args*>(data);
        g_object_set(g_value_get_object(item), a->name, a->value, nullptr);
      },
      &args);
  gst_iterator_free(it);
}

static plugin::ActionContext action_context(GstGeminiLiveSink* self) {
  GST_OBJECT_LOCK(self);
  plugin::ActionContext c{GST_ELEMENT(self), self->priv->core.get(), self->priv->running_model,
                          self->priv->settings.get_bool("vad")};
  GST_OBJECT_UNLOCK(self);
  return c;
}

// system-instruction or tools changed: a running session takes the change.
static void change_context(GstGeminiLiveSink* self, const std::string& property, const std::string& value) {
  session::ContextChange change;
  if (property == "system-instruction") {
    change.system_instruction = protocol::Content::from_text(value, "user");
  } else {
    SinkSettings only_tools;
    only_tools.set("tools", value);
    auto config = only_tools.session_config("");
    if (!config) {
      plugin::post_warning(GST_ELEMENT(self), "The new tools were not applied: " + config.error());
      return;
    }
    change.tools = std::move(config.value().setup.tools);
  }
  plugin::update_context(action_context(self), std::move(change));
}

static void gst_gemini_live_sink_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_SINK(object);
  const plugin::SettingRow* row = SinkSettings::row(prop_id);
  if (!row) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    return;
  }
  SinkSettings& s = self->priv->settings;
  GST_OBJECT_LOCK(self);
  const plugin::SettingValue before = s.get(row->name);
  auto refused = s.set_property(prop_id, value);
  const plugin::SettingValue after = s.get(row->name);
  GST_OBJECT_UNLOCK(self);
  if (refused) {
    GST_WARNING_OBJECT(self, "%s was not changed: %s", row->name, refused->c_str());
    plugin::post_warning(GST_ELEMENT(self), *refused);
    return;
  }
  // The settings the element itself acts on.
  const std::string name = row->name;
  if (name == "max-video-fps")
    self->priv->core->set_max_video_fps(std::get<double>(after));
  else if (name == "max-frame-size")
    self->priv->core->set_max_frame_size(std::get<guint64>(after));
  else if (name == "sync" || name == "async")
    set_on_inputs(self, row->name, std::get<bool>(after));
  else if ((name == "system-instruction" || name == "tools") && before != after)
    change_context(self, name, std::get<std::string>(after));
}

static void gst_gemini_live_sink_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_SINK(object);
  if (!SinkSettings::row(prop_id)) {
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    return;
  }
  GST_OBJECT_LOCK(self);
  self->priv->settings.get_property(prop_id, value);
  GST_OBJECT_UNLOCK(self);
}

static GstPad* gst_gemini_live_sink_request_new_pad(GstElement* element, GstPadTemplate* templ, const gchar* name,
                                                    const GstCaps* caps) {
  auto* self = GST_GEMINI_LIVE_SINK(element);
  const char* template_name = GST_PAD_TEMPLATE_NAME_TEMPLATE(templ);
  InputKind kind;
  if (g_str_equal(template_name, "audio"))
    kind = InputKind::Audio;
  else if (g_str_equal(template_name, "video"))
    kind = InputKind::Video;
  else if (g_str_equal(template_name, "text"))
    kind = InputKind::Text;
  else
    return nullptr;
  if (self->priv->core->has_input(kind)) {
    GST_WARNING_OBJECT(self, "there is already a %s pad", template_name);
    return nullptr;
  }

  GstElement* input = gst_gemini_live_input_sink_new(kind, self->priv->core);
  GST_OBJECT_LOCK(self);
  const bool sync = self->priv->settings.get_bool("sync");
  // A pad added while running must not make the pipeline preroll again.
  const bool async = self->priv->settings.get_bool("async") && GST_STATE(self) <= GST_STATE_READY &&
                     GST_STATE_NEXT(self) != GST_STATE_PAUSED;
  GST_OBJECT_UNLOCK(self);
  g_object_set(input, "sync", sync, "async", async, nullptr);
  gst_bin_add(GST_BIN(self), input);

  GstPad* target = gst_element_get_static_pad(input, "sink");
  GstPad* ghost = gst_ghost_pad_new_from_template(template_name, target, templ);
  gst_object_unref(target);
  self->priv->core->add_input(input, ghost, kind);
  gst_element_add_pad(element, ghost);
  gst_element_sync_state_with_parent(input);
  GST_DEBUG_OBJECT(self, "added the %s pad", template_name);
  return ghost;
}

static void gst_gemini_live_sink_release_pad(GstElement* element, GstPad* pad) {
  auto* self = GST_GEMINI_LIVE_SINK(element);
  GST_DEBUG_OBJECT(self, "releasing %" GST_PTR_FORMAT, pad);
  GstElement* input = self->priv->core->remove_input(pad);
  gst_element_remove_pad(element, pad);
  if (input) {
    gst_element_set_locked_state(input, TRUE);
    gst_element_set_state(input, GST_STATE_NULL);
    // Unless the bin, being disposed, has dropped it already.
    if (GST_OBJECT_PARENT(input) == GST_OBJECT(self)) gst_bin_remove(GST_BIN(self), input);
    gst_object_unref(input);
  }
  // GstBin clears the flag when its last sink child goes.
  GST_OBJECT_FLAG_SET(self, GST_ELEMENT_FLAG_SINK);
}

// READY→PAUSED: check the settings against each other and the model, claim
// the channel and start connecting in the background.
static bool gst_gemini_live_sink_start(GstGeminiLiveSink* self) {
  SinkPrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  const SinkSettings settings = priv->settings;
  GST_OBJECT_UNLOCK(self);

  const std::string& key = settings.get_string("api-key");
  auto built = settings.session_config(key.empty() ? session::api_key_from_environment() : key);
  if (!built) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("%s", built.error().c_str()), (nullptr));
    return false;
  }
  session::SessionConfig config = std::move(built).value();
  if (auto adc_error = plugin::set_access_token_source(GST_ELEMENT(self), need_access_token_signal, config);
      !adc_error.empty()) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("%s", adc_error.c_str()), (nullptr));
    return false;
  }
  // The key, the endpoint, the CA file: a mistake fails the state change in
  // words, before anything connects.
  if (auto error = session::check_config(config)) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("%s", error->message.c_str()), (nullptr));
    return false;
  }

  const std::string& channel_name = settings.get_string("channel");
  auto channel = session::Channel::acquire(channel_name);
  if (!channel->claim_owner(self)) {
    GST_ELEMENT_ERROR(
        self, RESOURCE, BUSY,
        ("Another geminilivesink already uses channel \"%s\"; give each sink its own channel.", channel_name.c_str()),
        (nullptr));
    return false;
  }
  channel->add_tap(priv->core);
  priv->core->set_channel(channel);
  priv->channel = channel;
  GST_OBJECT_LOCK(self);
  priv->running_model = settings.get_string("model");
  GST_OBJECT_UNLOCK(self);

  // Without the query, where a token could be.
  const std::string shown_uri = session::shown_uri(session::session_endpoint(config).uri);
  g_autofree char* text = g_strdup_printf("Connecting to %s", shown_uri.c_str());
  priv->core->post_progress(GST_PROGRESS_TYPE_START, text);
  GST_INFO_OBJECT(self, "connecting to %s, model %s, channel %s", shown_uri.c_str(),
                  session::session_model_name(config).c_str(), channel_name.c_str());
  auto session = session::LiveSession::create(std::move(config), channel);
  priv->core->begin(session);
  session->start();
  return true;
}

// PAUSED→READY: close the session and leave the channel.
static void gst_gemini_live_sink_stop(GstGeminiLiveSink* self) {
  SinkPrivate* priv = self->priv;
  bool was_connecting = false;
  if (auto session = priv->core->end(&was_connecting)) session->stop();
  if (was_connecting) priv->core->post_progress(GST_PROGRESS_TYPE_CANCELED, "Stopped before the session was set up.");
  if (priv->channel) {
    priv->channel->remove_tap(priv->core.get());
    priv->channel->release_owner(self);
    priv->channel.reset();
  }
}

static GstStateChangeReturn gst_gemini_live_sink_change_state(GstElement* element, GstStateChange transition) {
  auto* self = GST_GEMINI_LIVE_SINK(element);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !gst_gemini_live_sink_start(self)) {
    gst_gemini_live_sink_stop(self);
    return GST_STATE_CHANGE_FAILURE;
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS(parent_class)->change_state(element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY ||
      (transition == GST_STATE_CHANGE_READY_TO_PAUSED && ret == GST_STATE_CHANGE_FAILURE))
    gst_gemini_live_sink_stop(self);
  return ret;
}

// The inputs' EOS messages stay inside: the sink posts its own once the
// model's answer is complete.
static void gst_gemini_live_sink_handle_message(GstBin* bin, GstMessage* message) {
  if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS && GST_MESSAGE_SRC(message) != GST_OBJECT(bin)) {
    GST_DEBUG_OBJECT(bin, "holding back the EOS of %" GST_PTR_FORMAT, GST_MESSAGE_SRC(message));
    gst_message_unref(message);
    return;
  }
  GST_BIN_CLASS(parent_class)->handle_message(bin, message);
}

static gboolean gst_gemini_live_sink_send_text(GstGeminiLiveSink* self, const gchar* text) {
  return plugin::send_text(action_context(self), text);
}

static gboolean gst_gemini_live_sink_activity_start(GstGeminiLiveSink* self) {
  return plugin::send_activity(action_context(self), true);
}

static gboolean gst_gemini_live_sink_activity_end(GstGeminiLiveSink* self) {
  return plugin::send_activity(action_context(self), false);
}

static gboolean gst_gemini_live_sink_send_content(GstGeminiLiveSink* self, const gchar* role, const gchar* text,
                                                  gboolean turn_complete) {
  return plugin::send_content(action_context(self), role, text, turn_complete);
}

static gboolean gst_gemini_live_sink_send_tool_response(GstGeminiLiveSink* self, const gchar* id, const gchar* name,
                                                        const gchar* response_json, const gchar* scheduling,
                                                        gboolean will_continue) {
  return plugin::send_tool_response(action_context(self), id, name, response_json, scheduling, will_continue);
}
