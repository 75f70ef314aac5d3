// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the codec suite's files (codec.cpp, codec_json.cpp):
// JSON a test holds to be valid, JSON compared by value, and a client message
// that must decode.
#pragma once

#include <gst/check/gstcheck.h>

#include <string>

#include "protocol/client_message.h"
#include "protocol/json_value.h"

namespace geminilive::testing {

inline protocol::JsonValue parse(const std::string& text) {
  auto v = protocol::JsonValue::parse(text);
  fail_unless(v.ok(), "fixture is not JSON: %s", v.ok() ? "" : v.error().c_str());
  return v.value();
}

// Asserts that two JSON texts hold the same value (member order aside).
inline void assert_same_json(const std::string& got, const std::string& want, const char* what) {
  fail_unless(parse(got) == parse(want), "%s:\n got  %s\n want %s", what, got.c_str(), want.c_str());
}

inline protocol::ClientMessage decode_client_ok(const char* text) {
  auto m = protocol::decode_client_message(text);
  fail_unless(m.ok(), "decode failed: %s", m.ok() ? "" : m.error().c_str());
  return m.value();
}

}  // namespace geminilive::testing
