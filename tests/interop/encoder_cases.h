// SPDX-License-Identifier: LGPL-2.1-or-later
// The inputs the SDK interop test feeds to both the official JS SDK
// (sdk_cases.mjs) and our encoder. Each case is built here with our typed API
// the way an element would build it; the two outputs must be the same JSON.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "protocol/client_message.h"

namespace geminilive::interop {

struct EncoderCase {
  std::string name;
  protocol::ClientMessage message;
};

std::vector<EncoderCase> encoder_cases();

// Setups as the session sends them to Vertex AI (vertex_cases.cpp).
std::vector<EncoderCase> vertex_encoder_cases();

// A setup that `backend` does not take: session::refused_by_backend() names
// the field the official SDK refuses for the same input.
struct RefusalCase {
  std::string name;
  protocol::Backend backend;
  protocol::Setup setup;
};
std::vector<RefusalCase> refusal_cases();

// The deterministic media bytes both sides use.
std::string case_audio_bytes();  // 3200 bytes: 100 ms of 16 kHz S16LE
std::string case_jpeg_bytes();   // a tiny JPEG-like payload

}  // namespace geminilive::interop
