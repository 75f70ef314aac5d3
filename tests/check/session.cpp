// LiveSession and Channel as the elements use them, against the in-process
// Live server: what the server receives (setup first, held messages in
// order, audio complete), what the observer sees (replies, states, warnings,
// errors with the right kind and words), finishing after end_input, and
// stopping at any moment.
#include <gio/gio.h>
#include <gst/check/gstcheck.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"
#include "session_util.h"
#include "protocol/client_message.h"
#include "protocol/server_message.h"
#include "reply_synth.h"
#include "session/channel.h"
#include "session/held_messages.h"
#include "session/live_session.h"
#include "session/session_error.h"
#include "session/tool_calls.h"
#include "session/turn_tracker.h"

using namespace geminilive::testing;
using namespace geminilive::session;
namespace mock = geminilive::mock;
namespace protocol = geminilive::protocol;
using namespace std::chrono_literals;
using Kind = SessionError::Kind;

namespace {

std::string free_port_uri() {
  auto server = start_server(opts());
  const std::string uri = live_uri(*server);
  server.reset();  // nothing listens there any more
  return uri;
}

// The client frames the server received of one kind ("toolResponse", ...), in order.
std::vector<std::string> received_of_kind(const LiveServer& server, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& text : server.received_messages()) {
    auto m = protocol::decode_client_message(text);
    if (m && kind == protocol::client_message_kind(m.value())) out.push_back(text);
  }
  return out;
}

protocol::FunctionResponse function_response(const std::string& id, const std::string& name, const char* json) {
  protocol::FunctionResponse r;
  r.id = id;
  r.name = name;
  r.response = protocol::JsonValue::parse(json).value();
  return r;
}

bool is_tool_call(const protocol::ServerMessage& m) { return m.tool_call.has_value(); }

}  // namespace

// ---- pure parts ----

GST_START_TEST(test_state_names) {
  assert_str(session_state_name(SessionState::Idle), "idle");
  assert_str(session_state_name(SessionState::SettingUp), "setting-up");
  assert_str(session_state_name(SessionState::Finished), "finished");
  assert_str(session_state_name(SessionState::Failed), "failed");
}
GST_END_TEST;

GST_START_TEST(test_close_mapping) {
  using geminilive::transport::CloseInfo;
  const std::string uri = "wss://example.test/ws/Live?key=SECRET";
  auto map = [&](CloseInfo::Kind kind, int code, std::string reason, int http = 0) {
    CloseInfo info;
    info.kind = kind;
    info.code = code;
    info.reason = std::move(reason);
    info.http_status = http;
    SessionError e = error_for_close(info, uri);
    fail_unless(!contains(e.message, "SECRET"), "the key leaked: %s", e.message.c_str());
    return e;
  };

  SessionError e = map(CloseInfo::Kind::Closed, 1008, kBadKey);
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless_equals_int(e.close_code, 1008);
  assert_str(e.reason, kBadKey);
  assert_str(e.message,
             "Gemini Live closed the session: API key not valid. Please pass a valid API key. "
             "(close code 1008 policy violation). Check the api-key property or GEMINI_API_KEY.");

  e = map(CloseInfo::Kind::ConnectFailed, 1006, "Unauthorized (HTTP 401 Unauthorized)", 401);
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless_equals_int(e.close_code, 0);
  fail_unless(contains(e.message, "GEMINI_API_KEY"));
  e = map(CloseInfo::Kind::ConnectFailed, 1006, "Forbidden", 403);
  fail_unless(e.kind == Kind::Unauthorized);

  e = map(CloseInfo::Kind::ConnectFailed, 1006, "Unacceptable TLS certificate: certificate expired");
  fail_unless(e.kind == Kind::Connect);
  assert_str(e.message,
             "Could not connect to Gemini Live at wss://example.test/ws/Live: "
             "Unacceptable TLS certificate: certificate expired");

  e = map(CloseInfo::Kind::Closed, 1008, "models/x is not found for API version v1beta, or is not supported");
  fail_unless(e.kind == Kind::NotFound);
  fail_unless(contains(e.message, "model"));
  e = map(CloseInfo::Kind::Closed, 1008, "BidiGenerateContent session not found");
  fail_unless(e.kind == Kind::NotFound);
  fail_unless(contains(e.message, "resumption handle"));
  e = map(CloseInfo::Kind::Closed, 1008, "The operation was aborted.");
  fail_unless(e.kind == Kind::Closed);

  e = map(CloseInfo::Kind::Closed, 1007, "Request contains an invalid argument.");
  fail_unless(e.kind == Kind::InvalidArgument);
  fail_unless_equals_int(e.close_code, 1007);

  e = map(CloseInfo::Kind::Dropped, 1006, "connection closed without a close frame");
  fail_unless(e.kind == Kind::Closed);
  fail_unless_equals_int(e.close_code, 1006);
  assert_str(e.message,
             "The connection to Gemini Live was lost: connection closed without a close frame "
             "(close code 1006 abnormal closure)");

  e = map(CloseInfo::Kind::Closed, 1011, "Internal error encountered.");
  fail_unless(e.kind == Kind::Closed);
  assert_str(e.message, "Gemini Live closed the session: Internal error encountered. (close code 1011 internal error)");

  e = map(CloseInfo::Kind::Closed, 1000, "");
  fail_unless(e.kind == Kind::Closed);
  assert_str(e.message, "Gemini Live closed the session: the service ended the session (close code 1000 normal closure)");
}
GST_END_TEST;

