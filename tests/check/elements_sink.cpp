// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink as a user sees it: its properties and pads, the setup they
// make, the bus messages, the end of input, errors, and repeated state
// changes. What the Live server receives from each pad is in
// elements_sink_input.cpp.
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "elements_util.h"
#include "protocol/client_message.h"
#include "session/session_config.h"
#include "turn_input.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

namespace {

bool accepts(GstPad* pad, const char* caps) {
  GstCaps* c = gst_caps_from_string(caps);
  const bool ok = gst_pad_query_accept_caps(pad, c);
  gst_caps_unref(c);
  return ok;
}

// The last setup the server received, decoded.
protocol::Setup received_setup(const LiveServer& server) {
  auto m = protocol::decode_client_message(server.stats().last_setup_json);
  fail_unless(m.ok(), "undecodable setup");
  fail_unless(std::holds_alternative<protocol::Setup>(m.value()));
  return std::get<protocol::Setup>(m.value());
}

}  // namespace

GST_START_TEST(test_sink_property_defaults) {
  g_unsetenv("GEMINI_API_KEY");
  g_unsetenv("GOOGLE_API_KEY");
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  fail_unless(sink != nullptr);
  assert_str(string_property(sink, "channel"), "default");
  assert_str(string_property(sink, "uri"), geminilive::session::kDefaultUri);
  assert_str(string_property(sink, "api-key"), "(null)");
  assert_str(string_property(sink, "model"), geminilive::session::kDefaultModel);
  assert_str(string_property(sink, "system-instruction"), "(null)");
  assert_str(string_property(sink, "voice"), "(null)");
  assert_str(string_property(sink, "language-code"), "(null)");
  assert_str(string_property(sink, "ca-file"), "(null)");
  gint modality = -1;
  gdouble fps = 0;
  gboolean input_tr = FALSE, output_tr = FALSE, sync = FALSE, async = FALSE;
  guint eos_timeout = 0;
  g_object_get(sink, "response-modality", &modality, "max-video-fps", &fps, "input-transcription", &input_tr,
               "output-transcription", &output_tr, "sync", &sync, "async", &async, "eos-timeout", &eos_timeout,
               nullptr);
  fail_unless_equals_int(modality, 0);
  fail_unless_equals_float(fps, 1.0);
  fail_unless(input_tr && output_tr && sync && !async);
  fail_unless_equals_int(eos_timeout, 30000);
  gboolean compression = FALSE;
  guint64 trigger = 1, target = 1, max_frame = 0;
  g_object_get(sink, "context-compression", &compression, "compression-trigger-tokens", &trigger,
               "compression-target-tokens", &target, "max-frame-size", &max_frame, nullptr);
  fail_unless(compression);
  fail_unless_equals_uint64(trigger, 0);
  fail_unless_equals_uint64(target, 0);
  fail_unless_equals_uint64(max_frame, 7 * 1024 * 1024);
  fail_unless(GST_OBJECT_FLAG_IS_SET(sink, GST_ELEMENT_FLAG_SINK), "geminilivesink must count as a sink");

  // Set and read back; the key never comes back in clear.
  g_object_set(sink, "api-key", "secret-key", "channel", "c1", "model", "gemini-x", "voice", "Kore", nullptr);
  gst_util_set_object_arg(G_OBJECT(sink), "response-modality", "text");
  g_object_set(sink, "max-video-fps", 0.5, "sync", FALSE, "eos-timeout", 5000u, nullptr);
  assert_str(string_property(sink, "api-key"), "***");
  assert_str(string_property(sink, "channel"), "c1");
  assert_str(string_property(sink, "model"), "gemini-x");
  assert_str(string_property(sink, "voice"), "Kore");
  g_object_get(sink, "response-modality", &modality, "max-video-fps", &fps, "sync", &sync, "eos-timeout", &eos_timeout,
               nullptr);
  fail_unless_equals_int(modality, 1);
  fail_unless_equals_float(fps, 0.5);
  fail_unless(!sync);
  fail_unless_equals_int(eos_timeout, 5000);
  gst_object_unref(sink);

  // The key's default comes from the environment.
  g_setenv("GOOGLE_API_KEY", "from-google", TRUE);
  sink = gst_element_factory_make("geminilivesink", nullptr);
  assert_str(string_property(sink, "api-key"), "***");
  gst_object_unref(sink);
}
GST_END_TEST;

