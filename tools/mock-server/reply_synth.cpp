// SPDX-License-Identifier: LGPL-2.1-or-later
#include "reply_synth.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace geminilive::mock {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kPeak = 9000.0;  // about -11 dBFS: clearly audible, never clips

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Word boundaries: [begin, end) of each run of non-space bytes.
std::vector<std::pair<std::size_t, std::size_t>> split_words(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size()) break;
    std::size_t begin = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    words.emplace_back(begin, i);
  }
  return words;
}

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    h ^= static_cast<uint8_t>(lower);
    h *= 16777619u;
  }
  return h;
}

std::size_t samples_for_ms(double ms) { return static_cast<std::size_t>(std::lround(ms * kReplyRate / 1000.0)); }

void append_silence(std::string& pcm, std::size_t samples) { pcm.append(samples * 2, '\0'); }

void append_sample(std::string& pcm, double value) {
  long v = std::lround(std::clamp(value, -32768.0, 32767.0));
  auto u = static_cast<uint16_t>(static_cast<int16_t>(v));
  pcm.push_back(static_cast<char>(u & 0xFF));
  pcm.push_back(static_cast<char>(u >> 8));
}

// One word: a voiced tone (fundamental + 3 harmonics) gliding down a little,
// shaped by attack/release ramps and one amplitude bump per syllable.
void append_word(std::string& pcm, std::string_view word) {
  std::size_t letters = static_cast<std::size_t>(std::count_if(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }));
  letters = std::clamp<std::size_t>(letters, 1, 12);
  const double duration_ms = 90.0 + 22.0 * static_cast<double>(letters);
  const std::size_t n = samples_for_ms(duration_ms);
  const double f0 = 110.0 + static_cast<double>(fnv1a(word) % 140);
  const double syllables = std::max<double>(1.0, std::ceil(static_cast<double>(letters) / 3.0));
  const std::size_t ramp = samples_for_ms(12.0);

  double phase = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double t = static_cast<double>(i) / static_cast<double>(n);  // 0..1 through the word
    double freq = f0 * (1.08 - 0.08 * t);
    phase += 2.0 * kPi * freq / kReplyRate;
    double voice =
        std::sin(phase) + 0.5 * std::sin(2 * phase) + 0.33 * std::sin(3 * phase) + 0.25 * std::sin(4 * phase);
    voice /= 2.08;  // sum of the harmonic amplitudes
    double env = 1.0;
    if (i < ramp) env = 0.5 - 0.5 * std::cos(kPi * static_cast<double>(i) / static_cast<double>(ramp));
    if (n - i <= ramp)
      env = std::min(env, 0.5 - 0.5 * std::cos(kPi * static_cast<double>(n - i) / static_cast<double>(ramp)));
    double s = std::sin(kPi * t * syllables);
    double syllable = 0.55 + 0.45 * s * s;
    append_sample(pcm, kPeak * env * syllable * voice);
  }
}

double pause_after_ms(std::string_view word) {
  switch (word.empty() ? ' ' : word.back()) {
    case '.':
    case '!':
    case '?':
    case ':':
      return 300.0;
    case ',':
    case ';':
      return 180.0;
    default:
      return 70.0;
  }
}

}  // namespace

SynthResult synthesize_reply(std::string_view text) {
  SynthResult result;
  auto words = split_words(text);
  std::size_t text_pos = 0;
  for (std::size_t w = 0; w < words.size(); ++w) {
    auto [begin, end] = words[w];
    std::string_view word = text.substr(begin, end - begin);
    SynthWord sw;
    sw.text_begin = text_pos;
    sw.text_end = (w + 1 == words.size()) ? text.size() : end;
    sw.pcm_begin = result.pcm.size();
    append_word(result.pcm, word);
    sw.pcm_end = result.pcm.size();
    append_silence(result.pcm, samples_for_ms(pause_after_ms(word)));
    text_pos = sw.text_end;
    result.words.push_back(sw);
  }
  return result;
}

std::vector<std::string> reply_text_fragments(std::string_view text, std::size_t words_per_fragment) {
  std::vector<std::string> fragments;
  if (words_per_fragment == 0) words_per_fragment = 1;
  auto words = split_words(text);
  std::size_t pos = 0;
  for (std::size_t w = 0; w < words.size(); w += words_per_fragment) {
    std::size_t last = std::min(w + words_per_fragment, words.size()) - 1;
    std::size_t end = (last + 1 == words.size()) ? text.size() : words[last].second;
    fragments.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  if (fragments.empty() && !text.empty()) fragments.emplace_back(text);
  return fragments;
}

}  // namespace geminilive::mock
