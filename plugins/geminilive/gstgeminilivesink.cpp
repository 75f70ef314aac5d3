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
 * #GstGeminiLiveSink::send-tool-response.
 *
 * The API key comes from #GstGeminiLiveSink:api-key or, when that is not
 * set, from the GEMINI_API_KEY (then GOOGLE_API_KEY) environment variable.
 * It is never logged and cannot be read back.
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
 * gst-launch-1.0 filesrc location=question.txt ! s.text geminilivesink name=s response-modality=text \
 *     geminilivesrc stream=text ! filesink location=answer.txt
 * ]| Answers a text question in text.
 */
#include "gstgeminilivesink.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bus_messages.h"
#include "elements.h"
#include "errors.h"
#include "gstgeminiliveinputsink.h"
#include "protocol/setup.h"
#include "session/channel.h"
#include "session/live_session.h"
#include "session/session_config.h"
#include "session/session_error.h"

GST_DEBUG_CATEGORY_STATIC(gst_gemini_live_sink_debug);
#define GST_CAT_DEFAULT gst_gemini_live_sink_debug

namespace {

using geminilive::plugin::InputHost;
using geminilive::plugin::InputKind;
namespace plugin = geminilive::plugin;
namespace protocol = geminilive::protocol;
namespace session = geminilive::session;

enum ResponseModality { MODALITY_AUDIO, MODALITY_TEXT };

constexpr char kDefaultChannel[] = "default";
constexpr double kDefaultMaxVideoFps = 1.0;
constexpr guint kDefaultEosTimeoutMs = 30000;
// Our choice: the service does not document its limit on a message.
constexpr guint64 kDefaultMaxFrameSize = 7 * 1024 * 1024;
constexpr char kHiddenKey[] = "***";

enum {
  PROP_0,
  PROP_CHANNEL,
  PROP_URI,
  PROP_API_KEY,
  PROP_MODEL,
  PROP_SYSTEM_INSTRUCTION,
  PROP_RESPONSE_MODALITY,
  PROP_VOICE,
  PROP_LANGUAGE_CODE,
  PROP_MAX_VIDEO_FPS,
  PROP_INPUT_TRANSCRIPTION,
  PROP_OUTPUT_TRANSCRIPTION,
  PROP_EOS_TIMEOUT,
  PROP_CA_FILE,
  PROP_SYNC,
  PROP_ASYNC,
  PROP_CONTEXT_COMPRESSION,
  PROP_COMPRESSION_TRIGGER_TOKENS,
  PROP_COMPRESSION_TARGET_TOKENS,
  PROP_MAX_FRAME_SIZE,
  // resilience
  PROP_SESSION_RESUMPTION,
  PROP_RECONNECT_ATTEMPTS,
  PROP_STALL_TIMEOUT,
  // function calling
  PROP_TOOLS,
};

// ---- function calling: the signals SinkCore emits ----
enum {
  SIGNAL_TOOL_CALL,
  LAST_SIGNAL,
};
guint sink_signals[LAST_SIGNAL];

std::string env_api_key() {
  for (const char* name : {"GEMINI_API_KEY", "GOOGLE_API_KEY"}) {
    const char* value = g_getenv(name);
    if (value && *value) return value;
  }
  return {};
}

std::string as_string(const GValue* value) {
  const char* s = g_value_get_string(value);
  return s ? s : "";
}

// A string property that is "not set" when empty.
const char* or_null(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

/* *INDENT-OFF* */

// The properties, under the object lock.
struct SinkSettings {
  std::string channel = kDefaultChannel;
  std::string uri = session::kDefaultUri;
  std::string api_key = env_api_key();
  std::string model = session::kDefaultModel;
  std::string system_instruction;
  ResponseModality modality = MODALITY_AUDIO;
  std::string voice;
  std::string language_code;
  double max_video_fps = kDefaultMaxVideoFps;
  bool input_transcription = true;
  bool output_transcription = true;
  guint eos_timeout_ms = kDefaultEosTimeoutMs;
  std::string ca_file;
  bool sync = true;
  bool async = false;
  bool context_compression = true;
  guint64 compression_trigger_tokens = 0;  // 0: the service's default
  guint64 compression_target_tokens = 0;   // 0: the service's default
  guint64 max_frame_size = kDefaultMaxFrameSize;
  // resilience
  bool session_resumption = true;
  guint reconnect_attempts = session::SessionConfig{}.max_reconnect_attempts;
  guint stall_timeout_ms = static_cast<guint>(session::SessionConfig{}.stall_timeout.count());
  // function calling
  std::string tools;  // inline JSON or a file name; see resolve_tools()
};

// ---- function calling: the tools property ----

// The declarations `tools` names: inline JSON when it begins with [ or {,
// else the file holding it. The error is the sentence for the user.
protocol::Expected<std::vector<protocol::Tool>> resolve_tools(const std::string& value) {
  const auto start = value.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return std::vector<protocol::Tool>{};
  if (value[start] == '[' || value[start] == '{') {
    auto tools = protocol::parse_tools_json(value);
    if (!tools) return protocol::Error{"The tools property is not valid function declarations: " + tools.error()};
    return tools;
  }
  g_autofree char* contents = nullptr;
  gsize length = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_file_get_contents(value.c_str(), &contents, &length, &error))
    return protocol::Error{"Cannot read the tools file: " + std::string(error->message)};
  auto tools = protocol::parse_tools_json(std::string_view(contents, length));
  if (!tools)
    return protocol::Error{"The tools file \"" + value + "\" does not hold valid function declarations: " +
                           tools.error()};
  return tools;
}

session::SessionConfig session_config(const SinkSettings& s, std::string api_key) {
  session::SessionConfig config;
  config.uri = s.uri;
  config.api_key = std::move(api_key);
  config.ca_file = s.ca_file;
  config.turn_end_timeout = std::chrono::milliseconds(s.eos_timeout_ms);
  // eos-timeout is the longest wait after the input ends, for a reply to
  // start as well.
  config.reply_start_timeout = std::min(config.reply_start_timeout, config.turn_end_timeout);
  config.resumption = s.session_resumption;
  config.max_reconnect_attempts = s.reconnect_attempts;
  config.stall_timeout = std::chrono::milliseconds(s.stall_timeout_ms);

  protocol::Setup& setup = config.setup;
  setup.model = protocol::model_resource_name(s.model);
  protocol::GenerationConfig generation;
  generation.response_modalities = {s.modality == MODALITY_TEXT ? "TEXT" : "AUDIO"};
  if (!s.voice.empty() || !s.language_code.empty()) {
    protocol::SpeechConfig speech;
    if (!s.voice.empty()) speech.voice_name = s.voice;
    if (!s.language_code.empty()) speech.language_code = s.language_code;
    generation.speech_config = std::move(speech);
  }
  setup.generation_config = std::move(generation);
  // What the SDKs send for a string instruction.
  if (!s.system_instruction.empty()) setup.system_instruction = protocol::Content::from_text(s.system_instruction, "user");
  if (s.input_transcription) setup.input_audio_transcription = protocol::AudioTranscriptionConfig{};
  // Only spoken answers have a transcript.
  if (s.output_transcription && s.modality == MODALITY_AUDIO)
    setup.output_audio_transcription = protocol::AudioTranscriptionConfig{};
  // Without it the service ends audio+video sessions after 2 minutes (audio
  // alone after 15). An empty slidingWindow lets the service choose.
  if (s.context_compression) {
    protocol::ContextWindowCompression compression;
    if (s.compression_trigger_tokens) compression.trigger_tokens = static_cast<int64_t>(s.compression_trigger_tokens);
    protocol::SlidingWindow window;
    if (s.compression_target_tokens) window.target_tokens = static_cast<int64_t>(s.compression_target_tokens);
    compression.sliding_window = window;
    setup.context_window_compression = std::move(compression);
  }
  return config;
}

// Everything geminilivesink shares with its inputs (as their InputHost) and
// with its channel (as a tap: bus messages, PROGRESS, errors, EOS).
class SinkCore final : public session::SessionObserver, public InputHost {
 public:
  explicit SinkCore(GstElement* sink) : sink_(sink) {}