GST_START_TEST(test_held_messages_bounds) {
  HeldMessages held;
  const std::string chunk = quiet_pcm(3200, 1);  // 100 ms at 16 kHz
  for (int i = 0; i < 120; ++i) {
    held.push(Outbound::encode(audio(chunk)));
    if (i == 10) held.push(Outbound::encode(protocol::RealtimeInput::with_text("kept")));
  }
  // 12 s went in; the oldest 2 s of audio went out, the text stayed.
  fail_unless_equals_int64(held.audio().count(), 10000000);
  Dropped d = held.take_dropped();
  fail_unless_equals_int64(d.messages, 20);
  fail_unless_equals_int64(d.bytes, 20 * 3200);
  fail_unless_equals_int64(d.audio.count(), 2000000);
  fail_unless(!held.take_dropped().any());

  fail_unless(!held.push_latest_frame(Outbound::encode(protocol::RealtimeInput::with_video({"image/jpeg", "1"}))));
  held.push(Outbound::encode(protocol::RealtimeInput::with_text("after")));
  fail_unless(held.push_latest_frame(Outbound::encode(protocol::RealtimeInput::with_video({"image/jpeg", "2"}))));
  auto all = held.take();
  fail_unless(held.empty() && held.bytes() == 0);
  fail_unless_equals_int64(all.size(), 100 + 3);
  assert_str(all[0].json, protocol::encode_client_message(protocol::RealtimeInput::with_text("kept")));
  assert_str(all[101].json, protocol::encode_client_message(protocol::RealtimeInput::with_text("after")));
  assert_str(all[102].json,
             protocol::encode_client_message(protocol::RealtimeInput::with_video({"image/jpeg", "2"})));

  // The byte limit holds too.
  HeldMessages small(HeldMessages::Limits{std::chrono::seconds(100), 10000});
  for (int i = 0; i < 5; ++i) small.push(Outbound::encode(audio(chunk)));
  fail_unless(small.bytes() <= 10000);
  fail_unless(small.take_dropped().any());
  fail_unless_equals_int64(pcm_duration({"audio/pcm;rate=24000", std::string(48000, '\0')}).count(), 1000000);
}
GST_END_TEST;

GST_START_TEST(test_turn_tracker) {
  auto content = [](auto set) {
    protocol::ServerMessage m;
    m.server_content = protocol::ServerContent{};
    set(*m.server_content);
    return m;
  };
  TurnTracker t;
  // An input transcription alone is not the model answering.
  auto ev = t.observe(content([](auto& c) { c.input_transcription = protocol::Transcription{"hi", true, {}}; }));
  fail_unless(!ev.reply_started && !t.under_way());
  ev = t.observe(content([](auto& c) { c.model_turn = protocol::Content::from_text("a", "model"); }));
  fail_unless(ev.reply_started && t.under_way());
  ev = t.observe(content([](auto& c) { c.generation_complete = true; }));
  fail_unless(!ev.reply_started && !ev.turn_complete);
  ev = t.observe(content([](auto& c) { c.turn_complete = true; }));
  fail_unless(ev.turn_complete && !ev.interrupted && !t.under_way());

  protocol::ServerMessage call;
  call.tool_call = protocol::ToolCall{};
  fail_unless(t.observe(call).reply_started);
  fail_unless(!t.observe(content([](auto& c) { c.interrupted = true; })).turn_complete);
  ev = t.observe(content([](auto& c) { c.turn_complete = true; }));
  fail_unless(ev.turn_complete && ev.interrupted);
}
GST_END_TEST;

// ---- the wire ----

GST_START_TEST(test_setup_first_then_held_messages_in_order) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  const SessionConfig config = config_for(*server);
  auto session = LiveSession::create(config, events);

  // Sent before start(): all of it must wait for setupComplete.
  protocol::ClientContent history;
  history.turns.push_back(protocol::Content::from_text("earlier", "user"));
  history.turn_complete = false;
  const std::vector<protocol::ClientMessage> held = {
      audio(quiet_pcm(3200, 1)),
      protocol::RealtimeInput::with_video(jpeg()),
      history,
      audio(quiet_pcm(3200, 2)),
  };
  for (const auto& m : held) session->send(m);
  fail_unless(session->state() == SessionState::Idle);
  session->start();
  events->wait_state(SessionState::Ready);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes == 6400; }, kWait));

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 1 + held.size());
  // Resumption is on by default: the setup asks for handles.
  protocol::Setup sent_setup = config.setup;
  sent_setup.session_resumption = protocol::SessionResumptionConfig{};
  assert_str(received[0], protocol::encode_client_message(sent_setup));
  assert_str(server->stats().last_setup_json, protocol::encode_client_message(sent_setup));
  for (std::size_t i = 0; i < held.size(); ++i) assert_str(received[i + 1], protocol::encode_client_message(held[i]));

  // States in order; setupComplete reaches the observer before Ready.
  auto all = events->events();
  const std::size_t connecting = Events::index_of_state(all, SessionState::Connecting);
  const std::size_t setting_up = Events::index_of_state(all, SessionState::SettingUp);
  const std::size_t ready = Events::index_of_state(all, SessionState::Ready);
  fail_unless(connecting < setting_up && setting_up < ready);
  fail_unless(all[ready - 1].type == Event::Type::Message && all[ready - 1].message.setup_complete);

  SessionStats s = session->stats();
  fail_unless_equals_int64(s.messages_sent, 5);
  fail_unless_equals_int64(s.audio_bytes_sent, 6400);
  fail_unless_equals_int64(s.video_frames_sent, 1);
  fail_unless(s.messages_received >= 1);  // setupComplete, then the first handle
  session->stop();
  fail_unless(session->state() == SessionState::Closed);
  fail_unless(events->last_state() == SessionState::Closed);
}
GST_END_TEST;

GST_START_TEST(test_audio_arrives_complete) {
  Live l = ready_session();
  auto& server = l.server;
  auto& session = l.session;

  // One thread: the bytes, in order.
  std::string sent;
  for (unsigned i = 0; i < 50; ++i) {
    const std::string chunk = quiet_pcm(640, i);
    sent += chunk;
    session->send(audio(chunk));
  }
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == sent.size(); }, kWait));
  assert_str(server->stats().audio_sha256, sha256_hex(sent));

  // Two threads at once: nothing lost.
  auto sender = [&](unsigned seed) {
    for (unsigned i = 0; i < 200; ++i) session->send(audio(quiet_pcm(640, seed + i)));
  };
  std::thread a(sender, 1000), b(sender, 5000);
  a.join();
  b.join();
  const uint64_t total = sent.size() + 2 * 200 * 640;
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == total; }, kWait),
              "the server got %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes", server->stats().audio_bytes,
              total);
  fail_unless_equals_int64(session->stats().audio_bytes_sent, total);
  fail_unless_equals_int64(session->stats().messages_sent, 1 + 450);
}
GST_END_TEST;