GST_START_TEST(test_sink_setup_from_properties) {
  auto server = start_server(fast());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "model", "gemini-x-live", "voice", "Kore", "language-code", "de-DE", "system-instruction",
               "Answer briefly.", "input-transcription", FALSE, nullptr);
  GstHarness* h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  protocol::Setup setup = received_setup(*server);
  assert_str(setup.model, "models/gemini-x-live");
  fail_unless(setup.generation_config.has_value());
  fail_unless(setup.generation_config->response_modalities == std::vector<std::string>{"AUDIO"});
  fail_unless(setup.generation_config->speech_config.has_value());
  assert_str(setup.generation_config->speech_config->voice_name.value_or(""), "Kore");
  assert_str(setup.generation_config->speech_config->language_code.value_or(""), "de-DE");
  fail_unless(setup.system_instruction.has_value());
  assert_str(setup.system_instruction->role.value_or(""), "user");
  assert_str(setup.system_instruction->text(), "Answer briefly.");
  fail_unless(!setup.input_audio_transcription.has_value());
  fail_unless(setup.output_audio_transcription.has_value());
  gst_harness_teardown(h);

  // Written answers: TEXT, and no output transcription; "models/" kept.
  sink = make_sink(*server);
  gst_util_set_object_arg(G_OBJECT(sink), "response-modality", "text");
  g_object_set(sink, "model", "models/gemini-y", nullptr);
  h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 2; }, kWait));
  setup = received_setup(*server);
  assert_str(setup.model, "models/gemini-y");
  fail_unless(setup.generation_config->response_modalities == std::vector<std::string>{"TEXT"});
  fail_unless(setup.input_audio_transcription.has_value());
  fail_unless(!setup.output_audio_transcription.has_value());
  fail_unless(!setup.system_instruction.has_value());
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_sink_context_compression) {
  // On by default, with the service's own thresholds.
  auto server = start_server(fast());
  GstHarness* h = sink_harness(make_sink(*server), "text", "text/x-raw,format=utf8");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  fail_unless(contains(server->stats().last_setup_json, "\"contextWindowCompression\":{\"slidingWindow\":{}}"), "%s",
              server->stats().last_setup_json.c_str());
  protocol::Setup setup = received_setup(*server);
  fail_unless(setup.context_window_compression.has_value());
  fail_unless(!setup.context_window_compression->trigger_tokens.has_value());
  fail_unless(setup.context_window_compression->sliding_window.has_value());
  fail_unless(!setup.context_window_compression->sliding_window->target_tokens.has_value());
  gst_harness_teardown(h);

  // Thresholds of our own.
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "compression-trigger-tokens", G_GUINT64_CONSTANT(20000), "compression-target-tokens",
               G_GUINT64_CONSTANT(8000), nullptr);
  h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 2; }, kWait));
  setup = received_setup(*server);
  fail_unless(setup.context_window_compression.has_value());
  fail_unless_equals_int64(setup.context_window_compression->trigger_tokens.value_or(0), 20000);
  fail_unless(setup.context_window_compression->sliding_window.has_value());
  fail_unless_equals_int64(setup.context_window_compression->sliding_window->target_tokens.value_or(0), 8000);
  // int64 fields are strings on the wire.
  fail_unless(contains(server->stats().last_setup_json, "\"triggerTokens\":\"20000\""), "%s",
              server->stats().last_setup_json.c_str());
  gst_harness_teardown(h);

  // Off.
  sink = make_sink(*server);
  g_object_set(sink, "context-compression", FALSE, "compression-trigger-tokens", G_GUINT64_CONSTANT(20000), nullptr);
  h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 3; }, kWait));
  fail_unless(!received_setup(*server).context_window_compression.has_value());
  fail_unless(!contains(server->stats().last_setup_json, "contextWindowCompression"));
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_sink_pads_refuse_what_the_api_cannot_take) {
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  GstPad* audio = gst_element_request_pad_simple(sink, "audio");
  GstPad* video = gst_element_request_pad_simple(sink, "video");
  GstPad* text = gst_element_request_pad_simple(sink, "text");
  fail_unless(audio && video && text);
  fail_unless(accepts(audio, "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=16000"));
  fail_unless(accepts(audio, "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=8000"));
  fail_unless(accepts(audio, "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=48000"));
  fail_if(accepts(audio, "audio/x-raw,format=S16LE,layout=interleaved,channels=2,rate=16000"), "stereo");
  fail_if(accepts(audio, "audio/x-raw,format=F32LE,layout=interleaved,channels=1,rate=16000"), "F32LE");
  fail_if(accepts(audio, "audio/x-raw,format=S16BE,layout=interleaved,channels=1,rate=16000"), "S16BE");
  fail_if(accepts(audio, "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=96000"), "96 kHz");
  fail_unless(accepts(video, "image/jpeg"));
  fail_unless(accepts(video, "image/png"));
  fail_if(accepts(video, "image/gif"), "GIF");
  fail_if(accepts(video, "video/x-raw,format=I420,width=64,height=48"), "raw video");
  fail_unless(accepts(text, "text/x-raw,format=utf8"));
  fail_if(accepts(text, "text/x-raw,format=pango-markup"), "markup");

  gst_element_release_request_pad(sink, audio);
  gst_element_release_request_pad(sink, video);
  gst_element_release_request_pad(sink, text);
  gst_object_unref(audio);
  gst_object_unref(video);
  gst_object_unref(text);
  // Released pads can be requested again, and the bin stays a sink.
  fail_unless(GST_OBJECT_FLAG_IS_SET(sink, GST_ELEMENT_FLAG_SINK));
  audio = gst_element_request_pad_simple(sink, "audio");
  fail_unless(audio != nullptr);
  gst_object_unref(audio);
  gst_object_unref(sink);

  // Pushing refused caps fails negotiation.
  auto server = start_server(fast());
  GstHarness* h = sink_harness(make_sink(*server), "audio", nullptr);
  gst_harness_set_src_caps_str(h, "audio/x-raw,format=S16LE,layout=interleaved,channels=2,rate=16000");
  fail_unless_equals_int(gst_harness_push(h, gst_buffer_new_allocate(nullptr, 640, nullptr)), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_sink_bus_messages_and_end_of_input) {
  auto server = start_server(fast());
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  const std::string pcm = tone_pcm(1.0);
  const std::string reply = reply_to_audio(pcm);

  GstMessage* m = wait_message(bus, message_of_type(GST_MESSAGE_PROGRESS));
  fail_unless(m != nullptr);
  GstProgressType type;
  gchar* code = nullptr;
  gst_message_parse_progress(m, &type, &code, nullptr);
  fail_unless_equals_int(type, GST_PROGRESS_TYPE_START);
  assert_str(code, "connect");
  g_free(code);
  gst_message_unref(m);
  m = wait_message(bus, message_of_type(GST_MESSAGE_PROGRESS));
  fail_unless(m != nullptr);
  gst_message_parse_progress(m, &type, nullptr, nullptr);
  fail_unless_equals_int(type, GST_PROGRESS_TYPE_COMPLETE);
  gst_message_unref(m);

  push_pcm(h, pcm);
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));

  // In order: the input transcript, the output transcript, the end of the
  // turn, the usage, then the sink's EOS.
  std::string input, output;
  bool generation_complete = false, turn_complete = false, usage = false, eos = false;
  while (!eos) {
    m = wait_message(bus, [](GstMessage* m) {
      return GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT || GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
    });
    fail_unless(m != nullptr, "the sink did not post EOS");
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS) {
      fail_unless(turn_complete, "EOS before the model's turn ended");
      eos = true;
    } else if (is_element_message(m, "geminilive/transcript")) {
      const GstStructure* s = gst_message_get_structure(m);
      const std::string direction = gst_structure_get_string(s, "direction");
      (direction == "input" ? input : output) += gst_structure_get_string(s, "text");
      fail_unless(gst_structure_has_field_typed(s, "finished", G_TYPE_BOOLEAN));
    } else if (is_element_message(m, "geminilive/generation-complete")) {
      generation_complete = true;
    } else if (is_element_message(m, "geminilive/turn-complete")) {
      fail_unless(generation_complete);
      turn_complete = true;
    } else if (is_element_message(m, "geminilive/usage")) {
      const GstStructure* s = gst_message_get_structure(m);
      gint64 prompt = 0, response = 0, total = 0;
      fail_unless(gst_structure_get_int64(s, "prompt-tokens", &prompt));
      fail_unless(gst_structure_get_int64(s, "response-tokens", &response));
      fail_unless(gst_structure_get_int64(s, "total-tokens", &total));
      fail_unless_equals_int64(prompt, 25);  // 25 per second of audio
      fail_unless_equals_int64(total, prompt + response);
      usage = true;
    }
    gst_message_unref(m);
  }
  assert_str(input, "(1.0 seconds of speech)");
  assert_str(output, reply);
  fail_unless(usage);
  // audioStreamEnd went out after the audio.
  const auto sent = server->received_messages();
  fail_unless(!sent.empty() && sent.back().find("\"audioStreamEnd\":true") != std::string::npos);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

