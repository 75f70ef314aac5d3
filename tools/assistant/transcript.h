// SPDX-License-Identifier: LGPL-2.1-or-later
// The live transcript: "you: …" and "gemini: …" lines on the console as the
// fragments arrive, status lines in between, and (optionally) the whole
// utterances in a Markdown file.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

namespace geminilive::assistant {

class Transcript {
 public:
  explicit Transcript(FILE* console) : console_(console) {}
  ~Transcript();

  // Starts the Markdown file (truncating it) with a title and `about`.
  bool open_file(const std::string& path, const std::string& about, std::string* error);
  const std::string& file_path() const { return path_; }

  // A transcript fragment; fragments of one utterance concatenate.
  void fragment(bool input, const std::string& text);
  // Text the user typed (sent as realtime text).
  void typed(const std::string& text);
  // The model's turn is over, or was interrupted: ends the open utterance.
  void end_turn(bool interrupted);
  // A status line ("[state] ready"); ends an open console line first.
  // Errors and warnings go to stderr.
  void status(const std::string& line, bool to_stderr = false);
  // A line for the file only (italic), e.g. a saved note.
  void file_note(const std::string& line);

  // Everything the model said, utterances joined by a space.
  const std::string& replies() const { return replies_; }

 private:
  enum class Speaker { None, You, Gemini };
  void start(Speaker who);
  void finish();  // the open utterance: newline on the console, paragraph in the file
  void write_file(const std::string& markdown);

  struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
  };

  FILE* console_;
  std::unique_ptr<FILE, FileCloser> file_;
  std::string path_;
  Speaker open_ = Speaker::None;
  std::string utterance_;  // the open utterance so far
  std::string replies_;
};

}  // namespace geminilive::assistant