GST_START_TEST(test_newest_video_frame_wins_before_ready) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  auto session = LiveSession::create(config_for(*server), events);
  session->send_video_frame({"image/jpeg", "stale frame 1"});
  session->send_video_frame({"image/jpeg", "stale frame 2"});
  session->send_video_frame(jpeg());
  fail_unless_equals_int64(session->stats().video_frames_replaced, 2);
  session->start();
  events->wait_state(SessionState::Ready);
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames >= 1; }, kWait));

  // After Ready frames go straight out.
  session->send_video_frame(jpeg());
  fail_unless(server->wait_for([](const ServerStats& s) { return s.video_frames == 2; }, kWait));
  ServerStats s = server->stats();
  fail_unless_equals_int(s.last_frame_width, 64);
  fail_unless_equals_int(s.last_frame_height, 48);
  fail_unless_equals_int64(session->stats().video_frames_sent, 2);
  fail_unless_equals_int64(session->stats().video_frames_replaced, 2);
}
GST_END_TEST;

// ---- end of input ----

GST_START_TEST(test_end_input_audio_stream_end) {
  Live l = ready_session();
  auto& [server, events, session] = l;

  const std::string speech = mock::synthesize_reply_pcm("testing one two three");
  for (std::size_t at = 0; at < speech.size(); at += 4800) session->send(audio(speech.substr(at, 4800), 24000));
  session->end_input(true);
  events->wait_state(SessionState::Finished);

  assert_str(server->received_messages().back(), R"({"realtimeInput":{"audioStreamEnd":true}})");
  // The reply, then Finished.
  auto all = events->events();
  const std::size_t finishing = Events::index_of_state(all, SessionState::Finishing);
  const std::size_t finished = Events::index_of_state(all, SessionState::Finished);
  std::size_t turn_complete = SIZE_MAX;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].type == Event::Type::Message && is_turn_complete(all[i].message)) turn_complete = i;
  fail_unless(finishing < turn_complete && turn_complete < finished);
  fail_unless_equals_int64(finished, all.size() - 1);
  fail_unless(!events->reply_pcm().empty());
  fail_unless_equals_int64(session->stats().audio_bytes_received, events->reply_pcm().size());
  fail_unless(events->warnings().empty());
  fail_unless_equals_int(server->stats().turns_completed, 1);
  fail_unless(session->state() == SessionState::Finished);

  session->stop();  // after Finished: no error, the state stays
  fail_unless(session->state() == SessionState::Finished);
}
GST_END_TEST;

GST_START_TEST(test_end_input_text_reply) {
  ServerOptions o = opts();
  o.first_reply_delay = 300ms;  // end_input comes before the reply starts
  Live l = ready_session(o, true);
  auto& [server, events, session] = l;

  const gint64 t0 = g_get_monotonic_time();
  session->send(protocol::RealtimeInput::with_text("hello"));
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  // Finished by the turnComplete, not by a timeout.
  fail_unless((g_get_monotonic_time() - t0) / 1000 < 3000);
  assert_str(events->reply_text(), "You wrote: hello.");
  fail_unless(events->warnings().empty());
  for (const auto& m : server->received_messages()) fail_unless(!contains(m, "audioStreamEnd"));
}
GST_END_TEST;

// Text only: when every text was answered, the end of the input finishes at
// once, not after reply_start_timeout.
GST_START_TEST(test_end_input_after_the_answer_finishes_at_once) {
  Live l = ready_session(opts(), true, [](SessionConfig& c) { c.reply_start_timeout = 10s; });
  auto& [server, events, session] = l;

  session->send(protocol::RealtimeInput::with_text("hello"));
  events->wait_message(is_turn_complete);
  const gint64 t0 = g_get_monotonic_time();
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  const gint64 ms = (g_get_monotonic_time() - t0) / 1000;
  fail_unless(ms < 1000, "finished %" G_GINT64_FORMAT " ms after the answer", ms);
  assert_str(events->reply_text(), "You wrote: hello.");
  fail_unless(events->warnings().empty());
}
GST_END_TEST;

// A text sent after the last turnComplete is still answered before Finished.
GST_START_TEST(test_end_input_waits_for_a_text_sent_after_the_answer) {
  ServerOptions o = opts();
  o.first_reply_delay = 300ms;  // end_input comes before the second reply starts
  Live l = ready_session(o, true, [](SessionConfig& c) { c.reply_start_timeout = 10s; });
  auto& [server, events, session] = l;

  session->send(protocol::RealtimeInput::with_text("hello"));
  events->wait_message(is_turn_complete);
  session->send(protocol::RealtimeInput::with_text("again"));
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  assert_str(events->reply_text(), "You wrote: hello.You wrote: again.");
  fail_unless(events->warnings().empty());
}
GST_END_TEST;

GST_START_TEST(test_end_input_without_reply) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.reply_start_timeout = 300ms; });
  auto& [server, events, session] = l;

  const gint64 t0 = g_get_monotonic_time();
  session->end_input(true);  // no input at all: nothing to answer
  events->wait_state(SessionState::Finished);
  const gint64 ms = (g_get_monotonic_time() - t0) / 1000;
  fail_unless(ms >= 290 && ms < 3000, "finished after %" G_GINT64_FORMAT " ms", ms);
  fail_unless(events->warnings().empty());
  fail_unless_equals_int(server->stats().turns_started, 0);

  // Sending after Finished is ignored.
  session->send(protocol::RealtimeInput::with_text("late"));
  std::this_thread::sleep_for(100ms);
  fail_unless(server->stats().texts.empty());
}
GST_END_TEST;

