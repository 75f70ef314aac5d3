// SPDX-License-Identifier: LGPL-2.1-or-later
#include "service_lines.h"

#include <sstream>

namespace geminilive::assistant {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string seconds_text(double seconds) {
  g_autofree char* text = g_strdup_printf("%.1f s", seconds);
  return text;
}

// "[tag] first line", then "[tag]   next line" for the rest: a block of
// code or output stays readable and every line still says what it is.
void add_block(std::vector<std::string>* out, const std::string& tag, const std::string& head,
               const std::string& text) {
  std::vector<std::string> lines = split_lines(text);
  if (lines.empty()) {
    out->push_back(tag + " " + head + "(empty)");
    return;
  }
  out->push_back(tag + " " + head + lines.front());
  for (std::size_t i = 1; i < lines.size(); ++i) out->push_back(tag + "   " + lines[i]);
}

}  // namespace

bool get_int(const GstStructure* s, const char* field, int64_t* out) {
  const GValue* v = gst_structure_get_value(s, field);
  if (!v) return false;
  GValue as_int64 = G_VALUE_INIT;
  g_value_init(&as_int64, G_TYPE_INT64);
  bool ok = g_value_transform(v, &as_int64);
  if (ok) *out = g_value_get_int64(&as_int64);
  g_value_unset(&as_int64);
  return ok;
}

std::string string_field(const GstStructure* s, const char* field) {
  const char* v = gst_structure_get_string(s, field);
  return v ? v : "";
}

std::string latency_line(const GstStructure* s) {
  int64_t to_byte = 0, to_sound = 0;
  if (!get_int(s, "to-first-byte", &to_byte)) return "";
  g_autofree char* line = g_strdup_printf("[latency] %.2f s to first byte", to_byte / 1e9);
  if (!get_int(s, "to-first-sample", &to_sound)) return line;
  g_autofree char* sound = g_strdup_printf(", %.2f s to first sound", to_sound / 1e9);
  return std::string(line) + sound;
}

ServiceLines service_lines(const char* kind, const GstStructure* s) {
  ServiceLines r;
  const std::string k = kind;
  if (k == "grounding") {
    // The googleSearch tool: what the model searched for, the pages it used.
    r.for_transcript = true;
    std::vector<std::string> queries = split_lines(string_field(s, "queries"));
    if (!queries.empty()) r.lines.push_back("[search] queries: " + join(queries, "; "));
    for (const auto& source : split_lines(string_field(s, "sources"))) r.lines.push_back("[source] " + source);
    if (r.lines.empty()) r.lines.push_back("[search] grounded, without queries or sources");
  } else if (k == "url-context") {
    r.for_transcript = true;
    for (const auto& url : split_lines(string_field(s, "urls"))) r.lines.push_back("[url] " + url);
  } else if (k == "executable-code") {
    r.for_transcript = true;
    std::string language = string_field(s, "language");
    add_block(&r.lines, "[code]", language.empty() ? "" : "(" + language + ") ", string_field(s, "code"));
  } else if (k == "code-execution-result") {
    r.for_transcript = true;
    std::string outcome = string_field(s, "outcome");
    add_block(&r.lines, "[result]", outcome.empty() ? "" : outcome + ": ", string_field(s, "output"));
  } else if (k == "tool-call-cancelled") {
    r.for_transcript = true;
    std::string ids = string_field(s, "ids");  // comma-separated: one line each
    for (char& c : ids)
      if (c == ',') c = '\n';
    for (const auto& id : split_lines(ids)) r.lines.push_back("[tool] cancelled: " + id);
  } else if (k == "context-updated") {
    r.lines.push_back("[state] the new instructions or tools are in effect");
  } else if (k == "go-away") {
    int64_t ns = 0;
    std::string left = get_int(s, "time-left", &ns) ? " in " + seconds_text(ns / 1e9) : "";
    r.lines.push_back("[state] the service will close this connection" + left);
  } else if (k == "reconnecting") {
    int64_t attempt = 0, delay = 0;
    std::string line = "[state] reconnecting";
    std::string reason = string_field(s, "reason");
    if (!reason.empty()) line += " (" + reason + ")";
    if (get_int(s, "attempt", &attempt)) line += ", attempt " + std::to_string(attempt);
    if (get_int(s, "delay-ms", &delay)) line += " in " + std::to_string(delay) + " ms";
    r.lines.push_back(line);
  } else if (k == "resumed") {
    int64_t attempts = 0;
    gboolean resumed = TRUE;
    gst_structure_get_boolean(s, "resumed", &resumed);
    std::string after = get_int(s, "attempts", &attempts) ? " after " + std::to_string(attempts) + " attempt(s)" : "";
    r.lines.push_back(resumed ? "[state] resumed" + after
                              : "[state] reconnected" + after + ", as a new conversation (the context is lost)");
  }
  return r;
}

}  // namespace geminilive::assistant
