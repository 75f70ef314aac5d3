// SPDX-License-Identifier: LGPL-2.1-or-later
// Owning smart pointers for GLib/GObject types held as C++ members.
// Locals use g_autoptr; members that outlive a scope use these.
#pragma once

#include <glib-object.h>

#include <memory>

namespace geminilive {

struct GObjectUnref {
  void operator()(gpointer obj) const {
    if (obj) g_object_unref(obj);
  }
};

template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GMainContextUnref {
  void operator()(GMainContext* ctx) const {
    if (ctx) g_main_context_unref(ctx);
  }
};
struct GMainLoopUnref {
  void operator()(GMainLoop* loop) const {
    if (loop) g_main_loop_unref(loop);
  }
};
struct GBytesUnref {
  void operator()(GBytes* b) const {
    if (b) g_bytes_unref(b);
  }
};
struct GErrorFree {
  void operator()(GError* e) const {
    if (e) g_error_free(e);
  }
};

using GMainContextPtr = std::unique_ptr<GMainContext, GMainContextUnref>;
using GMainLoopPtr = std::unique_ptr<GMainLoop, GMainLoopUnref>;
using GBytesPtr = std::unique_ptr<GBytes, GBytesUnref>;
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

}  // namespace geminilive
