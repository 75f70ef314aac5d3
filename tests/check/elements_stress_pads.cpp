// SPDX-License-Identifier: LGPL-2.1-or-later
// Stress test of geminilivesink's request pads, as a user of them sees it:
// video and text pads (and the audio pad itself) requested, fed and
// released over and over while the pipeline plays. Part of the
// elements_sink suite, so tools/valgrind-run and tools/sanitize-run cover
// it; the shared helpers are in elements_stress_util.h.
#include <gst/check/gstcheck.h>

#include <chrono>
#include <string>
#include <vector>

#include "check_util.h"
#include "elements_stress_util.h"
#include "elements_util.h"

using namespace geminilive::testing;
using namespace std::chrono_literals;

namespace {

// Set when an EOS event passes `pad`.
class EosSeen : public Latch {
 public:
  explicit EosSeen(GstPad* pad) : pad_(GST_PAD(gst_object_ref(pad))) {
    probe_ = gst_pad_add_probe(
        pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer data) {
          if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS) static_cast<EosSeen*>(data)->set();
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
  }
  ~EosSeen() {
    gst_pad_remove_probe(pad_, probe_);
    gst_object_unref(pad_);
  }
  EosSeen(const EosSeen&) = delete;
  EosSeen& operator=(const EosSeen&) = delete;