// Quiet audio asks for no answer: after EOS the sink waits for one to
// start, but never longer than eos-timeout.
GST_START_TEST(test_sink_eos_timeout_bounds_the_wait_for_an_answer) {
  auto server = start_server(fast());
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "eos-timeout", 500u, nullptr);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  wait_setup_complete(bus);
  push_pcm(h, silence_pcm(0.5));
  const gint64 start_us = g_get_monotonic_time();
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  GstMessage* eos = wait_message(bus, message_of_type(GST_MESSAGE_EOS));
  fail_unless(eos != nullptr, "the sink did not post EOS");
  gst_message_unref(eos);
  const gint64 waited_ms = (g_get_monotonic_time() - start_us) / 1000;
  fail_unless(waited_ms >= 450 && (waited_ms < 3000 || under_valgrind()), "EOS after %" G_GINT64_FORMAT " ms",
              waited_ms);
  fail_unless_equals_int(server->stats().turns_started, 0);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_sink_go_away_message) {
  ServerOptions o = fast();
  o.go_away_after = 100ms;
  o.go_away_time_left = 1500ms;
  auto server = start_server(o);
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  GstMessage* m = wait_message(bus, element_message("geminilive/go-away"));
  fail_unless(m != nullptr);
  guint64 left = 0;
  fail_unless(gst_structure_get_uint64(gst_message_get_structure(m), "time-left", &left));
  fail_unless_equals_uint64(left, 1500 * GST_MSECOND);
  gst_message_unref(m);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_sink_wrong_key_is_an_error_in_words) {
  ServerOptions o = fast();
  o.api_key = "the-right-key";
  auto server = start_server(o);
  GstElement* sink = make_sink(*server);  // kTestKey: wrong
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  GError* error = wait_error(bus);
  fail_unless(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED), "%s: %s",
              g_quark_to_string(error->domain), error->message);
  fail_unless(strstr(error->message, "API key not valid") != nullptr, "%s", error->message);
  g_error_free(error);
  // Input after the failure fails the flow.
  GstBuffer* b = gst_buffer_new_allocate(nullptr, 640, nullptr);
  gst_buffer_memset(b, 0, 0, 640);
  fail_unless_equals_int(gst_harness_push(h, b), GST_FLOW_ERROR);
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_sink_missing_key_fails_the_start) {
  g_unsetenv("GEMINI_API_KEY");
  g_unsetenv("GOOGLE_API_KEY");
  auto server = start_server(fast());
  GstElement* pipeline = gst_pipeline_new(nullptr);
  GstElement* src = gst_element_factory_make("fakesrc", nullptr);
  GstElement* sink = gst_element_factory_make("geminilivesink", nullptr);
  g_object_set(sink, "uri", live_uri(*server).c_str(), nullptr);
  gst_bin_add_many(GST_BIN(pipeline), src, sink, nullptr);
  fail_unless(gst_element_link_pads(src, "src", sink, "text"));
  GstBus* bus = gst_element_get_bus(pipeline);

  fail_unless_equals_int(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GError* error = wait_error(bus, 1s);
  fail_unless(g_error_matches(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS));
  fail_unless(strstr(error->message, "GEMINI_API_KEY") != nullptr, "%s", error->message);
  g_error_free(error);
  fail_unless_equals_int(server->stats().connections, 0);
  gst_element_set_state(pipeline, GST_STATE_NULL);

  // The environment is read again at start.
  g_setenv("GEMINI_API_KEY", "set-later", TRUE);
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == 1; }, kWait));
  gst_element_set_state(pipeline, GST_STATE_NULL);

  // An endpoint that is not a WebSocket URI, and a CA file that can't be
  // loaded, fail the start in words too; the key in the query stays out.
  g_object_set(sink, "uri", "https://example.invalid/ws?key=in-the-uri", nullptr);
  fail_unless_equals_int(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  error = wait_error(bus, 1s);
  fail_unless(g_error_matches(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS));
  fail_unless(contains(error->message, "ws:// or wss://"), "%s", error->message);
  fail_if(contains(error->message, "in-the-uri"), "%s", error->message);
  g_error_free(error);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  g_object_set(sink, "uri", live_uri(*server).c_str(), "ca-file", "/nonexistent/ca.pem", nullptr);
  fail_unless_equals_int(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  error = wait_error(bus, 1s);
  fail_unless(g_error_matches(error, GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS));
  fail_unless(contains(error->message, "/nonexistent/ca.pem"), "%s", error->message);
  g_error_free(error);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  fail_unless_equals_int(server->stats().connections, 1);
  release_bus(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

GST_START_TEST(test_sink_one_sink_per_channel) {
  auto server = start_server(fast());
  GstElement* first = make_sink(*server, "shared");
  GstHarness* h = sink_harness(first, "text", "text/x-raw,format=utf8");
  GstElement* second = make_sink(*server, "shared");
  GstBus* bus = attach_bus(second);
  GstPad* pad = gst_element_request_pad_simple(second, "text");
  fail_unless_equals_int(gst_element_set_state(second, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GError* error = wait_error(bus, 1s);
  fail_unless(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY));
  fail_unless(strstr(error->message, "\"shared\"") != nullptr, "%s", error->message);
  g_error_free(error);
  gst_element_set_state(second, GST_STATE_NULL);

  // Once the first has stopped, the channel is free.
  gst_harness_teardown(h);
  fail_unless(gst_element_set_state(second, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  gst_element_set_state(second, GST_STATE_NULL);
  gst_element_release_request_pad(second, pad);
  gst_object_unref(pad);
  gst_object_unref(second);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_sink_pad_added_while_playing) {
  auto server = start_server(fast());
  GstElement* pipeline = parse_pipeline(live_mic_into_sink(*server));
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes > 3200; }, kWait));

  // A text source joins while the pipeline plays.
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "s");
  GstElement* appsrc = gst_element_factory_make("appsrc", nullptr);
  GstCaps* caps = gst_caps_from_string("text/x-raw,format=utf8");
  g_object_set(appsrc, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE, nullptr);
  gst_caps_unref(caps);
  gst_bin_add(GST_BIN(pipeline), appsrc);
  fail_unless(gst_element_link_pads(appsrc, "src", sink, "text"));
  fail_unless(gst_element_sync_state_with_parent(appsrc));
  GstFlowReturn ret;
  GstBuffer* text = gst_buffer_new_memdup("late", 4);
  g_signal_emit_by_name(appsrc, "push-buffer", text, &ret);  // does not take the buffer
  gst_buffer_unref(text);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.texts.size() == 1; }, kWait));
  assert_str(server->stats().texts[0], "late");
  GstState state;
  fail_unless_equals_int(gst_element_get_state(pipeline, &state, nullptr, 5 * GST_SECOND), GST_STATE_CHANGE_SUCCESS);
  fail_unless_equals_int(state, GST_STATE_PLAYING);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
}
GST_END_TEST;

