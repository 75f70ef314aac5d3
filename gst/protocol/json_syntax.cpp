// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/json_syntax.h"

#include <glib.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace geminilive::protocol {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  std::optional<std::string> run() {
    if (!g_utf8_validate_len(s_.data(), s_.size(), nullptr)) return "not UTF-8";
    int depth = 0;
    bool complete = false;  // one whole value has been read at the top level
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
        continue;
      }
      if (complete) return at("data after the JSON value");
      switch (c) {
        case '{':
        case '[':
          if (++depth > kMaxJsonNesting) return at("nested deeper than " + std::to_string(kMaxJsonNesting) + " levels");
          ++i_;
          continue;
        case '}':
        case ']':
          if (--depth < 0) return at("unbalanced brackets");
          ++i_;
          complete = depth == 0;
          continue;
        case ',':
        case ':':
          ++i_;
          continue;
        case '"':
          if (auto e = string()) return e;
          break;
        case 't':
          if (auto e = literal("true")) return e;
          break;
        case 'f':
          if (auto e = literal("false")) return e;
          break;
        case 'n':
          if (auto e = literal("null")) return e;
          break;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            if (auto e = number()) return e;
            break;
          }
          return at(std::string("unexpected character '") + c + "'");
      }
      complete = depth == 0;
    }
    if (depth != 0) return "unbalanced brackets";
    if (!complete) return "no JSON value";
    return std::nullopt;
  }

 private:
  std::string at(const std::string& what) const { return what + " at offset " + std::to_string(i_); }

  std::optional<std::string> literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return at("unexpected character");
    i_ += word.size();
    return std::nullopt;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? within int64 / double range.
  std::optional<std::string> number() {
    std::size_t start = i_;
    auto digits = [this] {
      std::size_t from = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      return i_ - from;
    };
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (digits() == 0) {
      return at("malformed number");
    }
    bool integer = true;
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      integer = false;
      if (digits() == 0) return at("malformed number");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      integer = false;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (digits() == 0) return at("malformed number");
    }
    // "01" would otherwise read as two tokens that json-glib takes for one.
    if (i_ < s_.size() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.')) return at("malformed number");
    std::string token(s_.substr(start, i_ - start));
    errno = 0;
    if (integer) {
      std::strtoll(token.c_str(), nullptr, 10);
      if (errno == ERANGE) return at("integer out of range");
    } else if (!std::isfinite(std::strtod(token.c_str(), nullptr))) {
      return at("number out of range");
    }
    return std::nullopt;
  }

  std::optional<std::string> string() {
    ++i_;  // the opening quote
    while (i_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') {
        ++i_;
        return std::nullopt;
      }
      if (c < 0x20) return at("control character in a string");
      if (c != '\\') {
        ++i_;
        continue;
      }
      if (++i_ >= s_.size()) break;
      char e = s_[i_];
      if (e == 'u') {
        auto cp = hex4(i_ + 1);
        if (!cp) return at("malformed \\u escape");
        i_ += 5;
        if (*cp == 0) return at("\\u0000 in a string");
        if (*cp >= 0xDC00 && *cp <= 0xDFFF) return at("lone surrogate in a string");
        if (*cp >= 0xD800 && *cp <= 0xDBFF) {
          auto low = s_.substr(i_, 2) == "\\u" ? hex4(i_ + 2) : std::nullopt;
          if (!low || *low < 0xDC00 || *low > 0xDFFF) return at("lone surrogate in a string");
          i_ += 6;
        }
        continue;
      }
      if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't')
        return at("invalid escape in a string");
      ++i_;
    }
    return "unterminated string";
  }

  std::optional<unsigned> hex4(std::size_t from) const {
    if (from + 4 > s_.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t k = from; k < from + 4; ++k) {
      int d = g_ascii_xdigit_value(s_[k]);
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<unsigned>(d);
    }
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<std::string> json_syntax_error(std::string_view text) { return Scanner(text).run(); }

}  // namespace geminilive::protocol
