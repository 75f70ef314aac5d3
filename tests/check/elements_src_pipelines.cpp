// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesrc and geminilivesink in file-to-file pipelines that end by
// themselves: a WAV question to a WAV answer, a text question to a text
// answer, EOS waiting for the answer, surviving a GoAway and a dropped
// connection, and file input that waits instead of dropping. Registered in
// the elements_src suite (tests/check/meson.build).
#include <gst/check/gstcheck.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "check_util.h"
#include "elements_util.h"
#include "reply_synth.h"

using namespace geminilive::testing;
namespace mock = geminilive::mock;
using namespace std::chrono_literals;

namespace {

// The PCM of a WAV file written by wavenc.
std::string wav_data(const std::string& wav) {
  const auto at = wav.find("data");
  fail_unless(at != std::string::npos && wav.size() >= at + 8, "not a WAV file");
  return wav.substr(at + 8);
}

// Runs `launch` to EOS; fails on an ERROR or after `timeout`.
void run_to_eos(const std::string& launch, std::chrono::milliseconds timeout = kWait) {
  GstElement* pipeline = parse_pipeline(launch);
  GstBus* bus = gst_element_get_bus(pipeline);
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstMessage* m = wait_message(
      bus,
      [](GstMessage* m) { return GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS || GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR; },
      timeout);
  fail_unless(m != nullptr, "the pipeline did not end by itself");
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gst_message_parse_error(m, &e, nullptr);
    fail("error: %s", e->message);
  }
  gst_message_unref(m);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  release_bus(bus);
  gst_object_unref(pipeline);
}

// What a run of a launch line to EOS showed on its bus.
struct Run {
  std::vector<std::string> messages;  // geminilive/... element messages, as strings
  std::string said;                   // the output transcript
  std::vector<std::string> warnings;
  bool has(const std::string& prefix) const {
    for (const auto& m : messages)
      if (m.rfind(prefix, 0) == 0) return true;
    return false;
  }
};

// Runs `launch` to EOS (failing on an ERROR), calling `during` once it
// plays, and notes the bus on the way.
Run run_noting(const std::string& launch, const std::function<void()>& during = {}) {
  GstElement* pipeline = parse_pipeline(launch);
  GstBus* bus = gst_element_get_bus(pipeline);
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  if (during) during();
  Run run;
  for (;;) {
    GstMessage* m = wait_message(bus, [](GstMessage*) { return true; });
    fail_unless(m != nullptr, "the pipeline did not end by itself");
    const GstMessageType type = GST_MESSAGE_TYPE(m);
    if (type == GST_MESSAGE_ERROR) {
      GError* e = nullptr;
      gst_message_parse_error(m, &e, nullptr);
      fail("error: %s", e->message);
    }
    if (type == GST_MESSAGE_WARNING) {
      GError* e = nullptr;
      gst_message_parse_warning(m, &e, nullptr);
      run.warnings.push_back(e->message);
      g_error_free(e);
    }
    const GstStructure* st = gst_message_get_structure(m);
    if (type == GST_MESSAGE_ELEMENT && st && g_str_has_prefix(gst_structure_get_name(st), "geminilive/")) {
      g_autofree char* text = gst_structure_to_string(st);
      run.messages.push_back(text);
      if (gst_structure_has_name(st, "geminilive/transcript") &&
          g_str_equal(gst_structure_get_string(st, "direction"), "output"))
        run.said += gst_structure_get_string(st, "text");
    }
    gst_message_unref(m);
    if (type == GST_MESSAGE_EOS) break;
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  release_bus(bus);
  gst_object_unref(pipeline);
  return run;
}

}  // namespace

GST_START_TEST(test_pipeline_wav_question_to_wav_answer) {
  auto server = start_server(fast());
  TempDir dir;
  const std::string question = tone_pcm(1.0);
  const std::string in = dir.write("question.wav", wav_file(question, 16000));
  const std::string out = dir.file("answer.wav");
  run_to_eos("filesrc location=" + in + " ! wavparse ! geminilivesink " + sink_args(*server) +
             " geminilivesrc paced=false ! wavenc ! filesink location=" + out);
  const std::string answer = wav_data(read_file(out));
  const std::string expected = mock::synthesize_reply_pcm(reply_to_audio(question));
  fail_unless_equals_uint64(answer.size(), expected.size());
  fail_unless(answer == expected, "the recorded answer differs");
}
GST_END_TEST;

