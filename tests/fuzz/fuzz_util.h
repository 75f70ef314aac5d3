// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared by the libFuzzer targets: reporting an invariant violation in a form
// that can be pasted into a bug report, then abort() so that libFuzzer saves
// the input as a crash-* reproducer.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace geminilive::fuzz {

// Printable, C-escaped, truncated to keep the report readable.
inline std::string quoted(std::string_view s, std::size_t limit = 2000) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += "\"";
  if (s.size() > limit) out += " (" + std::to_string(s.size()) + " bytes, truncated)";
  return out;
}

[[noreturn]] inline void violation(const char* invariant, std::string_view input, std::string_view first,
                                   std::string_view second, std::string_view detail = {}) {
  std::fprintf(stderr, "\n==== round-trip invariant violated: %s\n", invariant);
  std::fprintf(stderr, "input:  %s\n", quoted(input).c_str());
  std::fprintf(stderr, "first:  %s\n", quoted(first).c_str());
  std::fprintf(stderr, "second: %s\n", quoted(second).c_str());
  if (!detail.empty()) std::fprintf(stderr, "detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace geminilive::fuzz
