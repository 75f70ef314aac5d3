// SPDX-License-Identifier: LGPL-2.1-or-later
// When the turn's points happen: the end of the input and the reply that
// answers it (a reply that comes in the very instant audioStreamEnd goes out
// is not missed).
#include <gst/check/gstcheck.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "lean_server.h"
#include "session/reply_queue.h"
#include "session/turn_tracker.h"
#include "session_util.h"

using namespace geminilive::testing;
using geminilive::mock::LeanServer;

namespace {

// 20 ms of 16 kHz audio.
protocol::RealtimeInput chunk(unsigned i) {
  return protocol::RealtimeInput::with_audio({"audio/pcm;rate=16000", quiet_pcm(640, i)});
}

// A loud 440 Hz tone: speech to the server's VAD.
std::string tone(double seconds) {
  std::string pcm;
  const auto n = static_cast<std::size_t>(seconds * 16000);
  for (std::size_t i = 0; i < n; ++i) {
    const auto v =
        static_cast<uint16_t>(static_cast<int16_t>(std::lround(8000.0 * std::sin(2 * M_PI * 440.0 * i / 16000))));
    pcm.push_back(static_cast<char>(v & 0xFF));
    pcm.push_back(static_cast<char>(v >> 8));
  }
  return pcm;
}

// Records the replies' starts next to everything else.
class Replies : public Events {
 public:
  void on_reply_started(const ReplyStart& start) override {
    std::lock_guard<std::mutex> lock(mutex_);
    starts_.push_back(start);
  }
  std::optional<ReplyStart> wait_start(std::size_t n) {
    poll_until([&] {
      std::lock_guard<std::mutex> lock(mutex_);
      return starts_.size() >= n;
    });
    std::lock_guard<std::mutex> lock(mutex_);
    if (starts_.size() < n) return std::nullopt;
    return starts_[n - 1];
  }

 private:
  std::mutex mutex_;
  std::vector<ReplyStart> starts_;
};

protocol::ServerMessage content_message(const char* json) {
  auto m = protocol::decode_server_message(json);
  fail_unless(static_cast<bool>(m));
  return m.value();
}

}  // namespace

// Each reply takes the last end of input before it, once; the service's
// VAD counts as one; replies are numbered.
GST_START_TEST(test_turn_tracker_pairs_each_reply_with_the_end_of_input_before_it) {
  TurnTracker t;
  const auto output = content_message(R"({"serverContent":{"modelTurn":{"parts":[{"text":"Hi"}]}}})");
  const auto complete = content_message(R"({"serverContent":{"turnComplete":true}})");
  t.input_ended({SpeechEndSource::Text, 100});
  t.input_ended({SpeechEndSource::ActivityEnd, 200});  // the later one counts
  TurnEvents ev = t.observe(output, 500);
  fail_unless(ev.reply_started);
  fail_unless_equals_int(ev.reply.turn, 1);
  fail_unless_equals_int64(ev.reply.received_us, 500);
  fail_unless(ev.reply.speech_end && ev.reply.speech_end->source == SpeechEndSource::ActivityEnd);
  fail_unless_equals_int64(ev.reply.speech_end->at_us, 200);
  // An end of input during the reply is the next reply's reference.
  t.input_ended({SpeechEndSource::AudioStreamEnd, 600});
  t.observe(complete, 700);
  ev = t.observe(output, 900);
  fail_unless_equals_int(ev.reply.turn, 2);
  fail_unless_equals_int64(ev.reply.speech_end->at_us, 600);
  t.observe(complete, 950);
  // Nothing said where the user stopped: no reference.
  ev = t.observe(output, 1000);
  fail_unless(ev.reply_started && !ev.reply.speech_end);
  t.observe(complete, 1100);
  // The service's VAD (both forms) is the reference when it is the last word.
  t.observe(content_message(R"({"voiceActivity":{"type":"ACTIVITY_END"}})"), 1200);
  ev = t.observe(output, 1500);
  fail_unless(ev.reply.speech_end && ev.reply.speech_end->source == SpeechEndSource::VoiceActivity);
  fail_unless_equals_int64(ev.reply.speech_end->at_us, 1200);
  t.observe(complete, 1600);
  t.observe(content_message(R"({"voiceActivityDetectionSignal":{"vadSignalType":"VAD_SIGNAL_TYPE_EOS"}})"), 1700);
  ev = t.observe(output, 1800);
  fail_unless_equals_int64(ev.reply.speech_end->at_us, 1700);
  fail_unless_equals_string(speech_end_source_name(ev.reply.speech_end->source), "voice-activity");
}
GST_END_TEST;

