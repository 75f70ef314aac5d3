// SPDX-License-Identifier: LGPL-2.1-or-later
// What the Live server receives from each of geminilivesink's pads: audio
// byte for byte and in whole samples, video frames limited in rate, text
// from the pad and from send-text, and bad text and frames dropped with a
// warning. Registered in the elements_sink suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "check_util.h"
#include "elements_util.h"
#include "protocol/client_message.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;

namespace {

GstBuffer* buffer_of(const std::string& bytes) { return gst_buffer_new_memdup(bytes.data(), bytes.size()); }

}  // namespace

GST_START_TEST(test_sink_audio_reaches_the_server_byte_for_byte) {
  auto server = start_server(fast());
  GstElement* sink = make_sink(*server);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  // Quiet then loud, in uneven chunks: order and completeness show in the hash.
  const std::string pcm = silence_pcm(0.3) + tone_pcm(0.5) + silence_pcm(0.05);
  push_pcm(h, pcm, 16000, 0.013);
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == pcm.size(); }, kWait),
              "the server got %" G_GUINT64_FORMAT " of %zu bytes", server->stats().audio_bytes, pcm.size());
  assert_str(server->stats().audio_sha256, sha256_hex(pcm));
  bool labelled = false;
  for (const auto& m : server->received_messages())
    labelled |= m.find("\"mimeType\":\"audio/pcm;rate=16000\"") != std::string::npos;
  fail_unless(labelled, "audio must be sent as audio/pcm;rate=16000");
  gst_harness_teardown(h);

  // Other rates are labelled with theirs.
  server = start_server(fast());
  h = sink_harness(make_sink(*server), "audio", "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=8000");
  push_pcm(h, tone_pcm(0.1, 8000), 8000);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes == 1600; }, kWait));
  bool labelled_8k = false;
  for (const auto& m : server->received_messages())
    labelled_8k |= m.find("\"mimeType\":\"audio/pcm;rate=8000\"") != std::string::npos;
  fail_unless(labelled_8k);
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_sink_video_frames_are_limited) {
  auto server = start_server(fast());
  const std::string frame = read_fixture("frame-64x48.jpg");
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "video", "image/jpeg");
  wait_setup_complete(bus);
  // 10 frames at 10 fps; max-video-fps=1 (the default).
  for (int i = 0; i < 10; ++i) {
    GstBuffer* b = gst_buffer_new_memdup(frame.data(), frame.size());
    GST_BUFFER_PTS(b) = i * 100 * GST_MSECOND;
    fail_unless_equals_int(gst_harness_push(h, b), GST_FLOW_OK);
  }
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames >= 1; }, kWait));
  g_usleep(200 * 1000);
  fail_unless_equals_int(server->stats().video_frames, 1);
  // At EOS the newest frame held back is sent too.
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames == 2; }, kWait));
  ServerStats s = server->stats();
  fail_unless_equals_int(s.last_frame_width, 64);
  fail_unless_equals_int(s.last_frame_height, 48);
  assert_str(s.last_frame_mime, "image/jpeg");
  gst_harness_teardown(h);
  release_bus(bus);

  // max-video-fps=0: every frame; PNG labelled as PNG.
  server = start_server(fast());
  sink = make_sink(*server);
  g_object_set(sink, "max-video-fps", 0.0, nullptr);
  bus = attach_bus(sink);
  // Until the session streams, a newer frame replaces a waiting one; once
  // setup-complete is posted, none is replaced. Frames pushed the moment it
  // is posted, while the posting thread is still held by a slow sync
  // handler, must all go out.
  struct Seen {
    std::mutex mutex;
    std::condition_variable cond;
    bool seen = false;
  } setup;
  gst_bus_set_sync_handler(
      bus,
      [](GstBus*, GstMessage* m, gpointer data) -> GstBusSyncReply {
        if (!is_element_message(m, "geminilive/setup-complete")) return GST_BUS_PASS;
        auto* s = static_cast<Seen*>(data);
        {
          std::lock_guard<std::mutex> lock(s->mutex);
          s->seen = true;
        }
        s->cond.notify_all();
        g_usleep(300 * 1000);
        return GST_BUS_PASS;
      },
      &setup, nullptr);
  h = sink_harness(sink, "video", "image/png");
  {
    std::unique_lock<std::mutex> lock(setup.mutex);
    fail_unless(setup.cond.wait_for(lock, kWait, [&] { return setup.seen; }), "no geminilive/setup-complete");
  }
  const std::string png = std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x08\0\0\0\x04\x08\x02\0\0\0", 29);
  for (int i = 0; i < 3; ++i) {
    GstBuffer* b = gst_buffer_new_memdup(png.data(), png.size());
    GST_BUFFER_PTS(b) = i * 10 * GST_MSECOND;
    fail_unless_equals_int(gst_harness_push(h, b), GST_FLOW_OK);
  }
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames == 3; }, kWait),
              "%u of 3 frames reached the server", server->stats().video_frames);
  assert_str(server->stats().last_frame_mime, "image/png");
  gst_harness_teardown(h);
  gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_sink_text_pad_and_send_text) {
  auto server = start_server(fast());
  GstElement* sink = make_sink(*server);
  gst_util_set_object_arg(G_OBJECT(sink), "response-modality", "text");
  GstHarness* h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  gst_harness_push(h, gst_buffer_new_memdup("hello\n", 6));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.texts.size() == 1; }, kWait));
  assert_str(server->stats().texts[0], "hello");
  // A character cut between two buffers goes whole with the second.
  gst_harness_push(h, gst_buffer_new_memdup("caf\xC3", 4));
  gst_harness_push(h, gst_buffer_new_memdup("\xA9 ok", 4));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.texts.size() == 3; }, kWait));
  assert_str(server->stats().texts[1], "caf");
  assert_str(server->stats().texts[2], "\xC3\xA9 ok");
  // The action signal.
  gboolean queued = FALSE;
  g_signal_emit_by_name(h->element, "send-text", "Are you there?", &queued);
  fail_unless(queued);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.texts.size() == 4; }, kWait));
  assert_str(server->stats().texts[3], "Are you there?");
  // Not UTF-8: refused, and what follows still goes.
  g_signal_emit_by_name(h->element, "send-text", "caf\xE9", &queued);
  fail_if(queued);
  g_signal_emit_by_name(h->element, "send-text", "and then?", &queued);
  fail_unless(queued);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.texts.size() == 5; }, kWait));
  assert_str(server->stats().texts[4], "and then?");
  gst_harness_teardown(h);
}
GST_END_TEST;

