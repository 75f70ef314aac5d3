// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the transport suite's files (transport.cpp,
// transport_connect.cpp): a setup and a client message for the in-process
// Live server, a connected session on a WebSocketClient, its single close,
// and polling for what the server received.
#pragma once

#include <gst/check/gstcheck.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "check_util.h"

namespace geminilive::testing {

using namespace std::chrono_literals;

inline constexpr char kSetup[] = R"({"setup":{"model":"models/gemini-2.0-flash-live-001"}})";

// A client message that the server records and does not answer.
inline std::string text_message(const std::string& text) {
  return R"({"clientContent":{"turns":[{"role":"user","parts":[{"text":")" + text + R"("}]}],"turnComplete":false}})";
}

inline WebSocketOptions options_for(const LiveServer& server) {
  WebSocketOptions o;
  o.uri = live_uri(server);
  o.connect_timeout_s = 10;
  return o;
}

// Connects, sends setup and waits for setupComplete.
inline void open_live_session(WebSocketClient& client, Recorder& rec) {
  fail_unless(client.send_text(kSetup));
  client.connect();
  fail_unless(rec.wait_open(), "the connection did not open");
  fail_unless(rec.wait_containing("setupComplete"), "no setupComplete");
}

inline CloseInfo wait_single_close(Recorder& rec) {
  rec.wait_closed();
  // on_closed runs once per connect(): give a duplicate the chance to show.
  std::this_thread::sleep_for(100ms);
  auto closes = rec.closes();
  fail_unless_equals_int(closes.size(), 1);
  return closes[0];
}

inline std::vector<std::string> messages_with(const std::vector<std::string>& all, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& m : all)
    if (m.find(needle) != std::string::npos) out.push_back(m);
  return out;
}

// Polls `pred` until it holds. LiveServer::wait_for() holds the server's lock
// while it runs its predicate, so predicates that read received_messages()
// are polled here instead.
inline bool poll_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

}  // namespace geminilive::testing
