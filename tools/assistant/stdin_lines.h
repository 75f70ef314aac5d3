// SPDX-License-Identifier: LGPL-2.1-or-later
// Lines typed on stdin, read on the main loop (never a blocking thread).
#pragma once

#include <gio/gio.h>

#include <functional>
#include <string>

namespace geminilive::assistant {

class StdinLines {
 public:
  // Calls on_line for each line (without its line break) on the default
  // main context, until end of file or destruction.
  explicit StdinLines(std::function<void(const std::string&)> on_line);
  ~StdinLines();

  StdinLines(const StdinLines&) = delete;
  StdinLines& operator=(const StdinLines&) = delete;

 private:
  static void on_read(GObject* source, GAsyncResult* result, gpointer self);
  void read_next();

  std::function<void(const std::string&)> on_line_;
  GDataInputStream* input_ = nullptr;
  GCancellable* cancellable_ = nullptr;
};

}  // namespace geminilive::assistant