GST_START_TEST(test_sink_bad_text_is_dropped_with_a_warning) {
  auto server = start_server(fast());
  GstElement* sink = make_sink(*server);
  gst_util_set_object_arg(G_OBJECT(sink), "response-modality", "text");
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "text", "text/x-raw,format=utf8");
  wait_setup_complete(bus);
  // Nothing to send: dropped without a word.
  fail_unless_equals_int(gst_harness_push(h, gst_buffer_new()), GST_FLOW_OK);
  // Not UTF-8 (Latin-1 "café"): dropped, with a warning.
  fail_unless_equals_int(gst_harness_push(h, buffer_of("caf\xE9 au lait")), GST_FLOW_OK);
  const std::string warning = wait_warning(bus);
  fail_unless(contains(warning, "not valid UTF-8"), "%s", warning.c_str());
  // A second one is counted, not warned about.
  fail_unless_equals_int(gst_harness_push(h, buffer_of("\xFF\xFE")), GST_FLOW_OK);
  fail_unless_equals_int(gst_harness_push(h, buffer_of("still here")), GST_FLOW_OK);
  fail_unless(server->wait_for([](const ServerStats& s) { return !s.texts.empty(); }, kWait));
  g_usleep(100 * 1000);
  const auto texts = server->stats().texts;
  fail_unless_equals_int(texts.size(), 1);
  assert_str(texts[0], "still here");
  // At EOS, the total.
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  const std::string total = wait_warning(bus);
  fail_unless(contains(total, "2 text buffers in all were dropped"), "%s", total.c_str());
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_sink_bad_frames_are_dropped_with_a_warning) {
  auto server = start_server(fast());
  const std::string jpeg = read_fixture("frame-64x48.jpg");
  const std::string png = std::string("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x08\0\0\0\x04\x08\x02\0\0\0", 29);
  GstElement* sink = make_sink(*server);
  g_object_set(sink, "max-video-fps", 0.0, nullptr);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "video", "image/jpeg");
  wait_setup_complete(bus);
  fail_unless_equals_int(gst_harness_push(h, gst_buffer_new()), GST_FLOW_OK);
  // A PNG on a pad that said JPEG: one warning naming what came.
  fail_unless_equals_int(gst_harness_push(h, buffer_of(png)), GST_FLOW_OK);
  std::string warning = wait_warning(bus);
  fail_unless(contains(warning, "the caps say image/jpeg, but it begins with 89 50 4E 47 (image/png)"), "%s",
              warning.c_str());
  fail_unless_equals_int(gst_harness_push(h, buffer_of("GIF89a")), GST_FLOW_OK);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(jpeg)), GST_FLOW_OK);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames >= 1; }, kWait));
  // Too large for max-frame-size.
  g_object_set(h->element, "max-frame-size", static_cast<guint64>(jpeg.size() - 1), nullptr);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(jpeg)), GST_FLOW_OK);
  warning = wait_warning(bus);
  g_autofree char* expected = g_strdup_printf(
      "A video frame of %zu bytes was dropped: it is larger than "
      "max-frame-size, %zu bytes.",
      jpeg.size(), jpeg.size() - 1);
  assert_str(warning, expected);
  g_object_set(h->element, "max-frame-size", static_cast<guint64>(jpeg.size()), nullptr);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(jpeg)), GST_FLOW_OK);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames >= 2; }, kWait));
  g_usleep(100 * 1000);
  fail_unless_equals_int(server->stats().video_frames, 2);
  assert_str(server->stats().last_frame_mime, "image/jpeg");
  fail_unless(gst_harness_push_event(h, gst_event_new_eos()));
  warning = wait_warning(bus);
  fail_unless(contains(warning, "2 video frames in all were dropped because they were not image/jpeg"), "%s",
              warning.c_str());
  gst_harness_teardown(h);
  release_bus(bus);

  // Something else on a PNG pad.
  server = start_server(fast());
  sink = make_sink(*server);
  bus = attach_bus(sink);
  h = sink_harness(sink, "video", "image/png");
  wait_setup_complete(bus);
  fail_unless_equals_int(gst_harness_push(h, buffer_of("GIF89a")), GST_FLOW_OK);
  warning = wait_warning(bus);
  fail_unless(contains(warning, "the caps say image/png, but it begins with 47 49 46 38 (neither JPEG nor PNG)"), "%s",
              warning.c_str());
  fail_unless_equals_int(gst_harness_push(h, buffer_of(png)), GST_FLOW_OK);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames == 1; }, kWait));
  assert_str(server->stats().last_frame_mime, "image/png");
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

