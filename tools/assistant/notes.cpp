// SPDX-License-Identifier: LGPL-2.1-or-later
#include "notes.h"

#include <json-glib/json-glib.h>

#include <cstdio>
#include <memory>

namespace geminilive::assistant {

namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

std::string error_json(const std::string& message) {
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "error");
  json_builder_add_string_value(b, message.c_str());
  json_builder_end_object(b);
  g_autoptr(JsonNode) root = json_builder_get_root(b);
  g_autofree char* text = json_to_string(root, FALSE);
  return text;
}

// One Markdown list item: line breaks inside a note would end the item.
std::string one_line(const char* text) {
  std::string out;
  for (const char* p = text; *p; ++p) out += (*p == '\n' || *p == '\r') ? ' ' : *p;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string NotesTool::declarations_json(bool blocking) {
  return std::string(R"([{"name":"save_note",)") + (blocking ? R"("behavior":"BLOCKING",)" : "") +
         R"("description":"Save a note for the user by appending it to their Markdown notes file. )"
         R"(Call it when the user asks to remember, note, save or write down something, for example )"
         R"(something visible on the screen.",)"
         R"("parameters":{"type":"OBJECT","properties":{"note":{"type":"STRING",)"
         R"("description":"The note: one or a few self-contained sentences, in the user's language."}},)"
         R"("required":["note"]}}])";
}

NotesTool::Result NotesTool::call(const std::string& args_json) {
  Result result;
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonNode* root = nullptr;
  if (json_parser_load_from_data(parser, args_json.c_str(), -1, nullptr)) root = json_parser_get_root(parser);
  JsonObject* args = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : nullptr;
  JsonNode* note = args ? json_object_get_member(args, "note") : nullptr;
  if (!note || json_node_get_value_type(note) != G_TYPE_STRING) {
    result.response_json = error_json("save_note needs a string argument \"note\"");
    return result;
  }
  result.note = one_line(json_node_get_string(note));
  if (result.note.empty()) {
    result.response_json = error_json("the note is empty");
    return result;
  }

  std::unique_ptr<FILE, FileCloser> file(std::fopen(path_.c_str(), "a"));
  if (!file) {
    result.response_json = error_json("could not open the notes file");
    return result;
  }
  if (!wrote_heading_) {
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char* when = g_date_time_format(now, "%Y-%m-%d %H:%M");
    std::fseek(file.get(), 0, SEEK_END);  // where "a" starts is up to the C library
    std::fprintf(file.get(), "%s## Notes of %s\n\n", std::ftell(file.get()) > 0 ? "\n" : "", when);
    wrote_heading_ = true;
  }
  std::fprintf(file.get(), "- %s\n", result.note.c_str());
  if (std::fflush(file.get()) != 0) {
    result.response_json = error_json("could not write the notes file");
    return result;
  }
  result.saved = true;
  result.response_json = R"({"result":"saved"})";
  return result;
}

}  // namespace geminilive::assistant
