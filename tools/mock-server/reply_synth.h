// SPDX-License-Identifier: LGPL-2.1-or-later
// The local Live server's "voice": turns a reply text into 24 kHz S16LE mono
// PCM, deterministically (same text, same bytes, on every run), so tests can
// compute the exact audio they should receive. Each word is one tone burst
// whose pitch comes from the word and whose length from its letters, with an
// amplitude wobble per syllable and short pauses between words (longer after
// punctuation): it sounds like a speech rhythm, and nothing like silence.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace geminilive::mock {

constexpr unsigned kReplyRate = 24000;  // Hz, what the service sends
constexpr const char* kReplyMime = "audio/pcm;rate=24000";

// One word of the reply text and where its sound lies in the PCM.
struct SynthWord {
  // [text_begin, text_end) covers the word and the whitespace before it (the
  // first word starts at 0, the last one also takes trailing whitespace), so
  // the segments of all words concatenate to the whole text.
  std::size_t text_begin = 0;
  std::size_t text_end = 0;
  std::size_t pcm_begin = 0;  // byte offsets into SynthResult::pcm
  std::size_t pcm_end = 0;    // end of the tone; the pause after it follows
};

struct SynthResult {
  std::string pcm;  // S16LE mono at kReplyRate
  std::vector<SynthWord> words;
};

SynthResult synthesize_reply(std::string_view text);

// Just the audio; what a test compares the received inlineData against.
inline std::string synthesize_reply_pcm(std::string_view text) { return synthesize_reply(text).pcm; }

// The TEXT-modality fragments of a reply: a few words each (with their
// leading whitespace), concatenating to `text`.
std::vector<std::string> reply_text_fragments(std::string_view text, std::size_t words_per_fragment = 3);

}  // namespace geminilive::mock
