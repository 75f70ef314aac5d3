// SPDX-License-Identifier: LGPL-2.1-or-later
// The built-in save_note function tool: the model calls it to append a note
// to a Markdown file (the note-taking use of a screen assistant).
#pragma once

#include <string>

namespace geminilive::assistant {

class NotesTool {
 public:
  static constexpr char kName[] = "save_note";

  explicit NotesTool(std::string path) : path_(std::move(path)) {}

  // The declaration for geminilivesink's `tools` property (a JSON array of
  // FunctionDeclaration). `blocking`: "behavior":"BLOCKING", the model waits
  // for the note to be saved before it goes on (and confirms it).
  static std::string declarations_json(bool blocking = false);

  struct Result {
    std::string response_json;  // {"result":"saved"} or {"error":"…"}
    std::string note;           // what was saved, for the console
    bool saved = false;
  };
  // Runs one call of save_note with its JSON arguments.
  Result call(const std::string& args_json);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool wrote_heading_ = false;  // one heading per run of the assistant
};

}  // namespace geminilive::assistant