GST_START_TEST(test_sink_and_src_survive_state_cycles) {
  auto server = start_server(fast());
  GstElement* pipeline = parse_pipeline(live_mic_into_sink(*server) +
                                        " geminilivesrc ! fakesink sync=false"
                                        " geminilivesrc stream=output-transcription ! fakesink");
  GstBus* bus = gst_element_get_bus(pipeline);
  constexpr unsigned kCycles = 20;
  for (unsigned i = 1; i <= kCycles; ++i) {
    fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    GstMessage* m = wait_message(bus, [](GstMessage* m) {
      return GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR || is_element_message(m, "geminilive/setup-complete");
    });
    fail_unless(m != nullptr, "cycle %u: no setup-complete", i);
    fail_unless(GST_MESSAGE_TYPE(m) == GST_MESSAGE_ELEMENT, "cycle %u: an error", i);
    gst_message_unref(m);
    if (i == 1) fail_unless_equals_int(client_sockets_to(server->port()), 1);  // the probe sees it
    fail_unless_equals_int(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  }
  fail_unless(server->wait_for([](const ServerStats& s) { return s.setups == kCycles; }, kWait));
  // Every connection the elements opened is closed again.
  const gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while (client_sockets_to(server->port()) > 0 && g_get_monotonic_time() < end) g_usleep(20 * 1000);
  fail_unless_equals_int(client_sockets_to(server->port()), 0);
  release_bus(bus);
  ASSERT_OBJECT_REFCOUNT(pipeline, "pipeline", 1);
  gst_object_unref(pipeline);
}
GST_END_TEST;

static Suite* elements_sink_suite() {
  Suite* s = suite_create("elements_sink");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_sink_property_defaults);
  tcase_add_test(tc, test_sink_setup_from_properties);
  tcase_add_test(tc, test_sink_context_compression);
  tcase_add_test(tc, test_sink_pads_refuse_what_the_api_cannot_take);
  tcase_add_test(tc, test_sink_bus_messages_and_end_of_input);
  tcase_add_test(tc, test_sink_eos_timeout_bounds_the_wait_for_an_answer);
  tcase_add_test(tc, test_sink_go_away_message);
  tcase_add_test(tc, test_sink_wrong_key_is_an_error_in_words);
  tcase_add_test(tc, test_sink_missing_key_fails_the_start);
  tcase_add_test(tc, test_sink_one_sink_per_channel);
  tcase_add_test(tc, test_sink_pad_added_while_playing);
  tcase_add_test(tc, test_sink_and_src_survive_state_cycles);
  return s;
}

GST_CHECK_MAIN(elements_sink);