GST_START_TEST(test_end_input_before_ready) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  auto session = LiveSession::create(config_for(*server), events);
  // A tiny file: all of it, and its end, before the connection exists.
  session->send_video_frame(jpeg());
  session->end_input(true);
  session->start();
  events->wait_state(SessionState::Finished);

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 3);
  fail_unless(contains(received[0], "\"setup\""));
  fail_unless(contains(received[1], "\"video\""));
  assert_str(received[2], R"({"realtimeInput":{"audioStreamEnd":true}})");
  const std::string expected = mock::synthesize_reply_pcm("I saw 1 frame, a 64x48 JPEG.");
  fail_unless(events->reply_pcm() == expected, "the reply is not the expected speech");
  auto all = events->events();
  fail_unless(Events::index_of_state(all, SessionState::Ready) < Events::index_of_state(all, SessionState::Finishing));
}
GST_END_TEST;

GST_START_TEST(test_held_audio_is_bounded) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.max_held_audio = 10s;
  auto session = LiveSession::create(config, events);
  std::string kept;
  for (unsigned i = 0; i < 120; ++i) {  // 12 s of 100 ms chunks while not connected
    const std::string chunk = quiet_pcm(3200, i);
    if (i >= 20) kept += chunk;
    session->send(audio(chunk));
  }
  session->start();
  events->wait_state(SessionState::Ready);
  fail_unless(server->wait_for([&](const ServerStats& s) { return s.audio_bytes == kept.size(); }, kWait));
  assert_str(server->stats().audio_sha256, sha256_hex(kept));

  // Reported with the amount, not per chunk.
  fail_unless(events->wait([](const auto& e) {
    for (const auto& ev : e)
      if (ev.type == Event::Type::Warning) return true;
    return false;
  }));
  std::this_thread::sleep_for(50ms);
  auto warnings = events->warnings();
  fail_unless(!warnings.empty() && warnings.size() <= 2, "%zu warnings", warnings.size());
  fail_unless(contains(warnings[0], "dropped the oldest"), "%s", warnings[0].c_str());
  fail_unless(contains(warnings[0], "of audio ("), "%s", warnings[0].c_str());
  uint64_t dropped = 0;
  for (const auto& w : warnings) dropped += std::stoull(w.substr(w.find('(') + 1));
  fail_unless_equals_int64(dropped, 20 * 3200);
}
GST_END_TEST;

// ---- failures ----

GST_START_TEST(test_wrong_key) {
  ServerOptions o = opts();
  o.api_key = "the-right-key";
  auto server = start_server(o);
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.api_key = "a-wrong-key";
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Unauthorized);
  fail_unless_equals_int(e.close_code, 1008);
  assert_str(e.reason, kBadKey);
  fail_unless(contains(e.message, "GEMINI_API_KEY"));
  fail_unless(!contains(e.message, "a-wrong-key"));
  events->wait_state(SessionState::Failed);
  fail_unless(session->state() == SessionState::Failed);
  // Nothing but (at most) the setup went out; the error comes before the Failed state.
  fail_unless(server->received_messages().size() <= 1);
  auto all = events->events();
  fail_unless(all.back().type == Event::Type::State && all.back().state == SessionState::Failed);
  fail_unless(all[all.size() - 2].type == Event::Type::Error);
}
GST_END_TEST;

GST_START_TEST(test_missing_key) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.api_key.clear();
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Settings);
  fail_unless(contains(e.message, "GEMINI_API_KEY"));
  events->wait_state(SessionState::Failed);
  fail_unless(Events::index_of_state(events->events(), SessionState::Connecting) == SIZE_MAX);
  std::this_thread::sleep_for(100ms);
  fail_unless_equals_int(server->stats().connections, 0);

  auto events2 = std::make_shared<Events>();
  config = config_for(*server);
  config.uri.clear();
  auto session2 = start_session(config, events2);
  fail_unless(events2->wait_error().kind == Kind::Settings);
}
GST_END_TEST;

GST_START_TEST(test_nothing_listening) {
  auto events = std::make_shared<Events>();
  SessionConfig config;
  config.uri = free_port_uri();
  config.api_key = "test-key";
  config.setup.model = kModel;
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Connect);
  fail_unless_equals_int(e.close_code, 0);
  fail_unless(contains(e.message, config.uri), "%s", e.message.c_str());
  fail_unless(!e.reason.empty());
}
GST_END_TEST;

GST_START_TEST(test_setup_timeout) {
  SilentListener silent;  // the upgrade is never answered
  auto events = std::make_shared<Events>();
  SessionConfig config;
  config.uri = silent.live_uri();
  config.api_key = "test-key";
  config.connect_timeout = 500ms;
  const gint64 t0 = g_get_monotonic_time();
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  const gint64 ms = (g_get_monotonic_time() - t0) / 1000;
  fail_unless(e.kind == Kind::Connect);
  fail_unless(ms >= 450 && ms < 3000, "failed after %" G_GINT64_FORMAT " ms", ms);
  fail_unless(contains(e.message, "0.5 s"), "%s", e.message.c_str());
}
GST_END_TEST;

GST_START_TEST(test_server_closes_mid_stream) {
  ServerOptions o = opts();
  o.close_after = 200ms;
  o.close_code = 1011;
  o.close_reason = "Internal error encountered.";
  // Without resumption a 1011 ends the session (with it, the session
  // reconnects: see the resilience tests).
  Live l = ready_session(o, false, [](SessionConfig& c) { c.resumption = false; });
  auto& [server, events, session] = l;
  std::atomic<bool> done{false};
  std::thread sender([&] {
    for (unsigned i = 0; !done; ++i) {
      l.session->send(audio(quiet_pcm(640, i)));
      std::this_thread::sleep_for(5ms);
    }
  });
  SessionError e = events->wait_error();
  done = true;
  sender.join();
  fail_unless(e.kind == Kind::Closed);
  fail_unless_equals_int(e.close_code, 1011);
  assert_str(e.reason, "Internal error encountered.");
  fail_unless(contains(e.message, "Internal error encountered."));
  events->wait_state(SessionState::Failed);
}
GST_END_TEST;