// Push-to-talk against a server that thinks 300 ms: the reply's start comes
// at least that long after activityEnd, on one monotonic clock.
GST_START_TEST(test_reply_start_is_measured_from_activity_end_and_text) {
  ServerOptions o = opts();
  o.first_reply_delay = 300ms;
  auto events = std::make_shared<Replies>();
  auto server = start_server(o);
  SessionConfig c = config_for(*server);
  c.setup.realtime_input_config = protocol::RealtimeInputConfig{};
  c.setup.realtime_input_config->automatic_activity_detection = protocol::AutomaticActivityDetection{};
  c.setup.realtime_input_config->automatic_activity_detection->disabled = true;
  auto session = start_session(c, events);
  events->wait_state(SessionState::Ready);
  protocol::RealtimeInput start;
  start.activity_start = true;
  session->send(start);
  session->send(protocol::RealtimeInput::with_audio({"audio/pcm;rate=16000", tone(0.5)}));
  protocol::RealtimeInput end;
  end.activity_end = true;
  const int64_t before = g_get_monotonic_time();
  session->send(end);
  const int64_t after = g_get_monotonic_time();
  auto r1 = events->wait_start(1);
  fail_unless(r1.has_value(), "the reply did not start");
  fail_unless_equals_int(r1->turn, 1);
  fail_unless(r1->speech_end && r1->speech_end->source == SpeechEndSource::ActivityEnd);
  fail_unless(r1->speech_end->at_us >= before && r1->speech_end->at_us <= after);
  const int64_t waited = r1->received_us - r1->speech_end->at_us;
  fail_unless(waited >= 300000 && waited < 3000000, "%" G_GINT64_FORMAT " us to the reply", waited);
  events->wait_message(is_turn_complete);

  // The next turn is numbered on.
  session->send(start);
  session->send(protocol::RealtimeInput::with_audio({"audio/pcm;rate=16000", tone(0.3)}));
  session->send(end);
  auto r2 = events->wait_start(2);
  fail_unless(r2.has_value(), "the second reply did not start");
  fail_unless_equals_int(r2->turn, 2);
  fail_unless(r2->speech_end && r2->speech_end->source == SpeechEndSource::ActivityEnd);
  fail_unless(r2->received_us - r2->speech_end->at_us >= 300000);
  session->stop();
}
GST_END_TEST;

// Server VAD on continuous audio: the service's voiceActivity ACTIVITY_END
// is the reference, received before the reply; a typed turn is measured
// from the text.
GST_START_TEST(test_reply_start_is_measured_from_the_services_vad) {
  ServerOptions o = opts();
  o.first_reply_delay = 300ms;
  o.end_of_speech_silence = 200ms;
  auto events = std::make_shared<Replies>();
  auto server = start_server(o);
  auto session = start_session(config_for(*server), events);
  events->wait_state(SessionState::Ready);
  session->send(protocol::RealtimeInput::with_audio({"audio/pcm;rate=16000", tone(0.4)}));
  session->send(protocol::RealtimeInput::with_audio({"audio/pcm;rate=16000", quiet_pcm(16000, 1)}));
  auto r1 = events->wait_start(1);
  fail_unless(r1.has_value(), "the reply did not start");
  fail_unless(r1->speech_end && r1->speech_end->source == SpeechEndSource::VoiceActivity);
  const int64_t waited = r1->received_us - r1->speech_end->at_us;
  fail_unless(waited >= 250000 && waited < 3000000, "%" G_GINT64_FORMAT " us to the reply", waited);
  events->wait_message(is_turn_complete);
  session->send(protocol::RealtimeInput::with_text("and now?"));
  auto r2 = events->wait_start(2);
  fail_unless(r2.has_value(), "the second reply did not start");
  fail_unless(r2->speech_end && r2->speech_end->source == SpeechEndSource::Text);
  fail_unless(r2->received_us - r2->speech_end->at_us >= 300000);
  session->stop();
}
GST_END_TEST;

