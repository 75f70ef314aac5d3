// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the element stress tests (elements_stress.cpp,
// elements_stress_pads.cpp): waits on the bus that fail on any ERROR or
// WARNING, closed sockets, objects that must be finalized, settled states,
// and the pipeline of the running test, which the teardown stops.
#pragma once

#include <gst/check/gstcheck.h>

#include <chrono>
#include <deque>
#include <string>

#include "check_util.h"
#include "elements_util.h"

namespace geminilive::testing {

using namespace std::chrono_literals;

// "ERROR from s: text (debug)" for a failure message.
inline std::string describe(GstMessage* m) {
  GError* error = nullptr;
  g_autofree char* debug = nullptr;
  if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR)
    gst_message_parse_error(m, &error, &debug);
  else if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_WARNING)
    gst_message_parse_warning(m, &error, &debug);
  std::string text = std::string(GST_MESSAGE_TYPE_NAME(m)) + " from " + GST_OBJECT_NAME(GST_MESSAGE_SRC(m));
  if (error) {
    text += std::string(": ") + error->message + " (" + (debug ? debug : "") + ")";
    g_error_free(error);
  }
  return text;
}

inline bool is_trouble(GstMessage* m) {
  return GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR || GST_MESSAGE_TYPE(m) == GST_MESSAGE_WARNING;
}

// The first message satisfying `pred`, failing on any ERROR or WARNING that
// comes before it, or on the timeout. `what` names the step for the failure.
inline GstMessage* wait_untroubled(GstBus* bus, const MessagePredicate& pred, const std::string& what,
                                   std::chrono::milliseconds timeout = kWait) {
  GstMessage* m = wait_message(
      bus, [&](GstMessage* m) { return is_trouble(m) || pred(m); }, timeout);
  fail_unless(m != nullptr, "%s: timed out", what.c_str());
  if (is_trouble(m)) {
    const std::string text = describe(m);
    gst_message_unref(m);
    fail("%s: %s", what.c_str(), text.c_str());
  }
  return m;
}

inline bool is_progress(GstMessage* m, GstProgressType type) {
  if (GST_MESSAGE_TYPE(m) != GST_MESSAGE_PROGRESS) return false;
  GstProgressType t;
  gst_message_parse_progress(m, &t, nullptr, nullptr);
  return t == type;
}

// Drops every message on `bus` now, failing on an ERROR or WARNING; returns
// how many were PROGRESS CANCELED (the sink stopped while connecting).
inline unsigned drain_untroubled(GstBus* bus, const std::string& what) {
  unsigned canceled = 0;
  while (GstMessage* m = gst_bus_pop(bus)) {
    if (is_trouble(m)) {
      const std::string text = describe(m);
      gst_message_unref(m);
      fail("%s: %s", what.c_str(), text.c_str());
    }
    if (is_progress(m, GST_PROGRESS_TYPE_CANCELED)) ++canceled;
    gst_message_unref(m);
  }
  return canceled;
}

inline void wait_setup_complete(GstBus* bus, const std::string& what) {
  gst_message_unref(wait_untroubled(bus, element_message("geminilive/setup-complete"), what));
}

// Waits until the elements' connections to `server` are all closed.
inline bool wait_sockets_closed(const LiveServer& server, std::chrono::milliseconds timeout = 5s) {
  const gint64 end = g_get_monotonic_time() + timeout.count() * 1000;
  while (client_sockets_to(server.port()) > 0 && g_get_monotonic_time() < end) g_usleep(10 * 1000);
  return client_sockets_to(server.port()) == 0;
}

// Weak pointers to objects that must be finalized once their last owner
// lets them go: a reference leaked anywhere keeps one alive.
class Finalized {
 public:
  Finalized() = default;
  Finalized(const Finalized&) = delete;
  Finalized& operator=(const Finalized&) = delete;
  ~Finalized() {
    for (auto& w : watched_)
      if (w.object) g_object_remove_weak_pointer(G_OBJECT(w.object), &w.object);
  }
  void watch(gpointer object) {
    watched_.push_back({object, GST_OBJECT_NAME(object)});
    g_object_add_weak_pointer(G_OBJECT(object), &watched_.back().object);
  }
  // Every element in `bin`, and `bin`.
  void watch_all(GstElement* bin) {
    GstIterator* it = gst_bin_iterate_recurse(GST_BIN(bin));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
      watch(g_value_get_object(&item));
      g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(it);
    watch(bin);
  }
  // Fails naming an object still alive.
  void check(const char* when) {
    for (const auto& w : watched_)
      fail_unless(w.object == nullptr, "%s: %s is still alive (%d references)", when, w.name.c_str(),
                  w.object ? G_OBJECT(w.object)->ref_count : 0);
  }

 private:
  struct Watched {
    gpointer object;
    std::string name;
  };
  std::deque<Watched> watched_;  // stable addresses for the weak pointers
};

// The state `e` is in, once a change under way is done (failing if it does
// not end).
inline GstState settled_state(GstElement* e) {
  GstState state = GST_STATE_VOID_PENDING;
  const GstStateChangeReturn ret = gst_element_get_state(e, &state, nullptr, 5 * GST_SECOND);
  fail_unless(ret == GST_STATE_CHANGE_SUCCESS || ret == GST_STATE_CHANGE_NO_PREROLL, "state change: %s",
              gst_element_state_change_return_get_name(ret));
  return state;
}

// The pipeline of the running test. A failure leaves the test at once; the
// teardown stops the pipeline then, or its streaming threads would keep the
// process from exiting (with CK_FORK=no, as under valgrind).
inline GstElement* g_pipeline = nullptr;

inline GstElement* own_pipeline(GstElement* pipeline) {
  g_pipeline = pipeline;
  return pipeline;
}

inline void stop_left_pipeline() {
  if (!g_pipeline) return;
  gst_element_set_state(g_pipeline, GST_STATE_NULL);
  g_pipeline = nullptr;
}

}  // namespace geminilive::testing