GST_START_TEST(test_connection_dropped) {
  ServerOptions o = opts();
  o.drop_after = 150ms;
  auto server = start_server(o);
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.max_reconnect_attempts = 0;  // reconnection off: the drop is the end
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Closed);
  fail_unless_equals_int(e.close_code, 1006);
}
GST_END_TEST;

GST_START_TEST(test_bad_model) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.setup.model = "gpt-4o";  // sent as configured: the server wants models/...
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::NotFound);
  fail_unless_equals_int(e.close_code, 1008);
  fail_unless(g_str_has_prefix(e.reason.c_str(), "models/gpt-4o is not found"), "%s", e.reason.c_str());
}
GST_END_TEST;

GST_START_TEST(test_invalid_argument) {
  Live l = ready_session();
  auto& [server, events, session] = l;
  server->close_connection(1007, "Request contains an invalid argument.");
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::InvalidArgument);
  fail_unless_equals_int(e.close_code, 1007);
  assert_str(e.reason, "Request contains an invalid argument.");
}
GST_END_TEST;

GST_START_TEST(test_malformed_message_is_skipped) {
  Live l = ready_session(opts(), true);
  auto& [server, events, session] = l;
  server->send_raw("{not json", false);
  fail_unless(events->wait([](const auto& e) {
    for (const auto& ev : e)
      if (ev.type == Event::Type::Warning) return true;
    return false;
  }));
  const std::string w = events->warnings().at(0);
  fail_unless(g_str_has_prefix(w.c_str(), "skipped a malformed message from the service: "), "%s", w.c_str());

  // The session goes on.
  session->send(protocol::RealtimeInput::with_text("still there?"));
  events->wait_message(is_turn_complete);
  // The handle the server sends after each turn comes last.
  events->wait([](const auto& e) {
    return !e.empty() && e.back().type == Event::Type::Message && e.back().message.session_resumption_update;
  });
  assert_str(events->reply_text(), "You wrote: still there?");
  fail_unless(session->state() == SessionState::Ready);
  std::size_t messages = 0;
  for (const auto& ev : events->events()) messages += ev.type == Event::Type::Message;
  fail_unless_equals_int64(session->stats().messages_received, messages + 1);  // + the malformed one
}
GST_END_TEST;

// Text that is not UTF-8 can't go in a text frame: that message is dropped
// with a warning, and what follows it still goes out on the same connection.
GST_START_TEST(test_text_not_utf8_is_dropped) {
  Live l = ready_session(opts(), true);
  auto& [server, events, session] = l;
  session->send(protocol::RealtimeInput::with_text("caf\xe9"));
  session->send(protocol::RealtimeInput::with_text("still there?"));
  events->wait_message(is_turn_complete);
  assert_str(events->reply_text(), "You wrote: still there?");
  const auto warnings = events->warnings();
  fail_unless_equals_int64(warnings.size(), 1);
  assert_str(warnings[0], "dropped a message whose text is not UTF-8");
  fail_unless_equals_int(server->stats().connections, 1);
  fail_unless(session->state() == SessionState::Ready);
}
GST_END_TEST;

// A setup that can't be sent fails at once with the reason, rather than
// after the setup timeout.
GST_START_TEST(test_setup_not_utf8_fails_at_once) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.setup.system_instruction = protocol::Content::from_text("r\xe9sum\xe9");
  auto session = start_session(config, events);
  SessionError e = events->wait_error();
  fail_unless(e.kind == Kind::Settings);
  fail_unless(contains(e.message, "not UTF-8"), "%s", e.message.c_str());
  fail_unless_equals_int(server->stats().connections, 0);
}
GST_END_TEST;

// ---- stopping ----

GST_START_TEST(test_stop_while_streaming) {
  ServerOptions o = opts();
  o.reply_speed = 1.0;  // a reply that lasts
  Live l = ready_session(o, true);
  auto& [server, events, session] = l;
  std::atomic<bool> done{false};
  std::thread sender([&] {
    for (unsigned i = 0; !done; ++i) {
      l.session->send(audio(quiet_pcm(640, i)));
      if (i % 50 == 0) l.session->send(protocol::RealtimeInput::with_text("talk to me for a while, please"));
      std::this_thread::sleep_for(1ms);
    }
  });
  events->wait_message([](const auto& m) { return m.server_content && m.server_content->model_turn; });
  session->stop();
  events->forbid();
  fail_unless(session->state() == SessionState::Closed);
  std::this_thread::sleep_for(300ms);  // the sender keeps going: ignored
  done = true;
  sender.join();
  session->stop();  // twice: nothing
  session.reset();
  fail_unless_equals_int(events->late_calls(), 0);
  fail_unless(events->last_state() == SessionState::Closed);
}
GST_END_TEST;

GST_START_TEST(test_many_sessions_start_and_stop) {
  auto server = start_server(opts());
  for (int i = 0; i < 50; ++i) {
    auto events = std::make_shared<Events>();
    auto session = start_session(config_for(*server), events);
    switch (i % 4) {
      case 0:
        break;  // stop at once, likely while connecting
      case 1:
        events->wait_state(SessionState::Ready);
        break;
      case 2:
        for (unsigned k = 0; k < 20; ++k) session->send(audio(quiet_pcm(640, k)));
        break;
      case 3:
        session->end_input(true);
        break;
    }
    if (i % 5 == 0) {
      session.reset();  // the last reference stops it too
    } else {
      std::thread other([&] { session->stop(); });  // stop and stop at once
      session->stop();
      other.join();
    }
    events->forbid();
    session.reset();
    fail_unless_equals_int(events->late_calls(), 0);
  }
}
GST_END_TEST;

// Drops the last reference from inside a callback on the session's thread.
class DropsSession : public Events {
 public:
  std::shared_ptr<LiveSession> session;
  void on_message(const protocol::ServerMessage& m) override {
    Events::on_message(m);
    if (m.setup_complete) session.reset();
  }
};

