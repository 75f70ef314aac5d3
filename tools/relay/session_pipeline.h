// SPDX-License-Identifier: LGPL-2.1-or-later
// One browser's GStreamer pipeline, built from our elements on a channel of
// its own: appsrc (microphone, 16 kHz S16LE) and appsrc (screen, JPEG/PNG)
// into geminilivesink; geminilivesrc (the voice, unpaced: the page buffers
// and plays it) and geminilivesrc stream=text into appsinks. What comes out
// (answers, transcripts, state, usage, latency) is handed to `Post` already
// encoded for the browser (browser_protocol.h).
#pragma once

#include <gst/gst.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace geminilive::relay {

struct PipelineSettings {
  std::string channel;  // unique per browser
  std::string uri;      // empty: the element's default (Google's endpoint)
  std::string api_key;  // empty: the element reads GEMINI_API_KEY itself
  std::string model;    // empty: the element's default
  std::string system_instruction;
  bool text_answers = false;
  bool push_to_talk = false;
};

// What one session did, for the relay's log and the scale check.
struct PipelineCounters {
  std::atomic<uint64_t> audio_bytes_in{0};
  std::atomic<uint64_t> frames_in{0};
  std::atomic<uint64_t> audio_bytes_out{0};
  std::atomic<uint64_t> texts_out{0};
};

class SessionPipeline {
 public:
  // Called from any thread (streaming threads, the session's thread); must
  // not block. `json` is one message for the browser; `audio_bytes` is the
  // 24 kHz PCM it carries (0: not audio; only audio may be dropped for a
  // browser that reads too slowly).
  using Post = std::function<void(std::string json, size_t audio_bytes)>;
  // A failure that ends this session (its text, for the browser).
  using Fail = std::function<void(std::string message)>;

  // Builds the pipeline and sets it PLAYING (connecting happens in the
  // background). nullptr with `error` when it cannot be built.
  static std::unique_ptr<SessionPipeline> start(const PipelineSettings& settings, Post post, Fail fail,
                                                std::string* error);
  // To NULL at once: the session's connection closes, nothing is posted after.
  ~SessionPipeline();

  SessionPipeline(const SessionPipeline&) = delete;
  SessionPipeline& operator=(const SessionPipeline&) = delete;

  void push_audio(const std::vector<uint8_t>& pcm, int rate);
  void push_image(const std::vector<uint8_t>& image, const std::string& mime_type);
  // Sent in order with the audio pushed before and after (they pass the
  // microphone's queue as markers); a refusal (vad on for activity, bad
  // text) comes to `Fail`.
  void send_text(const std::string& text);
  void activity(bool start);

  const PipelineCounters& counters() const { return *counters_; }

 private:
  struct Impl;
  explicit SessionPipeline(std::unique_ptr<Impl> impl);
  void in_order(std::function<void()> control);
  std::unique_ptr<Impl> impl_;
  PipelineCounters* counters_;
};

}  // namespace geminilive::relay