// The reply queue tells its consumer when a turn's first byte leaves and
// whether the turn being played has more to come (an underrun when a take
// falls short then).
GST_START_TEST(test_reply_queue_marks_the_turns_audio) {
  ReplyQueue q;
  ReplyQueue::AudioTurns t;
  q.push_audio(std::string(100, 'a'));  // the end of an answer before any mark
  q.begin_turn(1);
  q.push_audio(std::string(100, 'b'));
  fail_unless_equals_int(q.take_audio(60, &t).size(), 60);
  fail_unless(t.started == 0 && t.playing == 0);
  fail_unless_equals_int(q.take_audio(60, &t).size(), 60);  // 40 of a, then b's first 20
  fail_unless(t.started == 1 && t.playing == 1 && t.open);
  fail_unless_equals_int(q.take_audio(200, &t).size(), 80);  // runs dry inside turn 1
  fail_unless(t.started == 0 && t.playing == 1 && t.open);
  q.end_turn();
  fail_unless(q.take_audio(60, &t).empty());
  fail_unless(t.playing == 1 && !t.open);  // between turns
  // A turn without audio leaves no mark; one cut by clear() never starts.
  q.begin_turn(2);
  q.end_turn();
  q.begin_turn(3);
  q.push_audio(std::string(50, 'c'));
  q.clear();
  q.begin_turn(4);
  q.push_audio(std::string(50, 'd'));
  q.take_audio(10, &t);
  fail_unless_equals_int(t.started, 4);
}
GST_END_TEST;

// The lean server answers audioStreamEnd at once, in one burst (its reply,
// then turnComplete): the session must take it as the answer to the end of
// input, not wait reply_start_timeout for another.
GST_START_TEST(test_reply_at_the_instant_of_audio_stream_end_finishes_at_once) {
  LeanServer::Options options;
  options.reply_delay_us = 0;
  LeanServer server(options);
  std::string error;
  fail_unless(server.start(&error), "%s", error.c_str());
  for (int round = 0; round < 10; ++round) {
    auto events = std::make_shared<Events>();
    SessionConfig c;
    c.uri = server.uri() + kLivePath;
    c.api_key = "test-key";
    c.setup.model = kModel;
    c.connect_timeout = 5s;
    c.reply_start_timeout = 10s;
    auto session = start_session(c, events);
    events->wait_state(SessionState::Ready);
    for (unsigned i = 0; i < 10; ++i) session->send(chunk(i));
    const auto ended = std::chrono::steady_clock::now();
    session->end_input(true);
    events->wait_state(SessionState::Finished, 15s);
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - ended);
    fail_unless(waited < 2s, "round %d: the session finished %lld ms after the end of input, its reply long since in",
                round, static_cast<long long>(waited.count()));
    session->stop();
  }
}
GST_END_TEST;

static Suite* session_turn_timing_suite() {
  Suite* s = suite_create("session_turn_timing");
  TCase* tc = tcase_create("general");
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_turn_tracker_pairs_each_reply_with_the_end_of_input_before_it);
  tcase_add_test(tc, test_reply_queue_marks_the_turns_audio);
  tcase_add_test(tc, test_reply_at_the_instant_of_audio_stream_end_finishes_at_once);
  tcase_add_test(tc, test_reply_start_is_measured_from_activity_end_and_text);
  tcase_add_test(tc, test_reply_start_is_measured_from_the_services_vad);
  return s;
}

GST_CHECK_MAIN(session_turn_timing);