GST_START_TEST(test_last_reference_dropped_in_callback) {
  auto server = start_server(opts());
  for (int i = 0; i < 5; ++i) {
    auto events = std::make_shared<DropsSession>();
    events->session = LiveSession::create(config_for(*server), events);
    events->session->start();
    events->wait_state(SessionState::Closed);
    fail_unless(events->wait([&](const auto&) { return server->stats().setups >= unsigned(i + 1); }));
  }
}
GST_END_TEST;


// ---- context changes, function calls, history ----

GST_START_TEST(test_tool_calls_tracker) {
  using Verdict = ToolCalls::Verdict;
  const auto t0 = ToolCalls::Clock::now();
  ToolCalls calls(1500ms);
  protocol::ToolCall call;
  call.function_calls = {{"a", "lookup", {}}, {"b", "lookup", {}}, {"", "vertex_call", {}}};
  calls.called(call, 0, t0);
  fail_unless_equals_int(calls.open_calls(), 2);  // an id-less call is not tracked
  fail_unless(calls.next_deadline() == t0 + 1500ms);

  // willContinue keeps the call open; the final response closes it.
  protocol::FunctionResponse r = function_response("a", "lookup", R"({"output":"partial"})");
  r.will_continue = true;
  fail_unless(calls.respond(r) == Verdict::Send);
  fail_unless_equals_int(calls.open_calls(), 2);
  r.will_continue.reset();
  fail_unless(calls.respond(r) == Verdict::Send);
  fail_unless_equals_int(calls.open_calls(), 1);

  // Cancelled by the service: refused from then on.
  calls.cancelled({"b"});
  fail_unless(calls.respond(function_response("b", "lookup", "{}")) == Verdict::Cancelled);
  fail_unless(!calls.next_deadline());
  // An id the session never saw goes out.
  fail_unless(calls.respond(function_response("zzz", "lookup", "{}")) == Verdict::Send);

  // The timeout closes a call at its deadline, not before.
  protocol::ToolCall late;
  late.function_calls = {{"c", "save_note", {}}};
  calls.called(late, 0, t0);
  fail_unless(calls.expire(t0 + 1499ms).empty());
  auto expired = calls.expire(t0 + 1500ms);
  fail_unless_equals_int64(expired.size(), 1);
  assert_str(expired[0].id, "c");
  assert_str(expired[0].name, "save_note");
  fail_unless(calls.respond(function_response("c", "save_note", "{}")) == Verdict::TimedOut);
  const protocol::FunctionResponse error = calls.timeout_response(expired[0]);
  assert_str(error.id, "c");
  assert_str(error.name, "save_note");
  assert_str(error.response.to_string(), R"({"error":"No response from the application within 1.5 s."})");

  // A new connection holds a call only when it resumed at a handle issued after it.
  protocol::ToolCall d, e;
  d.function_calls = {{"d", "lookup", {}}};
  e.function_calls = {{"e", "lookup", {}}};
  calls.called(d, 3, t0);
  calls.called(e, 4, t0);
  auto lost = calls.moved(true, 4);  // the handle numbered 4 came after d, not after e
  fail_unless_equals_int64(lost.size(), 1);
  assert_str(lost[0].id, "e");
  fail_unless(calls.respond(function_response("e", "lookup", "{}")) == Verdict::Abandoned);
  lost = calls.moved(false, 9);  // a fresh conversation holds none
  fail_unless_equals_int64(lost.size(), 1);
  assert_str(lost[0].id, "d");

  assert_str(seconds_text(60000ms), "60");
  assert_str(seconds_text(300ms), "0.3");
  ToolCalls never(0ms);
  never.called(d, 0, t0);
  fail_unless(!never.next_deadline());
  fail_unless(never.expire(t0 + std::chrono::hours(24)).empty());
}
GST_END_TEST;

GST_START_TEST(test_context_update_in_order_with_audio) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.context_update = true; });
  auto& [server, events, session] = l;
  const std::string first = quiet_pcm(640, 1), second = quiet_pcm(640, 2);
  ContextChange change;
  change.system_instruction = protocol::Content::from_text("Now answer in French.", "user");
  change.tools = std::vector<protocol::Tool>{};  // clears them
  session->send(audio(first));
  session->update_context(change);
  session->send(audio(second));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes == 1280; }, kWait));

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 4);
  assert_str(received[1], protocol::encode_client_message(audio(first)));
  assert_str(received[2],
             protocol::encode_client_message(protocol::ContextUpdate{change.system_instruction, change.tools}));
  assert_str(received[2], R"({"contextUpdate":{"systemInstruction":{"parts":[{"text":"Now answer in French."}],)"
                          R"("role":"user"},"tools":{"tools":[]}}})");
  assert_str(received[3], protocol::encode_client_message(audio(second)));
  const Event applied = events->wait_event(Event::Type::ContextChanged);
  fail_unless(!applied.context.reconnected);
  // One connection: no switch was needed.
  fail_unless_equals_int(server->stats().connections, 1);
  fail_unless(session->state() == SessionState::Ready);
  fail_unless(events->warnings().empty(), "warning: %s", events->warnings().at(0).c_str());
}
GST_END_TEST;

GST_START_TEST(test_history_goes_first) {
  auto server = start_server(opts());
  auto events = std::make_shared<Events>();
  SessionConfig config = config_for(*server);
  config.history = {protocol::Content::from_text("My name is Ada.", "user"),
                    protocol::Content::from_text("Hello Ada.", "model")};
  config.setup.history_config = protocol::HistoryConfig{true};
  auto session = LiveSession::create(config, events);
  const std::string pcm = quiet_pcm(3200, 3);
  session->send(audio(pcm));  // held until setupComplete: after the history
  session->start();
  events->wait_state(SessionState::Ready);
  session->send(audio(pcm));
  fail_unless(server->wait_for([](const ServerStats& s) { return s.audio_bytes == 6400; }, kWait));

  const auto received = server->received_messages();
  fail_unless_equals_int64(received.size(), 4);
  protocol::ClientContent history;
  history.turns = config.history;
  history.turn_complete = true;
  assert_str(received[1], protocol::encode_client_message(history));
  assert_str(received[2], protocol::encode_client_message(audio(pcm)));
  assert_str(received[3], protocol::encode_client_message(audio(pcm)));
  // The history asks for no answer: without audio's end, the input is over at once.
  const auto ended = std::chrono::steady_clock::now();
  session->end_input(false);
  events->wait_state(SessionState::Finished);
  fail_unless(std::chrono::steady_clock::now() - ended < 2s, "the session waited for an answer to the history");
}
GST_END_TEST;

