// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/base64.h"

#include <glib.h>

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GEMINILIVE_BASE64_SSSE3 1
#endif

namespace geminilive::protocol {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr uint8_t kInvalid = 0xff;

// One table for both alphabets: '+' and '-' are 62, '/' and '_' are 63.
constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  t['-'] = 62;
  t['_'] = 63;
  return t;
}

constexpr std::array<uint8_t, 256> kDecode = make_decode_table();

// Every 12-bit group as its two characters: half the lookups of one
// character per 6 bits (media is encoded on every buffer).
constexpr std::array<char, 8192> make_pair_table() {
  std::array<char, 8192> t{};
  for (int i = 0; i < 4096; ++i) {
    t[2 * i] = kAlphabet[i >> 6];
    t[2 * i + 1] = kAlphabet[i & 63];
  }
  return t;
}

constexpr std::array<char, 8192> kPairs = make_pair_table();

// The same pairs as 16-bit words in memory order, for 8-byte stores.
uint16_t pair_word(uint32_t twelve_bits) {
  uint16_t w;
  std::memcpy(&w, &kPairs[2 * twelve_bits], 2);
  return w;
}

#ifdef GEMINILIVE_BASE64_SSSE3
// Twelve bytes to sixteen characters per step with SSSE3 (W. Mula and
// D. Lemire, "Faster Base64 Encoding and Decoding Using AVX2 Instructions",
// 2018: the byte shuffle, the two multiplies that place the 6-bit fields,
// and the pshufb lookup of each field's offset to its character). Reads 16
// bytes per step, so it stops 4 bytes short of the end; returns the bytes
// consumed (a multiple of 12).
__attribute__((target("ssse3"))) std::size_t encode_ssse3(const uint8_t* in, std::size_t size, char* o) {
  const __m128i shuffle = _mm_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
  const __m128i offsets = _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                        '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
  std::size_t i = 0;
  for (; i + 16 <= size; i += 12, o += 16) {
    __m128i v = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i)), shuffle);
    // Each 32-bit lane holds 3 bytes; move its four 6-bit fields to bytes.
    const __m128i hi = _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)), _mm_set1_epi32(0x04000040));
    const __m128i lo = _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)), _mm_set1_epi32(0x01000010));
    const __m128i idx = _mm_or_si128(hi, lo);
    // 0..25 -> 13 ('A'), 26..51 -> 0 ('a'), 52..61 -> 1..10 ('0'), 62 -> 11, 63 -> 12.
    __m128i sel = _mm_subs_epu8(idx, _mm_set1_epi8(51));
    sel = _mm_or_si128(sel, _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), idx), _mm_set1_epi8(13)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm_add_epi8(_mm_shuffle_epi8(offsets, sel), idx));
  }
  return i;
}

// Static initialisation may run before libgcc's own: initialise it first.
const bool kHaveSsse3 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("ssse3") != 0;
}();
#endif

}  // namespace

void base64_encode_append(const void* data, std::size_t size, std::string& out) {
  const auto* in = static_cast<const uint8_t*>(data);
  std::size_t start = out.size();
  out.resize(start + (size + 2) / 3 * 4);
  char* o = &out[start];
  std::size_t i = 0;
#ifdef GEMINILIVE_BASE64_SSSE3
  if (kHaveSsse3) {
    i = encode_ssse3(in, size, o);
    o += i / 3 * 4;
  }
#endif
  // Six bytes (one 8-byte load) to eight characters (one 8-byte store).
  for (; i + 8 <= size; i += 6) {
    uint64_t w;
    std::memcpy(&w, in + i, 8);
    w = GUINT64_FROM_BE(w);
    uint64_t chars = uint64_t{pair_word(static_cast<uint32_t>(w >> 52) & 0xfff)} |
                     uint64_t{pair_word(static_cast<uint32_t>(w >> 40) & 0xfff)} << 16 |
                     uint64_t{pair_word(static_cast<uint32_t>(w >> 28) & 0xfff)} << 32 |
                     uint64_t{pair_word(static_cast<uint32_t>(w >> 16) & 0xfff)} << 48;
    chars = GUINT64_TO_LE(chars);
    std::memcpy(o, &chars, 8);
    o += 8;
  }
  for (; i + 3 <= size; i += 3) {
    const uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    std::memcpy(o, &kPairs[2 * (v >> 12)], 2);
    std::memcpy(o + 2, &kPairs[2 * (v & 0xfff)], 2);
    o += 4;
  }
  if (std::size_t rest = size - i) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (rest == 2) v |= uint32_t{in[i + 1]} << 8;
    *o++ = kAlphabet[(v >> 18) & 63];
    *o++ = kAlphabet[(v >> 12) & 63];
    *o++ = rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
}

std::string base64_encode(const void* data, std::size_t size) {
  std::string out;
  base64_encode_append(data, size, out);
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  // Strip up to two '=' of padding; padded input must then be a multiple of 4.
  std::size_t len = text.size();
  std::size_t pad = 0;
  while (len > 0 && text[len - 1] == '=' && pad < 2) {
    --len;
    ++pad;
  }
  if (pad > 0 && text.size() % 4 != 0) return false;
  if (len % 4 == 1) return false;

  out.clear();
  out.reserve(len / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    uint8_t v = kDecode[static_cast<uint8_t>(text[i])];
    if (v == kInvalid) return false;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be zero, as an encoder leaves them.
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace geminilive::protocol
