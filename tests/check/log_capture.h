// SPDX-License-Identifier: LGPL-2.1-or-later
// Every GStreamer debug line of this process, every category at every level
// (more than GST_DEBUG=*:6), while a LogCapture lives: what tests search for
// credentials that must never be logged. The lines go nowhere else meanwhile.
#pragma once

#include <gst/gst.h>

#include <mutex>
#include <string>

namespace geminilive::testing {

class LogCapture {
 public:
  LogCapture() {
    previous_ = gst_debug_get_default_threshold();
    was_active_ = gst_debug_is_active();
    gst_debug_set_active(TRUE);
    gst_debug_remove_log_function(gst_debug_log_default);
    gst_debug_add_log_function(&LogCapture::log, this, nullptr);
    gst_debug_set_default_threshold(GST_LEVEL_MEMDUMP);
  }
  ~LogCapture() {
    gst_debug_set_default_threshold(previous_);
    gst_debug_remove_log_function(&LogCapture::log);
    gst_debug_add_log_function(gst_debug_log_default, nullptr, nullptr);
    gst_debug_set_active(was_active_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }

 private:
  static void log(GstDebugCategory* category, GstDebugLevel, const gchar* file, const gchar*, gint, GObject*,
                  GstDebugMessage* message, gpointer data) {
    auto* self = static_cast<LogCapture*>(data);
    // Formatted before the lock: formatting may take an object's lock, held
    // by another thread that is logging too.
    const gchar* text = gst_debug_message_get(message);
    const std::string line =
        std::string(gst_debug_category_get_name(category)) + " " + file + ": " + (text ? text : "") + "\n";
    std::lock_guard<std::mutex> lock(self->mutex_);
    self->text_ += line;
  }
  std::mutex mutex_;
  std::string text_;
  GstDebugLevel previous_;
  gboolean was_active_;
};

}  // namespace geminilive::testing