GST_START_TEST(test_cancelled_tool_call_response_is_dropped) {
  Live l = ready_session();
  auto& [server, events, session] = l;
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"call-1","name":"lookup","args":{}},)"
                   R"({"id":"call-2","name":"lookup","args":{}}]}})",
                   false);
  events->wait_message(is_tool_call);
  server->send_raw(R"({"toolCallCancellation":{"ids":["call-1"]}})", false);
  events->wait_message([](const protocol::ServerMessage& m) { return m.tool_call_cancellation.has_value(); });

  fail_if(session->send_tool_response(function_response("call-1", "lookup", R"({"output":"too late"})")));
  const protocol::FunctionResponse answer = function_response("call-2", "lookup", R"({"output":"found"})");
  fail_unless(session->send_tool_response(answer));
  fail_unless(poll_until([&] { return !received_of_kind(*server, "toolResponse").empty(); }));
  g_usleep(100 * 1000);
  const auto responses = received_of_kind(*server, "toolResponse");
  fail_unless_equals_int64(responses.size(), 1);
  assert_str(responses[0], protocol::encode_client_message(protocol::ToolResponse{{answer}}));
  // A debug line, not a warning.
  fail_unless(events->warnings().empty(), "warning: %s", events->warnings().at(0).c_str());
}
GST_END_TEST;

GST_START_TEST(test_tool_timeout_answers_with_an_error) {
  Live l = ready_session(opts(), false, [](SessionConfig& c) { c.tool_timeout = 300ms; });
  auto& [server, events, session] = l;
  const auto called = std::chrono::steady_clock::now();
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"call-7","name":"save_note","args":{"text":"milk"}}]}})",
                   false);
  events->wait_warning("The tool call call-7 (save_note) had no response within 0.3 s; the model was told it failed.");
  fail_unless(std::chrono::steady_clock::now() - called >= 300ms);
  fail_unless(poll_until([&] { return !received_of_kind(*server, "toolResponse").empty(); }));
  assert_str(received_of_kind(*server, "toolResponse").at(0),
             R"({"toolResponse":{"functionResponses":[{"id":"call-7","name":"save_note",)"
             R"("response":{"error":"No response from the application within 0.3 s."}}]}})");

  // The application's late answer is dropped.
  fail_if(session->send_tool_response(function_response("call-7", "save_note", R"({"output":"saved"})")));
  // An answered call does not time out.
  server->send_raw(R"({"toolCall":{"functionCalls":[{"id":"call-8","name":"save_note","args":{}}]}})", false);
  fail_unless(events->wait([](const auto& all) {
    int calls = 0;
    for (const auto& e : all) calls += e.type == Event::Type::Message && e.message.tool_call;
    return calls == 2;
  }));
  fail_unless(session->send_tool_response(function_response("call-8", "save_note", R"({"output":"saved"})")));
  g_usleep(600 * 1000);
  const auto responses = received_of_kind(*server, "toolResponse");
  fail_unless_equals_int64(responses.size(), 2);
  fail_unless(contains(responses[1], R"("output":"saved")"));
  fail_unless_equals_int64(events->warnings().size(), 1);
}
GST_END_TEST;

// ---- channel ----

// Appends "<name>:<event>" to a shared log.
class LogTap : public SessionObserver {
 public:
  LogTap(std::string name, std::vector<std::string>* log, std::mutex* mutex)
      : name_(std::move(name)), log_(log), mutex_(mutex) {}
  void on_state(SessionState s) override { add(std::string("state ") + session_state_name(s)); }
  void on_message(const protocol::ServerMessage& m) override { add(m.setup_complete ? "setupComplete" : "message"); }
  void on_warning(const std::string& text) override { add("warning " + text); }
  void on_error(const SessionError& e) override { add("error " + e.message); }
  void on_context_changed(const ContextApplied& c) override {
    add(std::string("context ") + (c.reconnected ? "reconnected" : "updated") + (c.resumed ? " resumed" : ""));
  }

 private:
  void add(const std::string& what) {
    std::lock_guard<std::mutex> lock(*mutex_);
    log_->push_back(name_ + ":" + what);
  }
  std::string name_;
  std::vector<std::string>* log_;
  std::mutex* mutex_;
};

GST_START_TEST(test_channel_registry_and_owner) {
  auto a = Channel::acquire("registry-test");
  auto b = Channel::acquire("registry-test");
  auto other = Channel::acquire("registry-other");
  fail_unless(a == b);
  fail_unless(a != other);
  assert_str(a->name(), "registry-test");

  int sink1 = 0, sink2 = 0;
  fail_unless(a->claim_owner(&sink1));
  fail_unless(a->claim_owner(&sink1));  // again by the same owner
  fail_unless(!b->claim_owner(&sink2));
  a->release_owner(&sink2);  // not the owner: nothing
  fail_unless(!a->claim_owner(&sink2));
  a->release_owner(&sink1);
  fail_unless(a->claim_owner(&sink2));

  a->on_state(SessionState::Ready);
  fail_unless(b->last_state() == SessionState::Ready);
  a.reset();
  b.reset();
  // Gone with its last holder: a new one starts fresh.
  auto c = Channel::acquire("registry-test");
  fail_unless(c->last_state() == SessionState::Idle);
  fail_unless(c->claim_owner(&sink1));
}
GST_END_TEST;

