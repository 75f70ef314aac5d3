// SPDX-License-Identifier: LGPL-2.1-or-later
// What the service tells (the geminilive/... element messages other than
// transcripts and turns) as console lines: searches and their sources, code
// the model ran, cancelled tool calls, the connection's changes.
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <string>
#include <vector>

namespace geminilive::assistant {

struct ServiceLines {
  std::vector<std::string> lines;  // for the console, in order
  bool for_transcript = false;     // also worth a line in the Markdown transcript
};

// The lines for the message named "geminilive/<kind>" with these fields;
// none for a kind that is not shown this way.
ServiceLines service_lines(const char* kind, const GstStructure* s);

// geminilive/latency as "[latency] 0.41 s to first byte, 0.45 s to first
// sound" (without a source playing the answer, the first byte only); empty
// when the end of the user's speech is not known.
std::string latency_line(const GstStructure* s);

// Integer fields of any width (the element messages use gint64, guint and
// guint64), as int64.
bool get_int(const GstStructure* s, const char* field, int64_t* out);
std::string string_field(const GstStructure* s, const char* field);

}  // namespace geminilive::assistant
