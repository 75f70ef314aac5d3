// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/source_timer.h"

namespace geminilive::transport {

struct SourceTimer::Data {
  SourceTimer* owner;
  std::function<void()> fn;
};

void SourceTimer::start(GMainContext* context, std::chrono::milliseconds delay, std::function<void()> fn) {
  cancel();
  GSource* source = delay.count() > 0 ? g_timeout_source_new(static_cast<guint>(delay.count())) : g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(source, &SourceTimer::dispatch, new Data{this, std::move(fn)}, &SourceTimer::destroy);
  g_source_attach(source, context);
  source_ = source;
}

void SourceTimer::cancel() {
  if (!source_) return;
  GSource* source = source_;
  source_ = nullptr;
  g_source_destroy(source);
  g_source_unref(source);
}

gboolean SourceTimer::dispatch(gpointer data) {
  auto* d = static_cast<Data*>(data);
  // Disarm first: `fn` may re-arm this timer or destroy its owner. The
  // context keeps the source (and so `d`) alive until we return.
  SourceTimer* owner = d->owner;
  GSource* source = owner->source_;
  owner->source_ = nullptr;
  if (source) g_source_unref(source);
  d->fn();
  return G_SOURCE_REMOVE;
}

void SourceTimer::destroy(gpointer data) { delete static_cast<Data*>(data); }

}  // namespace geminilive::transport