GST_START_TEST(test_channel_fan_out_order) {
  auto channel = Channel::acquire("fan-out");
  std::vector<std::string> log;
  std::mutex mutex;
  auto first = std::make_shared<LogTap>("1", &log, &mutex);
  auto second = std::make_shared<LogTap>("2", &log, &mutex);
  channel->add_tap(first);
  channel->on_state(SessionState::Connecting);
  channel->add_tap(second);  // arrives late: sees what follows
  fail_unless(channel->last_state() == SessionState::Connecting);
  channel->on_warning("w");
  SessionError e;
  e.message = "bad";
  channel->on_error(e);
  channel->on_context_changed(ContextApplied{true, true});
  channel->remove_tap(first.get());
  channel->on_state(SessionState::Failed);
  const std::vector<std::string> want = {"1:state connecting",         "1:warning w", "2:warning w", "1:error bad",
                                         "2:error bad",                "1:context reconnected resumed",
                                         "2:context reconnected resumed", "2:state failed"};
  fail_unless_equals_int64(log.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) assert_str(log[i], want[i]);
}
GST_END_TEST;

// Blocks in on_warning until released.
class BlockingTap : public SessionObserver {
 public:
  void on_warning(const std::string&) override {
    std::unique_lock<std::mutex> lock(mutex);
    ++calls;
    inside = true;
    cond.notify_all();
    cond.wait(lock, [this] { return released; });
    inside = false;
  }
  std::mutex mutex;
  std::condition_variable cond;
  bool inside = false;
  bool released = false;
  int calls = 0;
};

GST_START_TEST(test_channel_remove_waits_for_a_running_call) {
  auto channel = Channel::acquire("remove-waits");
  auto tap = std::make_shared<BlockingTap>();
  channel->add_tap(tap);
  std::thread fan([&] { channel->on_warning("slow"); });
  {
    std::unique_lock<std::mutex> lock(tap->mutex);
    tap->cond.wait(lock, [&] { return tap->inside; });
  }
  std::atomic<bool> removed{false};
  std::thread remover([&] {
    channel->remove_tap(tap.get());
    removed = true;
  });
  std::this_thread::sleep_for(100ms);
  fail_unless(!removed, "remove_tap returned while the tap was being called");
  {
    std::lock_guard<std::mutex> lock(tap->mutex);
    tap->released = true;
    tap->cond.notify_all();
  }
  remover.join();
  fan.join();
  fail_unless(removed);
  channel->on_warning("after");
  fail_unless_equals_int(tap->calls, 1);
}
GST_END_TEST;

GST_START_TEST(test_channel_with_a_session) {
  auto server = start_server(opts());
  auto channel = Channel::acquire("with-session");
  auto early = std::make_shared<Events>();
  channel->add_tap(early);
  auto session = start_session(config_for(*server, true), channel);
  early->wait_state(SessionState::Ready);
  auto late = std::make_shared<Events>();
  channel->add_tap(late);
  fail_unless(channel->last_state() == SessionState::Ready);
  session->send(protocol::RealtimeInput::with_text("both of you"));
  session->end_input(false);
  early->wait_state(SessionState::Finished);
  late->wait_state(SessionState::Finished);
  assert_str(early->reply_text(), "You wrote: both of you.");
  assert_str(late->reply_text(), "You wrote: both of you.");
  fail_unless(Events::index_of_state(late->events(), SessionState::Connecting) == SIZE_MAX);
  session.reset();
  fail_unless(channel->last_state() == SessionState::Finished);
}
GST_END_TEST;

static Suite* session_suite() {
  Suite* s = suite_create("session");
  TCase* tc = tcase_create("general");
  tcase_set_timeout(tc, 60);
  suite_add_tcase(s, tc);
  tcase_add_test(tc, test_state_names);
  tcase_add_test(tc, test_close_mapping);
  tcase_add_test(tc, test_held_messages_bounds);
  tcase_add_test(tc, test_turn_tracker);
  tcase_add_test(tc, test_setup_first_then_held_messages_in_order);
  tcase_add_test(tc, test_audio_arrives_complete);
  tcase_add_test(tc, test_newest_video_frame_wins_before_ready);
  tcase_add_test(tc, test_end_input_audio_stream_end);
  tcase_add_test(tc, test_end_input_text_reply);
  tcase_add_test(tc, test_end_input_after_the_answer_finishes_at_once);
  tcase_add_test(tc, test_end_input_waits_for_a_text_sent_after_the_answer);
  tcase_add_test(tc, test_end_input_without_reply);
  tcase_add_test(tc, test_end_input_before_ready);
  tcase_add_test(tc, test_held_audio_is_bounded);
  tcase_add_test(tc, test_wrong_key);
  tcase_add_test(tc, test_missing_key);
  tcase_add_test(tc, test_nothing_listening);
  tcase_add_test(tc, test_setup_timeout);
  tcase_add_test(tc, test_server_closes_mid_stream);
  tcase_add_test(tc, test_connection_dropped);
  tcase_add_test(tc, test_bad_model);
  tcase_add_test(tc, test_invalid_argument);
  tcase_add_test(tc, test_malformed_message_is_skipped);
  tcase_add_test(tc, test_text_not_utf8_is_dropped);
  tcase_add_test(tc, test_setup_not_utf8_fails_at_once);
  tcase_add_test(tc, test_stop_while_streaming);
  tcase_add_test(tc, test_many_sessions_start_and_stop);
  tcase_add_test(tc, test_last_reference_dropped_in_callback);
  tcase_add_test(tc, test_tool_calls_tracker);
  tcase_add_test(tc, test_context_update_in_order_with_audio);
  tcase_add_test(tc, test_history_goes_first);
  tcase_add_test(tc, test_cancelled_tool_call_response_is_dropped);
  tcase_add_test(tc, test_tool_timeout_answers_with_an_error);
  tcase_add_test(tc, test_channel_registry_and_owner);
  tcase_add_test(tc, test_channel_fan_out_order);
  tcase_add_test(tc, test_channel_remove_waits_for_a_running_call);
  tcase_add_test(tc, test_channel_with_a_session);
  return s;
}

GST_CHECK_MAIN(session);