GST_START_TEST(test_sink_audio_keeps_whole_samples) {
  auto server = start_server(fast());
  GstElement* sink = make_sink(*server);
  GstBus* bus = attach_bus(sink);
  GstHarness* h = sink_harness(sink, "audio", kAudioCaps16k);
  wait_setup_complete(bus);
  // 3 bytes, nothing, 1 byte, 5 bytes: samples cut between buffers go whole.
  const std::string pcm = tone_pcm(0.01);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(pcm.substr(0, 3))), GST_FLOW_OK);
  fail_unless_equals_int(gst_harness_push(h, gst_buffer_new()), GST_FLOW_OK);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(pcm.substr(3, 1))), GST_FLOW_OK);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(pcm.substr(4, 5))), GST_FLOW_OK);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(pcm.substr(9))), GST_FLOW_OK);
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == pcm.size(); }, kWait),
              "the server got %" G_GUINT64_FORMAT " of %zu bytes", server->stats().audio_bytes, pcm.size());
  assert_str(server->stats().audio_sha256, sha256_hex(pcm));
  // Each message holds whole samples.
  for (const auto& m : server->received_messages()) {
    auto decoded = protocol::decode_client_message(m);
    if (!decoded.ok() || !std::holds_alternative<protocol::RealtimeInput>(decoded.value())) continue;
    const auto& input = std::get<protocol::RealtimeInput>(decoded.value());
    if (input.audio) fail_unless(input.audio->data.size() % 2 == 0, "%zu bytes", input.audio->data.size());
  }
  // Too large for max-frame-size: dropped with a warning.
  g_object_set(h->element, "max-frame-size", G_GUINT64_CONSTANT(100), nullptr);
  fail_unless_equals_int(gst_harness_push(h, buffer_of(tone_pcm(0.01))), GST_FLOW_OK);
  const std::string warning = wait_warning(bus);
  assert_str(warning, "An audio buffer of 320 bytes was dropped: it is larger than max-frame-size, 100 bytes.");
  fail_unless_equals_uint64(server->stats().audio_bytes, pcm.size());
  gst_harness_teardown(h);
  release_bus(bus);
}
GST_END_TEST;

static Suite* elements_sink_input_suite() {
  Suite* s = suite_create("elements_sink_input");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_sink_audio_reaches_the_server_byte_for_byte);
  tcase_add_test(tc, test_sink_video_frames_are_limited);
  tcase_add_test(tc, test_sink_text_pad_and_send_text);
  tcase_add_test(tc, test_sink_bad_text_is_dropped_with_a_warning);
  tcase_add_test(tc, test_sink_bad_frames_are_dropped_with_a_warning);
  tcase_add_test(tc, test_sink_audio_keeps_whole_samples);
  return s;
}

GST_CHECK_MAIN(elements_sink_input);
