// SPDX-License-Identifier: LGPL-2.1-or-later
// Recycled memory for encoded media messages: a frame's string comes back
// once the transport has handed it to the socket layer, and the next frame
// is written into it. Without it every 100 KB frame is fresh memory that the
// allocator maps, faults in page by page and trims again. Thread-safe,
// bounded (a few strings, none over 4 MB).
#pragma once

#include <cstddef>
#include <string>

namespace geminilive::protocol {

// An empty string with at least `capacity` reserved.
std::string pooled_string(std::size_t capacity);
// Gives `s` back (kept when the pool has room and it is worth keeping).
void recycle_string(std::string&& s);

}  // namespace geminilive::protocol