  // ---- InputHost (streaming threads) ----
  std::shared_ptr<session::LiveSession> session() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return session_;
  }
  bool failed() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return failed_;
  }
  GstClockTime video_interval() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_video_fps_ > 0 ? static_cast<GstClockTime>(GST_SECOND / max_video_fps_) : 0;
  }
  guint64 max_frame_size() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return max_frame_size_;
  }
  void input_eos(GstElement* input, guint32 seqnum) override {
    std::unique_lock<std::mutex> lock(mutex_);
    for (auto& i : inputs_)
      if (i.element == input) i.eos = true;
    eos_seqnum_ = seqnum;
    GST_DEBUG_OBJECT(sink_, "EOS on %" GST_PTR_FORMAT, input);
    end_input_if_done(lock);
  }
  void input_flushed(GstElement* input) override {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& i : inputs_)
      if (i.element == input) i.eos = false;
  }

  // ---- SessionObserver (the session's thread) ----
  void on_state(session::SessionState state) override {
    GST_DEBUG_OBJECT(sink_, "session state %s", session::session_state_name(state));
    if (state == session::SessionState::Ready) {
      ready();
      return;
    }
    if (state != session::SessionState::Finished) return;
    std::unique_lock<std::mutex> lock(mutex_);
    finished_ = true;
    post_eos_if_done(lock);
  }
  void on_message(const protocol::ServerMessage& message) override {
    const GstClockTime running_time = running_time_now();
    for (GstStructure* s : plugin::server_message_structures(message, running_time)) {
      if (gst_structure_has_name(s, "geminilive/setup-complete")) {
        // Posted with Ready, which follows: from then on what is sent goes out.
        std::lock_guard<std::mutex> lock(mutex_);
        setup_complete_.reset(s);
        continue;
      }
      gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), s));
    }
    if (message.tool_call) emit_tool_calls(*message.tool_call);
  }
  void on_warning(const std::string& text) override { plugin::post_warning(sink_, text); }
  void on_reconnecting(const session::Reconnection& r) override {
    GST_WARNING_OBJECT(sink_, "reconnecting (attempt %u, in %" G_GINT64_FORMAT " ms): %s", r.attempt,
                       static_cast<gint64>(r.delay.count()), r.reason.c_str());
    gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), plugin::reconnecting_structure(r)));
  }
  void on_resumed(const session::Resumption& r) override {
    GST_INFO_OBJECT(sink_, "the session goes on over a new connection");
    gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), plugin::resumed_structure(r)));
  }
  void on_error(const session::SessionError& error) override {
    bool connecting;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      connecting = !connected_ && !failed_;
      failed_ = true;
    }
    if (connecting) post_progress(GST_PROGRESS_TYPE_ERROR, "Could not connect.");
    plugin::post_session_error(sink_, error);
  }

  // ---- geminilivesink ----
  // Holds a reference on `input` until remove_input(): a bin being disposed
  // drops its children before its request pads are released.
  void add_input(GstElement* input, GstPad* ghost, InputKind kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    inputs_.push_back({GST_ELEMENT(gst_object_ref(input)), ghost, kind, false});
  }
  // Returns the input behind `ghost` (null if none), with the reference.
  GstElement* remove_input(GstPad* ghost) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = std::find_if(inputs_.begin(), inputs_.end(), [&](const Input& i) { return i.ghost == ghost; });
    if (it == inputs_.end()) return nullptr;
    GstElement* input = it->element;
    inputs_.erase(it);
    // The pad that was still streaming may have been the last one.
    if (std::any_of(inputs_.begin(), inputs_.end(), [](const Input& i) { return i.eos; })) end_input_if_done(lock);
    return input;
  }
  bool has_input(InputKind kind) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::any_of(inputs_.begin(), inputs_.end(), [&](const Input& i) { return i.kind == kind; });
  }
  void set_max_video_fps(double fps) {
    std::lock_guard<std::mutex> lock(mutex_);
    max_video_fps_ = fps;
  }
  void set_max_frame_size(guint64 size) {
    std::lock_guard<std::mutex> lock(mutex_);
    max_frame_size_ = size;
  }

  // A new run: the session the inputs feed.
  void begin(std::shared_ptr<session::LiveSession> session) {
    std::lock_guard<std::mutex> lock(mutex_);
    session_ = std::move(session);
    setup_complete_.reset();
    for (auto& i : inputs_) i.eos = false;
    input_ended_ = finished_ = eos_posted_ = connected_ = failed_ = false;
    eos_seqnum_ = GST_SEQNUM_INVALID;
  }
  // The end of a run: returns the session for the caller to stop, and
  // whether it never connected.
  std::shared_ptr<session::LiveSession> end(bool* was_connecting) {
    std::lock_guard<std::mutex> lock(mutex_);
    *was_connecting = session_ && !connected_ && !failed_;
    return std::move(session_);
  }

  void post_progress(GstProgressType type, const char* text) {
    gst_element_post_message(sink_, gst_message_new_progress(GST_OBJECT(sink_), type, "connect", text));
  }

 private:
  using StructurePtr = std::unique_ptr<GstStructure, decltype(&gst_structure_free)>;
  struct Input {
    GstElement* element;
    GstPad* ghost;
    InputKind kind;
    bool eos;
  };

  // The session streams: the connection's PROGRESS COMPLETE and
  // geminilive/setup-complete, unless the run already ended.
  void ready() {
    StructurePtr message(nullptr, gst_structure_free);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!session_ || connected_) return;
      connected_ = true;
      message = std::move(setup_complete_);
    }
    post_progress(GST_PROGRESS_TYPE_COMPLETE, "Connected; the session is set up.");
    if (message) gst_element_post_message(sink_, gst_message_new_element(GST_OBJECT(sink_), message.release()));
  }

  // When every linked input has had EOS: the input is over. Unlocks.
  void end_input_if_done(std::unique_lock<std::mutex>& lock) {
    if (input_ended_ || !session_) return;
    bool any_linked = false;
    bool audio_linked = false;
    for (const auto& i : inputs_) {
      if (!gst_pad_is_linked(i.ghost)) continue;
      if (!i.eos) return;
      any_linked = true;
      audio_linked |= i.kind == InputKind::Audio;
    }
    if (!any_linked) return;
    input_ended_ = true;
    auto session = session_;
    lock.unlock();  // the session is never called under our lock
    const session::SessionState state = session->state();
    if (state == session::SessionState::Finished || state == session::SessionState::Closed) {
      lock.lock();
      finished_ = true;
      post_eos_if_done(lock);
      return;
    }
    GST_INFO_OBJECT(sink_, "all inputs ended; ending the session's input (audioStreamEnd: %d)", audio_linked);
    session->end_input(audio_linked);
  }

  // After the inputs ended and the model's turn did: EOS for the pipeline.
  void post_eos_if_done(std::unique_lock<std::mutex>& lock) {
    if (!input_ended_ || !finished_ || eos_posted_ || failed_) return;
    eos_posted_ = true;
    const guint32 seqnum = eos_seqnum_;
    lock.unlock();
    GST_INFO_OBJECT(sink_, "the answer is complete: EOS");
    GstMessage* eos = gst_message_new_eos(GST_OBJECT(sink_));
    if (seqnum != GST_SEQNUM_INVALID) gst_message_set_seqnum(eos, seqnum);
    gst_element_post_message(sink_, eos);
  }

  // ---- function calling ----
  // After the bus messages: a handler may answer at once, and the messages
  // still say first what was asked.
  void emit_tool_calls(const protocol::ToolCall& tool_call) {
    for (const auto& call : tool_call.function_calls) {
      GST_INFO_OBJECT(sink_, "tool call %s: %s", call.id.c_str(), call.name.c_str());
      const std::string args = plugin::function_call_args_json(call);
      g_signal_emit(sink_, sink_signals[SIGNAL_TOOL_CALL], 0, call.id.c_str(), call.name.c_str(), args.c_str());
    }
  }

  GstClockTime running_time_now() const {
    GstClock* clock = gst_element_get_clock(sink_);
    if (!clock) return GST_CLOCK_TIME_NONE;
    const GstClockTime now = gst_clock_get_time(clock);
    gst_object_unref(clock);
    const GstClockTime base = gst_element_get_base_time(sink_);
    return now >= base ? now - base : GST_CLOCK_TIME_NONE;
  }

  GstElement* const sink_;  // outlives every call: the tap is removed and the inputs gone before it finalizes
  mutable std::mutex mutex_;
  std::shared_ptr<session::LiveSession> session_;
  std::vector<Input> inputs_;
  double max_video_fps_ = kDefaultMaxVideoFps;
  guint64 max_frame_size_ = kDefaultMaxFrameSize;
  bool input_ended_ = false;  // end_input() was called
  bool finished_ = false;     // the session reached Finished
  bool eos_posted_ = false;
  bool connected_ = false;  // the session reached Ready
  // setupComplete's message, posted when the session is Ready.
  StructurePtr setup_complete_{nullptr, gst_structure_free};
  bool failed_ = false;
  guint32 eos_seqnum_ = GST_SEQNUM_INVALID;
};