GST_START_TEST(test_pipeline_text_question_to_text_answer) {
  auto server = start_server(fast());
  TempDir dir;
  const std::string in = dir.write("question.txt", "What is on the screen?\n");
  const std::string out = dir.file("answer.txt");
  // It ends once the answer is in: well before the session's 10 s wait for a reply.
  run_to_eos("filesrc location=" + in + " ! s.text geminilivesink name=s response-modality=text " + sink_args(*server) +
                 " geminilivesrc stream=text ! filesink location=" + out,
             5s);
  assert_str(read_file(out), reply_to_text("What is on the screen?"));
}
GST_END_TEST;

GST_START_TEST(test_pipeline_eos_event_waits_for_the_answer) {
  auto server = start_server(fast());
  TempDir dir;
  const std::string out = dir.file("answer.wav");
  GstElement* pipeline = parse_pipeline(live_mic_into_sink(*server, 0.3) +
                                        " geminilivesrc paced=false ! wavenc ! filesink location=" + out);
  GstBus* bus = gst_element_get_bus(pipeline);
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes >= 16000; }, kWait));
  // What gst-launch-1.0 -e does on Ctrl-C: the mic ends, the answer is kept.
  fail_unless(gst_element_send_event(pipeline, gst_event_new_eos()));
  std::string reply;
  GstMessage* m = collect_said(bus, &reply, [](GstMessage* m) {
    return GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS || GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR;
  });
  fail_unless(m != nullptr && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS, "no EOS");
  gst_message_unref(m);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  release_bus(bus);
  gst_object_unref(pipeline);
  fail_unless(g_str_has_prefix(reply.c_str(), "I heard "), "%s", reply.c_str());
  const std::string answer = wav_data(read_file(out));
  fail_unless(answer == mock::synthesize_reply_pcm(reply), "the answer was cut: %zu bytes", answer.size());
}
GST_END_TEST;

// goAway 2 s after each setup, while the answer plays: the session is not
// resumable then, so the switch comes after the answer, and the rest of the
// input goes over the next connection; both arrive whole. (A switch in the
// middle of an utterance would split it between two connections, and the
// service's voice detection does not carry over: nothing a client can mend.)
GST_START_TEST(test_pipeline_survives_go_away) {
  ServerOptions o;
  o.reply_speed = 1.0;  // the answer takes its real length: the switch lands in it
  o.go_away_after = 2000ms;
  o.go_away_time_left = 10000ms;
  auto server = start_server(o);
  TempDir dir;
  // Quiet long enough after the question for the answer to end and the
  // switch to come while the input still flows.
  const std::string question = silence_pcm(0.2) + tone_pcm(1.0) + silence_pcm(7.0);
  const std::string in = dir.write("question.wav", wav_file(question, 16000));
  const std::string out = dir.file("answer.wav");
  // The answer is over by the end of the input: no need to wait 10 s for another.
  const Run run = run_noting("filesrc location=" + in + " ! wavparse ! geminilivesink eos-timeout=3000 " +
                             sink_args(*server) + " geminilivesrc paced=false ! wavenc ! filesink location=" + out);
  // The question, byte for byte, over the connections.
  const ServerStats s = server->stats();
  fail_unless_equals_uint64(s.audio_bytes, question.size());
  assert_str(s.audio_sha256, sha256_hex(question));
  fail_unless(s.resumed >= 1, "no resumed connection");
  fail_unless(run.has("geminilive/go-away"));
  fail_unless(run.has("geminilive/reconnecting, cause=(string)go-away"));
  fail_unless(run.has("geminilive/resumed, cause=(string)go-away, resumed=(boolean)true"));
  fail_unless(!run.has("geminilive/reconnecting, cause=(string)dropped"));
  fail_unless(run.warnings.empty(), "warning: %s", run.warnings.empty() ? "" : run.warnings[0].c_str());
  // The answer, whole.
  fail_unless(g_str_has_prefix(run.said.c_str(), "I heard "), "%s", run.said.c_str());
  const std::string answer = wav_data(read_file(out));
  fail_unless(answer == mock::synthesize_reply_pcm(run.said), "the answer differs: %zu bytes", answer.size());
}
GST_END_TEST;

