// SPDX-License-Identifier: LGPL-2.1-or-later
// A strict lexical check of JSON text before json-glib parses it. json-glib
// accepts more than JSON (single-quoted strings, comments, octal escapes),
// recurses once per nesting level (hostile nesting overflows the stack),
// wraps integers beyond int64 and decodes lone surrogates into invalid UTF-8.
// Protocol messages are strict JSON, so anything else is refused here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace geminilive::protocol {

inline constexpr int kMaxJsonNesting = 128;

// Why `text` is not one strict JSON value within our limits; nullopt when it
// is lexically sound (json-glib still checks the grammar).
std::optional<std::string> json_syntax_error(std::string_view text);

}  // namespace geminilive::protocol