 private:
  GstPad* pad_;
  gulong probe_;
};

// A small live camera: JPEG frames out of a ghost pad "src".
GstElement* make_camera() {
  g_autoptr(GError) error = nullptr;
  GstElement* bin = gst_parse_bin_from_description(
      "videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=30/1 ! jpegenc", TRUE, &error);
  fail_unless(bin != nullptr, "camera: %s", error ? error->message : "");
  return bin;
}

GstElement* make_text_src() {
  GstElement* appsrc = gst_element_factory_make("appsrc", nullptr);
  GstCaps* caps = gst_caps_from_string("text/x-raw,format=utf8");
  g_object_set(appsrc, "caps", caps, "format", GST_FORMAT_TIME, "is-live", TRUE, nullptr);
  gst_caps_unref(caps);
  return appsrc;
}

void push_text(GstElement* appsrc, const std::string& text) {
  GstFlowReturn ret = GST_FLOW_ERROR;
  GstBuffer* b = gst_buffer_new_memdup(text.data(), text.size());
  g_signal_emit_by_name(appsrc, "push-buffer", b, &ret);  // does not take the buffer
  gst_buffer_unref(b);
  fail_unless_equals_int(ret, GST_FLOW_OK);
}

// Adds `src` to `pipeline`, links it to a new request pad `pad_name` of
// `sink` and starts it; returns the pad.
GstPad* attach(GstElement* pipeline, GstElement* sink, GstElement* src, const char* pad_name, unsigned i) {
  GstPad* pad = gst_element_request_pad_simple(sink, pad_name);
  fail_unless(pad != nullptr, "round %u: no %s pad could be requested", i, pad_name);
  assert_str(GST_PAD_NAME(pad), pad_name);
  gst_bin_add(GST_BIN(pipeline), src);
  GstPad* out = gst_element_get_static_pad(src, "src");
  fail_unless_equals_int(gst_pad_link(out, pad), GST_PAD_LINK_OK);
  gst_object_unref(out);
  fail_unless(gst_element_sync_state_with_parent(src));
  return pad;
}

// Set once a probe of `type` on `pad` was called: BLOCK_DOWNSTREAM blocks
// the pad's next push (until the pad is flushed), IDLE is called at once
// when nothing is being pushed.
class Blocked : public Latch {
 public:
  Blocked(GstPad* pad, GstPadProbeType type) {
    gst_pad_add_probe(
        pad, type,
        [](GstPad*, GstPadProbeInfo*, gpointer data) {
          static_cast<Blocked*>(data)->set();
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
  }
};

// Unlinks `src` from `pad`, stops and removes it, and releases `pad`. A
// source must not stream into an unlinked pad (it would fail with
// not-linked): it is either stopped first, or, with `block`, blocked first
// and stopped after the unlink (the usual way to change a playing pipeline).
void detach(GstElement* pipeline, GstElement* sink, GstElement* src, GstPad* pad, bool block) {
  GstPad* out = gst_element_get_static_pad(src, "src");
  if (block) {
    // A bin's ghost pad is deactivated after its children, which would wait
    // for a thread blocked there: block the pad inside instead. The camera
    // always pushes (blocked at its next frame); the text source pushes only
    // what it was given, all of which has arrived (blocked while idle).
    GstPad* inner = GST_IS_GHOST_PAD(out) ? gst_ghost_pad_get_target(GST_GHOST_PAD(out)) : nullptr;
    Blocked blocked(inner ? inner : out, inner ? GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM : GST_PAD_PROBE_TYPE_IDLE);
    if (inner) gst_object_unref(inner);
    fail_unless(blocked.wait(), "the source's pad was not blocked");
    fail_unless(gst_pad_unlink(out, pad));
    fail_unless_equals_int(gst_element_set_state(src, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  } else {
    fail_unless_equals_int(gst_element_set_state(src, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
    fail_unless(gst_pad_unlink(out, pad));
  }
  gst_object_unref(out);
  fail_unless(gst_bin_remove(GST_BIN(pipeline), src));
  gst_element_release_request_pad(sink, pad);
  gst_object_unref(pad);
}

}  // namespace

// Video and text pads requested, fed and released 100 times while the
// pipeline plays and its audio keeps streaming; the audio pad itself too.
GST_START_TEST(test_stress_request_pads_while_playing) {
  const unsigned kRounds = under_valgrind() ? 40 : 100;  // under valgrind only the workload shrinks
  auto server = start_server(fast());
  GstElement* pipeline =
      own_pipeline(parse_pipeline("audiotestsrc name=mic is-live=true volume=0 ! capsfilter name=micf"
                                  " caps=audio/x-raw,rate=16000,channels=1 ! geminilivesink name=s max-video-fps=0 " +
                                  sink_args(*server)));
  GstBus* bus = gst_element_get_bus(pipeline);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "s");
  GstElement* mic = gst_bin_get_by_name(GST_BIN(pipeline), "mic");
  GstElement* micf = gst_bin_get_by_name(GST_BIN(pipeline), "micf");
  Finalized finalized;
  finalized.watch_all(pipeline);
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  wait_setup_complete(bus, "start");

  std::vector<std::string> sent;
  for (unsigned i = 1; i <= kRounds; ++i) {
    const std::string round = "round " + std::to_string(i);
    const ServerStats before = server->stats();

    GstElement* camera = make_camera();
    GstElement* appsrc = make_text_src();
    GstPad* video = attach(pipeline, sink, camera, "video", i);
    GstPad* text = attach(pipeline, sink, appsrc, "text", i);
    sent.push_back("text " + std::to_string(i) + " ✓");
    push_text(appsrc, sent.back());

    // Data goes through all three pads.
    fail_unless(server->wait_for(
                    [&](const ServerStats& s) {
                      return s.video_frames > before.video_frames && s.texts.size() == before.texts.size() + 1 &&
                             s.audio_bytes > before.audio_bytes;
                    },
                    kWait),
                "%s: frames %u → %u, texts %zu → %zu, audio %llu → %llu", round.c_str(), before.video_frames,
                server->stats().video_frames, before.texts.size(), server->stats().texts.size(),
                static_cast<unsigned long long>(before.audio_bytes),
                static_cast<unsigned long long>(server->stats().audio_bytes));

    if (i % 4 == 0) {
      // The inputs end before they go: EOS on the video and the text pad
      // (the audio still streams, so the session goes on).
      EosSeen video_eos(video), text_eos(text);
      fail_unless(gst_element_send_event(camera, gst_event_new_eos()));
      GstFlowReturn ret;
      g_signal_emit_by_name(appsrc, "end-of-stream", &ret);
      fail_unless(video_eos.wait() && text_eos.wait(), "%s: no EOS", round.c_str());
    }
    // What goes now is finalized, once the bus lets go of its messages (a
    // reference leaked on a released pad would keep it, and the input
    // behind it, alive).
    Finalized gone;
    gone.watch(video);
    gone.watch(text);
    gone.watch(camera);
    gone.watch(appsrc);
    detach(pipeline, sink, camera, video, i % 2 == 1);
    detach(pipeline, sink, appsrc, text, i % 2 == 1);

    if (i % 10 == 0) {
      // The audio pad goes and comes back while playing.
      fail_unless_equals_int(gst_element_set_state(mic, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
      fail_unless_equals_int(gst_element_set_state(micf, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
      GstPad* out = gst_element_get_static_pad(micf, "src");
      GstPad* audio = gst_pad_get_peer(out);
      fail_unless(audio != nullptr);
      fail_unless(gst_pad_unlink(out, audio));
      gone.watch(audio);
      gst_element_release_request_pad(sink, audio);
      gst_object_unref(audio);
      const uint64_t heard = server->stats().audio_bytes;
      audio = gst_element_request_pad_simple(sink, "audio");
      fail_unless(audio != nullptr, "%s: no new audio pad", round.c_str());
      fail_unless_equals_int(gst_pad_link(out, audio), GST_PAD_LINK_OK);
      gst_object_unref(audio);
      gst_object_unref(out);
      fail_unless(gst_element_sync_state_with_parent(micf));
      fail_unless(gst_element_sync_state_with_parent(mic));
      fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes > heard; }, kWait),
                  "%s: no audio through the new audio pad", round.c_str());
    }

    drain_untroubled(bus, round);
    gone.check(round.c_str());
    fail_unless_equals_int(settled_state(pipeline), GST_STATE_PLAYING);
  }
  // The session was never interrupted: one connection, one setup.
  fail_unless_equals_int(server->stats().connections, 1);
  fail_unless_equals_int(server->stats().setups, 1);
  // The server received exactly the texts pushed, in order.
  const auto texts = server->stats().texts;
  fail_unless_equals_int(texts.size(), sent.size());
  for (std::size_t k = 0; k < sent.size(); ++k) assert_str(texts[k], sent[k]);
  // After all that, the audio alone still ends the session cleanly: the
  // user speaks, the mic ends (EOS), the model answers, and the sink posts
  // EOS.
  const unsigned turns = server->stats().turns_completed;
  g_object_set(mic, "volume", 0.8, nullptr);
  const uint64_t heard = server->stats().audio_bytes;
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes >= heard + 16000; }, kWait));
  fail_unless(gst_element_send_event(mic, gst_event_new_eos()));
  gst_message_unref(wait_untroubled(bus, message_of_type(GST_MESSAGE_EOS), "the end"));
  fail_unless(server->stats().turns_completed > turns);
  fail_unless_equals_int(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
  fail_unless(wait_sockets_closed(*server));
  gst_object_unref(micf);
  gst_object_unref(mic);
  gst_object_unref(sink);
  release_bus(bus);
  g_pipeline = nullptr;
  ASSERT_OBJECT_REFCOUNT(pipeline, "pipeline", 1);
  gst_object_unref(pipeline);
  finalized.check("after the pipeline");
}
GST_END_TEST;

static Suite* elements_stress_pads_suite() {
  Suite* s = suite_create("elements_stress_pads");
  TCase* tc = tcase_create("stress");
  // Normally about 7 s; under valgrind, with less work, about 20 s
  // (CK_FORK=no ignores the timeout there; it is large all the same, for a
  // valgrind run with CK_FORK=yes).
  tcase_set_timeout(tc, under_valgrind() ? 1200 : 120);
  tcase_add_checked_fixture(tc, nullptr, stop_left_pipeline);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_stress_request_pads_while_playing);
  return s;
}

GST_CHECK_MAIN(elements_stress_pads);