// A drop while the question is sent: the elements reconnect at once and the
// answer comes; what was lost is measured.
GST_START_TEST(test_pipeline_survives_a_drop) {
  ServerOptions o = fast();
  auto server = start_server(o);
  TempDir dir;
  const std::string question = silence_pcm(0.2) + tone_pcm(1.5) + silence_pcm(1.0);
  const std::string in = dir.write("question.wav", wav_file(question, 16000));
  const std::string out = dir.file("answer.wav");
  const Run run =
      run_noting("filesrc location=" + in + " ! wavparse ! geminilivesink " + sink_args(*server) +
                     " geminilivesrc paced=false ! wavenc ! filesink location=" + out,
                 [&] {
                   fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes > 16000; }, kWait));
                   server->drop_connection();
                 });
  fail_unless(run.has("geminilive/reconnecting, cause=(string)dropped"));
  fail_unless(run.has("geminilive/resumed, cause=(string)dropped, resumed=(boolean)true, attempts=(uint)1"));
  const uint64_t got = server->stats().audio_bytes;
  const uint64_t lost = question.size() - got;
  std::fprintf(stderr, "elements drop: %" G_GUINT64_FORMAT " of %zu bytes lost (%.0f ms)\n", lost, question.size(),
               static_cast<double>(lost) / 32.0);
  fail_unless(lost <= 6400, "%" G_GUINT64_FORMAT " bytes lost", lost);  // at most 200 ms
  const std::string answer = wav_data(read_file(out));
  fail_unless(!answer.empty() && answer == mock::synthesize_reply_pcm(run.said), "the answer differs");
}
GST_END_TEST;

// A file sent as fast as it reads (sync=false) while the session cannot
// send (the server hangs for 3 s before the setup): the input waits instead
// of dropping what outgrows the 30 s the session holds. Nothing is lost.
GST_START_TEST(test_file_input_waits_instead_of_dropping) {
  auto server = start_server(fast());
  TempDir dir;
  std::string question;
  for (int i = 0; i < 40; ++i) question += tone_pcm(0.5, 16000, 300.0 + i) + silence_pcm(0.5);
  const std::string in = dir.write("question.wav", wav_file(question, 16000));
  server->stall(3000ms);
  GstElement* pipeline =
      parse_pipeline("filesrc location=" + in + " ! wavparse ! geminilivesink sync=false " + sink_args(*server));
  GstBus* bus = gst_element_get_bus(pipeline);
  fail_unless(gst_element_set_state(pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes >= question.size(); }, kWait),
              "the server got %" G_GUINT64_FORMAT " of %zu bytes", server->stats().audio_bytes, question.size());
  assert_str(server->stats().audio_sha256, sha256_hex(question));
  GstMessage* w = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
  fail_unless(w == nullptr, "a warning: audio was dropped");
  gst_element_set_state(pipeline, GST_STATE_NULL);
  release_bus(bus);
  gst_object_unref(pipeline);
}
GST_END_TEST;

static Suite* elements_src_pipelines_suite() {
  Suite* s = suite_create("elements_src_pipelines");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_pipeline_wav_question_to_wav_answer);
  tcase_add_test(tc, test_pipeline_text_question_to_text_answer);
  tcase_add_test(tc, test_pipeline_eos_event_waits_for_the_answer);
  tcase_add_test(tc, test_pipeline_survives_go_away);
  tcase_add_test(tc, test_pipeline_survives_a_drop);
  tcase_add_test(tc, test_file_input_waits_instead_of_dropping);
  return s;
}

GST_CHECK_MAIN(elements_src_pipelines);