struct SinkPrivate {
  SinkSettings settings;  // object lock
  std::shared_ptr<SinkCore> core;
  std::shared_ptr<session::Channel> channel;  // while PAUSED or PLAYING
};

/* *INDENT-ON* */

}  // namespace

struct _GstGeminiLiveSink {
  GstBin parent;
  SinkPrivate* priv;
};

#define gst_gemini_live_sink_parent_class parent_class
G_DEFINE_TYPE(GstGeminiLiveSink, gst_gemini_live_sink, GST_TYPE_BIN)
GST_ELEMENT_REGISTER_DEFINE(geminilivesink, "geminilivesink", GST_RANK_NONE, GST_TYPE_GEMINI_LIVE_SINK)

GType gst_gemini_live_response_modality_get_type(void) {
  static GType type = 0;
  static const GEnumValue values[] = {
      {MODALITY_AUDIO, "Spoken answers (24 kHz PCM)", "audio"},
      {MODALITY_TEXT, "Written answers", "text"},
      {0, nullptr, nullptr},
  };
  if (g_once_init_enter(&type)) {
    GType t = g_enum_register_static("GstGeminiLiveResponseModality", values);
    g_once_init_leave(&type, t);
  }
  return type;
}

static GstStaticPadTemplate audio_template =
    GST_STATIC_PAD_TEMPLATE("audio", GST_PAD_SINK, GST_PAD_REQUEST,
                            GST_STATIC_CAPS("audio/x-raw, format=(string)S16LE, layout=(string)interleaved, "
                                            "channels=(int)1, rate=(int)[8000, 48000]"));
