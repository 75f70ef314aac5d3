// SPDX-License-Identifier: LGPL-2.1-or-later
#include "stdin_lines.h"

#include <gio/gunixinputstream.h>
#include <unistd.h>

namespace geminilive::assistant {

StdinLines::StdinLines(std::function<void(const std::string&)> on_line) : on_line_(std::move(on_line)) {
  g_autoptr(GInputStream) fd_stream = g_unix_input_stream_new(STDIN_FILENO, FALSE);
  input_ = g_data_input_stream_new(fd_stream);
  cancellable_ = g_cancellable_new();
  read_next();
}

StdinLines::~StdinLines() {
  // A pending read completes later with G_IO_ERROR_CANCELLED; on_read then
  // returns before it touches `self`.
  g_cancellable_cancel(cancellable_);
  g_object_unref(cancellable_);
  g_object_unref(input_);
}

void StdinLines::read_next() {
  g_data_input_stream_read_line_async(input_, G_PRIORITY_DEFAULT, cancellable_, on_read, this);
}

void StdinLines::on_read(GObject* source, GAsyncResult* result, gpointer self_ptr) {
  g_autoptr(GError) error = nullptr;
  gsize length = 0;
  g_autofree char* line =
      g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(source), result, &length, &error);
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) return;
  auto* self = static_cast<StdinLines*>(self_ptr);
  if (g_error_matches(error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE)) {
    // One line in another encoding: typing goes on.
    std::printf("[warning] a typed line is not UTF-8 text: not sent\n");
    std::fflush(stdout);
    self->read_next();
    return;
  }
  if (!line) return;  // end of file, or an error reading: stop reading
  self->on_line_(line);
  self->read_next();
}

}  // namespace geminilive::assistant
