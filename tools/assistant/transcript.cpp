// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transcript.h"

#include <glib.h>

#include <cerrno>

namespace geminilive::assistant {

namespace {

const char* label(bool you) { return you ? "you" : "gemini"; }

}  // namespace

Transcript::~Transcript() { finish(); }

bool Transcript::open_file(const std::string& path, const std::string& about, std::string* error) {
  file_.reset(std::fopen(path.c_str(), "w"));
  if (!file_) {
    *error = "cannot write " + path + ": " + g_strerror(errno);
    return false;
  }
  path_ = path;
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char* when = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
  write_file(std::string("# geminilive-assistant transcript\n\n") + when + ", " + about + "\n\n");
  return true;
}

void Transcript::write_file(const std::string& markdown) {
  if (!file_) return;
  std::fputs(markdown.c_str(), file_.get());
  std::fflush(file_.get());  // a transcript survives a crash or a kill
}

void Transcript::start(Speaker who) {
  if (open_ == who) return;
  finish();
  open_ = who;
  std::fprintf(console_, "%s: ", label(who == Speaker::You));
}

void Transcript::finish() {
  if (open_ == Speaker::None) return;
  std::fputc('\n', console_);
  std::fflush(console_);
  bool you = open_ == Speaker::You;
  write_file(std::string("**") + label(you) + ":** " + utterance_ + "\n\n");
  if (!you && !utterance_.empty()) replies_ += (replies_.empty() ? "" : " ") + utterance_;
  utterance_.clear();
  open_ = Speaker::None;
}

void Transcript::fragment(bool input, const std::string& text) {
  start(input ? Speaker::You : Speaker::Gemini);
  std::string piece = text;
  // The first fragment may begin with the space that separated it from the
  // previous word.
  if (utterance_.empty()) piece.erase(0, piece.find_first_not_of(" \t\n"));
  if (piece.empty()) return;
  utterance_ += piece;
  std::fputs(piece.c_str(), console_);
  std::fflush(console_);
}

void Transcript::typed(const std::string& text) {
  finish();
  write_file("**you (typed):** " + text + "\n\n");
}

void Transcript::end_turn(bool interrupted) {
  if (interrupted && open_ == Speaker::Gemini) utterance_ += " …";
  finish();
}

void Transcript::status(const std::string& line, bool to_stderr) {
  finish();
  FILE* out = to_stderr ? stderr : console_;
  std::fprintf(out, "%s\n", line.c_str());
  std::fflush(out);
}

void Transcript::file_note(const std::string& line) { write_file("*" + line + "*\n\n"); }

}  // namespace geminilive::assistant
