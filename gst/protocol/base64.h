// SPDX-License-Identifier: LGPL-2.1-or-later
// Base64 for the `data` fields of Blobs. Output is the standard alphabet with
// padding (what the service sends); input may be standard or URL-safe (the
// Python SDK sends URL-safe), padded or not. Invalid input is rejected, never
// decoded into garbage.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace geminilive::protocol {

std::string base64_encode(const void* data, std::size_t size);
inline std::string base64_encode(std::string_view bytes) { return base64_encode(bytes.data(), bytes.size()); }

// Appends the encoding of `data` to `out` (no intermediate copy on hot paths).
void base64_encode_append(const void* data, std::size_t size, std::string& out);

// Returns false (and leaves `out` unspecified) on a character outside both
// alphabets, misplaced padding or an impossible length.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace geminilive::protocol