static GstStaticPadTemplate video_template =
    GST_STATIC_PAD_TEMPLATE("video", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS("image/jpeg; image/png"));
static GstStaticPadTemplate text_template =
    GST_STATIC_PAD_TEMPLATE("text", GST_PAD_SINK, GST_PAD_REQUEST, GST_STATIC_CAPS("text/x-raw, format=(string)utf8"));

static void gst_gemini_live_sink_finalize(GObject* object);
static void gst_gemini_live_sink_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec);
static void gst_gemini_live_sink_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec);
static GstPad* gst_gemini_live_sink_request_new_pad(GstElement* element, GstPadTemplate* templ, const gchar* name,
                                                    const GstCaps* caps);
static void gst_gemini_live_sink_release_pad(GstElement* element, GstPad* pad);
static GstStateChangeReturn gst_gemini_live_sink_change_state(GstElement* element, GstStateChange transition);
static void gst_gemini_live_sink_handle_message(GstBin* bin, GstMessage* message);
static gboolean gst_gemini_live_sink_send_text(GstGeminiLiveSink* self, const gchar* text);
static gboolean gst_gemini_live_sink_send_tool_response(GstGeminiLiveSink* self, const gchar* id, const gchar* name,
                                                        const gchar* response_json);

static void gst_gemini_live_sink_class_init(GstGeminiLiveSinkClass* klass) {
  GObjectClass* gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass* element_class = GST_ELEMENT_CLASS(klass);
  GstBinClass* bin_class = GST_BIN_CLASS(klass);

  GST_DEBUG_CATEGORY_INIT(gst_gemini_live_sink_debug, "geminilivesink", 0, "Gemini Live sink");

  gobject_class->finalize = gst_gemini_live_sink_finalize;
  gobject_class->set_property = gst_gemini_live_sink_set_property;
  gobject_class->get_property = gst_gemini_live_sink_get_property;

  const auto connection = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY);
  const auto anytime = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING);

  /**
   * GstGeminiLiveSink:channel:
   *
   * The name that geminilivesrc elements use to hear this sink's session. One
   * sink per channel; any number of sources.
   */
  g_object_class_install_property(
      gobject_class, PROP_CHANNEL,
      g_param_spec_string("channel", "Channel", "The rendezvous with geminilivesrc elements (one sink per channel)",
                          kDefaultChannel, connection));
  /**
   * GstGeminiLiveSink:uri:
   *
   * The WebSocket URL of the Live endpoint, without any key in it. Point it
   * at the local server for tests: `ws://127.0.0.1:PORT/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`.
   */
  g_object_class_install_property(gobject_class, PROP_URI,
                                  g_param_spec_string("uri", "URI", "WebSocket URL of the Live endpoint",
                                                      session::kDefaultUri, connection));
  /**
   * GstGeminiLiveSink:api-key:
   *
   * The Gemini API key. When not set: $GEMINI_API_KEY, then $GOOGLE_API_KEY
   * (read when the element is made and again when it starts). It is sent in
   * the x-goog-api-key header, never logged, and reads back as "***" once
   * set (NULL when there is none).
   */
  g_object_class_install_property(
      gobject_class, PROP_API_KEY,
      g_param_spec_string("api-key", "API key",
                          "Gemini API key (default: $GEMINI_API_KEY, then $GOOGLE_API_KEY); reads back as ***",
                          nullptr, connection));
  /**
   * GstGeminiLiveSink:model:
   *
   * The Live model, with or without the `models/` prefix.
   */
  g_object_class_install_property(gobject_class, PROP_MODEL,
                                  g_param_spec_string("model", "Model", "The Live model (with or without models/)",
                                                      session::kDefaultModel, connection));
  /**
   * GstGeminiLiveSink:system-instruction:
   *
   * Instructions that steer the model for the whole session (sent in the
   * setup, as the SDKs send a string).
   */
  g_object_class_install_property(
      gobject_class, PROP_SYSTEM_INSTRUCTION,
      g_param_spec_string("system-instruction", "System instruction", "Instructions for the whole session", nullptr,
                          connection));
  /**
   * GstGeminiLiveSink:response-modality:
   *
   * Whether the model answers aloud (geminilivesrc stream=audio) or in
   * writing (geminilivesrc stream=text). A session has one.
   */
  g_object_class_install_property(
      gobject_class, PROP_RESPONSE_MODALITY,
      g_param_spec_enum("response-modality", "Response modality", "Spoken or written answers",
                        GST_TYPE_GEMINI_LIVE_RESPONSE_MODALITY, MODALITY_AUDIO, connection));
  /**
   * GstGeminiLiveSink:voice:
   *
   * The voice of spoken answers, e.g. "Puck", "Kore"; NULL: the model's
   * default.
   */
  g_object_class_install_property(gobject_class, PROP_VOICE,
                                  g_param_spec_string("voice", "Voice", "Prebuilt voice of spoken answers", nullptr,
                                                      connection));
  /**
   * GstGeminiLiveSink:language-code:
   *
   * The language of spoken answers, e.g. "en-US"; NULL: the model chooses.
   */
  g_object_class_install_property(
      gobject_class, PROP_LANGUAGE_CODE,
      g_param_spec_string("language-code", "Language code", "Language of spoken answers (BCP-47)", nullptr,
                          connection));
  /**
   * GstGeminiLiveSink:max-video-fps:
   *
   * At most this many frames per second go to the model, judged on buffer
   * timestamps; frames in between are skipped (the newest skipped frame is
   * still sent at EOS). 0: every frame. The service recommends 1.
   */
  g_object_class_install_property(
      gobject_class, PROP_MAX_VIDEO_FPS,
      g_param_spec_double("max-video-fps", "Max video fps", "Most frames per second sent (0: no limit)", 0.0, 60.0,
                          kDefaultMaxVideoFps, anytime));
  /**
   * GstGeminiLiveSink:input-transcription:
   *
   * Ask the service for a transcript of what it hears (geminilive/transcript
   * messages with direction "input", and geminilivesrc
   * stream=input-transcription).
   */
  g_object_class_install_property(
      gobject_class, PROP_INPUT_TRANSCRIPTION,
      g_param_spec_boolean("input-transcription", "Input transcription", "Transcribe the audio input", TRUE,
                           connection));
  /**
   * GstGeminiLiveSink:output-transcription:
   *
   * Ask the service for a transcript of spoken answers (direction "output",
   * and geminilivesrc stream=output-transcription). Ignored for written
   * answers.
   */
  g_object_class_install_property(
      gobject_class, PROP_OUTPUT_TRANSCRIPTION,
      g_param_spec_boolean("output-transcription", "Output transcription", "Transcribe spoken answers", TRUE,
                           connection));
  /**
   * GstGeminiLiveSink:eos-timeout:
   *
   * After the input ends: how long to wait, in milliseconds, for the model to
   * finish its answer before ending anyway (0: end at once). It also bounds
   * the wait for an answer to start, 10 s otherwise.
   */
  g_object_class_install_property(
      gobject_class, PROP_EOS_TIMEOUT,
      g_param_spec_uint("eos-timeout", "EOS timeout", "Most milliseconds to wait for the answer after EOS", 0,
                        G_MAXUINT, kDefaultEosTimeoutMs, connection));
  /**
   * GstGeminiLiveSink:session-resumption:
   *
   * Keep the conversation across connections: every setup asks for
   * resumption handles; on goAway the session moves to a new connection
   * before the old one ends, and after a drop (1006, 1011, a stall) it
   * reconnects with the latest handle, holding input meanwhile. Off: the
   * first end of the connection is an error.
   */
  g_object_class_install_property(
      gobject_class, PROP_SESSION_RESUMPTION,
      g_param_spec_boolean("session-resumption", "Session resumption",
                           "Resume the session on a new connection after goAway or a drop", TRUE, connection));
  /**
   * GstGeminiLiveSink:reconnect-attempts:
   *
   * Connections tried in a row after a drop before the element posts an
   * error; the first goes at once, then after 0.5 s, 1 s, 2 s... up to 8 s.
   * A connection that stays up 10 s resets the count. 0: no reconnection.
   */
  g_object_class_install_property(
      gobject_class, PROP_RECONNECT_ATTEMPTS,
      g_param_spec_uint("reconnect-attempts", "Reconnect attempts",
                        "Reconnections in a row after drops before failing (0: none)", 0, 100,
                        session::SessionConfig{}.max_reconnect_attempts, connection));
  /**
   * GstGeminiLiveSink:stall-timeout:
   *
   * A connection from which nothing arrives for this many milliseconds, not
   * even the pong to the pings sent every third of it, is taken as dropped
   * (and resumed). Pings go at most every second, so values under 3000 risk
   * false alarms. 0: off.
   */
  g_object_class_install_property(
      gobject_class, PROP_STALL_TIMEOUT,
      g_param_spec_uint("stall-timeout", "Stall timeout",
                        "Milliseconds without any data, pongs included, before a connection counts as dropped (0: off)",
                        0, G_MAXUINT, static_cast<guint>(session::SessionConfig{}.stall_timeout.count()), connection));
  /**
   * GstGeminiLiveSink:ca-file:
   *
   * A PEM file of certificate authorities to trust for wss:// instead of the
   * system's.
   */
  g_object_class_install_property(
      gobject_class, PROP_CA_FILE,
      g_param_spec_string("ca-file", "CA file", "PEM certificate authorities to trust instead of the system's",
                          nullptr, connection));
  /**
   * GstGeminiLiveSink:sync:
   *
   * Send each buffer at its running time (TRUE: a file is sent in real time,
   * as the model expects speech), or as soon as it arrives.
   */
  g_object_class_install_property(
      gobject_class, PROP_SYNC,
      g_param_spec_boolean("sync", "Sync", "Send each buffer at its time on the clock", TRUE, anytime));
  /**
   * GstGeminiLiveSink:async:
   *
   * Whether the inputs preroll (go to PAUSED asynchronously). Off by
   * default: nothing is shown in PAUSED, and a preroll would wait for the
   * sink of a geminilivesrc branch, which waits for the answer, which waits
   * for this sink to play. Pads requested while PAUSED or PLAYING never
   * preroll.
   */
  g_object_class_install_property(
      gobject_class, PROP_ASYNC,
      g_param_spec_boolean("async", "Async", "Go to PAUSED asynchronously (preroll)", FALSE, anytime));

  /**
   * GstGeminiLiveSink:context-compression:
   *
   * Ask the service to compress the context window with a sliding window
   * when it grows too large. Without it the service ends a session with
   * video after about 2 minutes (audio alone after 15); with it a session
   * can go on (each connection still lasts about 10 minutes).
   */
  g_object_class_install_property(
      gobject_class, PROP_CONTEXT_COMPRESSION,
      g_param_spec_boolean("context-compression", "Context compression",
                           "Compress the context window (sliding window) so long sessions are not ended", TRUE,
                           connection));
  /**
   * GstGeminiLiveSink:compression-trigger-tokens:
   *
   * With #GstGeminiLiveSink:context-compression: the context length, in
   * tokens, that starts a compression. 0: the service's default (80 % of
   * the model's context window).
   */
  g_object_class_install_property(
      gobject_class, PROP_COMPRESSION_TRIGGER_TOKENS,
      g_param_spec_uint64("compression-trigger-tokens", "Compression trigger tokens",
                          "Context length in tokens that starts a compression (0: the service's default)", 0,
                          G_MAXINT64, 0, connection));
  /**
   * GstGeminiLiveSink:compression-target-tokens:
   *
   * With #GstGeminiLiveSink:context-compression: how many tokens of context
   * a compression keeps. 0: the service's default (half the trigger).
   */
  g_object_class_install_property(
      gobject_class, PROP_COMPRESSION_TARGET_TOKENS,
      g_param_spec_uint64("compression-target-tokens", "Compression target tokens",
                          "Tokens of context kept by a compression (0: the service's default)", 0, G_MAXINT64, 0,
                          connection));
  /**
   * GstGeminiLiveSink:max-frame-size:
   *
   * The largest buffer, in bytes, sent from any pad (a video frame, a chunk
   * of audio, a text); larger ones are dropped with a warning. The service
   * does not document its limit on a message; the default of 7 MiB is our
   * choice (base64 makes the message a third larger). 0: no limit.
   */
  g_object_class_install_property(
      gobject_class, PROP_MAX_FRAME_SIZE,
      g_param_spec_uint64("max-frame-size", "Max frame size",
                          "Largest buffer in bytes sent from a pad; larger ones are dropped (0: no limit)", 0,
                          G_MAXUINT64, kDefaultMaxFrameSize, anytime));

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
  g_signal_new_class_handler("send-text", G_TYPE_FROM_CLASS(klass),
                             static_cast<GSignalFlags>(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
                             G_CALLBACK(gst_gemini_live_sink_send_text), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 1,
                             G_TYPE_STRING);

  // ---- function calling ----
  /**
   * GstGeminiLiveSink:tools:
   *
   * Functions the model may call, as JSON: inline when the value begins
   * with `[` or `{`, otherwise the name of a file holding it. Either an
   * array of FunctionDeclaration objects
   * (`[{"name":"save_note","description":"...","parameters":{...}}]`), one
   * such object, or the setup's own `tools` array
   * (`[{"functionDeclarations":[...]},{"googleSearch":{}}]`), in camelCase or
   * snake_case. They are sent in the setup as written. A value that cannot
   * be read or is not valid (no name, an unknown field, ...) fails the start
   * with a LIBRARY/SETTINGS error naming the JSON path. Calls arrive as
   * #GstGeminiLiveSink::tool-call signals and `geminilive/tool-call`
   * messages; answer them with #GstGeminiLiveSink::send-tool-response.
   */
  g_object_class_install_property(
      gobject_class, PROP_TOOLS,
      g_param_spec_string("tools", "Tools",
                          "Function declarations as JSON, inline (beginning with [ or {) or in the file named",
                          nullptr, connection));
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
   * now or later. The model waits for the answer.
   */
  sink_signals[SIGNAL_TOOL_CALL] =
      g_signal_new("tool-call", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, nullptr, nullptr, nullptr,
                   G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * GstGeminiLiveSink::send-tool-response:
   * @sink: the sink
   * @id: the id of the call answered (from #GstGeminiLiveSink::tool-call)
   * @name: the function's name
   * @response_json: the result, a JSON object: `{"output": ...}` or
   *   `{"error": ...}` by convention
   *
   * Sends `{"toolResponse":{"functionResponses":[{"id","name","response"}]}}`.
   * Any thread.
   *
   * Returns: %TRUE if it was queued; %FALSE, with a WARNING message saying
   * why, when @response_json is not a JSON object, @name is empty, or the
   * session is not running (the sink is not PAUSED or PLAYING, or the
   * session failed or ended).
   */
  g_signal_new_class_handler(
      "send-tool-response", G_TYPE_FROM_CLASS(klass), static_cast<GSignalFlags>(G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION),
      G_CALLBACK(gst_gemini_live_sink_send_tool_response), nullptr, nullptr, nullptr, G_TYPE_BOOLEAN, 3,
      G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

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

  gst_type_mark_as_plugin_api(GST_TYPE_GEMINI_LIVE_RESPONSE_MODALITY, static_cast<GstPluginAPIFlags>(0));
}

static void gst_gemini_live_sink_init(GstGeminiLiveSink* self) {
  self->priv = new SinkPrivate();
  self->priv->core = std::make_shared<SinkCore>(GST_ELEMENT(self));
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

static void gst_gemini_live_sink_set_property(GObject* object, guint prop_id, const GValue* value, GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_SINK(object);
  SinkSettings& s = self->priv->settings;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_CHANNEL:
      s.channel = as_string(value);
      if (s.channel.empty()) s.channel = kDefaultChannel;
      break;
    case PROP_URI:
      s.uri = as_string(value);
      if (s.uri.empty()) s.uri = session::kDefaultUri;
      break;
    case PROP_API_KEY:
      s.api_key = as_string(value);
      break;
    case PROP_MODEL:
      s.model = as_string(value);
      if (s.model.empty()) s.model = session::kDefaultModel;
      break;
    case PROP_SYSTEM_INSTRUCTION:
      s.system_instruction = as_string(value);
      break;
    case PROP_RESPONSE_MODALITY:
      s.modality = static_cast<ResponseModality>(g_value_get_enum(value));
      break;
    case PROP_VOICE:
      s.voice = as_string(value);
      break;
    case PROP_LANGUAGE_CODE:
      s.language_code = as_string(value);
      break;
    case PROP_MAX_VIDEO_FPS:
      s.max_video_fps = g_value_get_double(value);
      self->priv->core->set_max_video_fps(s.max_video_fps);
      break;
    case PROP_INPUT_TRANSCRIPTION:
      s.input_transcription = g_value_get_boolean(value);
      break;
    case PROP_OUTPUT_TRANSCRIPTION:
      s.output_transcription = g_value_get_boolean(value);
      break;
    case PROP_EOS_TIMEOUT:
      s.eos_timeout_ms = g_value_get_uint(value);
      break;
    case PROP_SESSION_RESUMPTION:
      s.session_resumption = g_value_get_boolean(value);
      break;
    case PROP_RECONNECT_ATTEMPTS:
      s.reconnect_attempts = g_value_get_uint(value);
      break;
    case PROP_STALL_TIMEOUT:
      s.stall_timeout_ms = g_value_get_uint(value);
      break;
    case PROP_CA_FILE:
      s.ca_file = as_string(value);
      break;
    case PROP_CONTEXT_COMPRESSION:
      s.context_compression = g_value_get_boolean(value);
      break;
    case PROP_COMPRESSION_TRIGGER_TOKENS:
      s.compression_trigger_tokens = g_value_get_uint64(value);
      break;
    case PROP_COMPRESSION_TARGET_TOKENS:
      s.compression_target_tokens = g_value_get_uint64(value);
      break;
    case PROP_MAX_FRAME_SIZE:
      s.max_frame_size = g_value_get_uint64(value);
      self->priv->core->set_max_frame_size(s.max_frame_size);
      break;
    case PROP_TOOLS:
      s.tools = as_string(value);
      break;
    case PROP_SYNC:
    case PROP_ASYNC: {
      const bool on = g_value_get_boolean(value);
      (prop_id == PROP_SYNC ? s.sync : s.async) = on;
      GST_OBJECT_UNLOCK(self);
      set_on_inputs(self, prop_id == PROP_SYNC ? "sync" : "async", on);
      return;
    }
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void gst_gemini_live_sink_get_property(GObject* object, guint prop_id, GValue* value, GParamSpec* pspec) {
  auto* self = GST_GEMINI_LIVE_SINK(object);
  const SinkSettings& s = self->priv->settings;
  GST_OBJECT_LOCK(self);
  switch (prop_id) {
    case PROP_CHANNEL:
      g_value_set_string(value, s.channel.c_str());
      break;
    case PROP_URI:
      g_value_set_string(value, s.uri.c_str());
      break;
    case PROP_API_KEY:
      g_value_set_string(value, s.api_key.empty() ? nullptr : kHiddenKey);
      break;
    case PROP_MODEL:
      g_value_set_string(value, s.model.c_str());
      break;
    case PROP_SYSTEM_INSTRUCTION:
      g_value_set_string(value, or_null(s.system_instruction));
      break;
    case PROP_RESPONSE_MODALITY:
      g_value_set_enum(value, s.modality);
      break;
    case PROP_VOICE:
      g_value_set_string(value, or_null(s.voice));
      break;
    case PROP_LANGUAGE_CODE:
      g_value_set_string(value, or_null(s.language_code));
      break;
    case PROP_MAX_VIDEO_FPS:
      g_value_set_double(value, s.max_video_fps);
      break;
    case PROP_INPUT_TRANSCRIPTION:
      g_value_set_boolean(value, s.input_transcription);
      break;
    case PROP_OUTPUT_TRANSCRIPTION:
      g_value_set_boolean(value, s.output_transcription);
      break;
    case PROP_EOS_TIMEOUT:
      g_value_set_uint(value, s.eos_timeout_ms);
      break;
    case PROP_SESSION_RESUMPTION:
      g_value_set_boolean(value, s.session_resumption);
      break;
    case PROP_RECONNECT_ATTEMPTS:
      g_value_set_uint(value, s.reconnect_attempts);
      break;
    case PROP_STALL_TIMEOUT:
      g_value_set_uint(value, s.stall_timeout_ms);
      break;
    case PROP_CA_FILE:
      g_value_set_string(value, or_null(s.ca_file));
      break;
    case PROP_CONTEXT_COMPRESSION:
      g_value_set_boolean(value, s.context_compression);
      break;
    case PROP_COMPRESSION_TRIGGER_TOKENS:
      g_value_set_uint64(value, s.compression_trigger_tokens);
      break;
    case PROP_COMPRESSION_TARGET_TOKENS:
      g_value_set_uint64(value, s.compression_target_tokens);
      break;
    case PROP_MAX_FRAME_SIZE:
      g_value_set_uint64(value, s.max_frame_size);
      break;
    case PROP_TOOLS:
      g_value_set_string(value, or_null(s.tools));
      break;
    case PROP_SYNC:
      g_value_set_boolean(value, s.sync);
      break;
    case PROP_ASYNC:
      g_value_set_boolean(value, s.async);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
      break;
  }
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
  const bool sync = self->priv->settings.sync;
  // A pad added while running must not make the pipeline preroll again.
  const bool async = self->priv->settings.async && GST_STATE(self) <= GST_STATE_READY &&
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

// READY→PAUSED: check the settings, claim the channel and start connecting in
// the background.
static bool gst_gemini_live_sink_start(GstGeminiLiveSink* self) {
  SinkPrivate* priv = self->priv;
  GST_OBJECT_LOCK(self);
  const SinkSettings settings = priv->settings;
  GST_OBJECT_UNLOCK(self);

  // Function calling: the declarations, before anything is claimed.
  auto tools = resolve_tools(settings.tools);
  if (!tools) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("%s", tools.error().c_str()), ("tools=%s", settings.tools.c_str()));
    return false;
  }
  session::SessionConfig config =
      session_config(settings, settings.api_key.empty() ? env_api_key() : settings.api_key);
  config.setup.tools = std::move(tools).value();
  // The key, the endpoint, the CA file: a mistake fails the state change in
  // words, before anything connects.
  if (auto error = session::check_config(config)) {
    GST_ELEMENT_ERROR(self, LIBRARY, SETTINGS, ("%s", error->message.c_str()), (nullptr));
    return false;
  }

  auto channel = session::Channel::acquire(settings.channel);
  if (!channel->claim_owner(self)) {
    GST_ELEMENT_ERROR(self, RESOURCE, BUSY,
                      ("Another geminilivesink already uses channel \"%s\"; give each sink its own channel.",
                       settings.channel.c_str()),
                      (nullptr));
    return false;
  }
  channel->add_tap(priv->core);
  priv->channel = channel;

  // Without the query, where a key could hide.
  const std::string shown_uri = session::shown_uri(settings.uri);
  g_autofree char* text = g_strdup_printf("Connecting to %s", shown_uri.c_str());
  priv->core->post_progress(GST_PROGRESS_TYPE_START, text);
  GST_INFO_OBJECT(self, "connecting to %s, model %s, channel %s", shown_uri.c_str(), settings.model.c_str(),
                  settings.channel.c_str());
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
  auto session = self->priv->core->session();
  if (!session || !text || !*text) return FALSE;
  if (!g_utf8_validate(text, -1, nullptr)) {
    GST_WARNING_OBJECT(self, "send-text: the text is not UTF-8; not sent");
    return FALSE;
  }
  session->send(protocol::RealtimeInput::with_text(text));
  return TRUE;
}

// ---- function calling: send-tool-response ----

// Declines a response: logged and posted as a WARNING, since the caller may
// not check the return value.
static gboolean refuse_tool_response(GstGeminiLiveSink* self, const gchar* id, const std::string& why) {
  const std::string text = "The response to tool call \"" + std::string(id ? id : "") + "\" was not sent: " + why;
  GST_WARNING_OBJECT(self, "%s", text.c_str());
  plugin::post_warning(GST_ELEMENT(self), text);
  return FALSE;
}

static gboolean gst_gemini_live_sink_send_tool_response(GstGeminiLiveSink* self, const gchar* id, const gchar* name,
                                                        const gchar* response_json) {
  if (!name || !*name) return refuse_tool_response(self, id, "no function name was given.");
  auto response = protocol::JsonValue::parse(response_json ? response_json : "");
  if (!response || !response->is_object())
    return refuse_tool_response(
        self, id,
        "the response must be a JSON object, such as {\"output\": ...} (" +
            (response ? std::string("got another JSON value") : response.error()) + ").");
  auto session = self->priv->core->session();
  if (!session) return refuse_tool_response(self, id, "the sink is not PAUSED or PLAYING.");
  const session::SessionState state = session->state();
  if (self->priv->core->failed() || state == session::SessionState::Failed)
    return refuse_tool_response(self, id, "the session has failed.");
  if (state == session::SessionState::Finished || state == session::SessionState::Closed)
    return refuse_tool_response(self, id, "the session has ended.");

  protocol::FunctionResponse answer;
  answer.id = id ? id : "";
  answer.name = name;
  answer.response = std::move(response).value();
  GST_INFO_OBJECT(self, "tool response %s: %s", answer.id.c_str(), name);
  session->send(protocol::ToolResponse{{std::move(answer)}});
  return TRUE;
}
