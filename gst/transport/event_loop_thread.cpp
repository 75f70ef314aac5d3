// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/event_loop_thread.h"

#include <gst/gst.h>

#include <map>
#include <utility>

#include "common/gobject_ptr.h"
#include "transport/transport_debug.h"

#define GST_CAT_DEFAULT geminilive_transport_debug

namespace geminilive::transport {
namespace {

using Task = std::function<void()>;

gboolean run_task(gpointer data) {
  // A C callback: nothing may unwind through GLib.
  try {
    (*static_cast<Task*>(data))();
  } catch (const std::exception& e) {
    GST_ERROR("task on the event loop threw: %s", e.what());
  } catch (...) {
    GST_ERROR("task on the event loop threw");
  }
  return G_SOURCE_REMOVE;
}

void free_task(gpointer data) { delete static_cast<Task*>(data); }

// Blocks a caller until a task posted by run_sync() has run.
struct SyncWait {
  GMutex mutex;
  GCond cond;
  bool done = false;
  SyncWait() {
    g_mutex_init(&mutex);
    g_cond_init(&cond);
  }
  ~SyncWait() {
    g_cond_clear(&cond);
    g_mutex_clear(&mutex);
  }
  void signal() {
    g_mutex_lock(&mutex);
    done = true;
    g_cond_signal(&cond);
    g_mutex_unlock(&mutex);
  }
  void wait() {
    g_mutex_lock(&mutex);
    while (!done) g_cond_wait(&cond, &mutex);
    g_mutex_unlock(&mutex);
  }
};

}  // namespace

struct EventLoopThread::Impl {
  std::string name;
  GMainContextPtr context{g_main_context_new()};
  GMainLoopPtr loop{g_main_loop_new(context.get(), FALSE)};
  GThread* thread = nullptr;
  GThread* loop_thread = nullptr;  // g_thread_self() of the loop; set before start returns
  SyncWait started;
  // Loop thread only.
  std::map<LingerId, Task> lingering;  // each one's abort
  LingerId next_linger = 1;

  static gpointer thread_main(gpointer data) {
    auto* self = static_cast<Impl*>(data);
    g_main_context_push_thread_default(self->context.get());
    self->loop_thread = g_thread_self();
    // Signal from inside the loop so the constructor returns once it runs.
    GSource* ready = g_idle_source_new();
    g_source_set_callback(
        ready,
        [](gpointer d) -> gboolean {
          static_cast<Impl*>(d)->started.signal();
          return G_SOURCE_REMOVE;
        },
        self, nullptr);
    g_source_attach(ready, self->context.get());
    g_source_unref(ready);

    g_main_loop_run(self->loop.get());
    self->end_lingering_work();
    g_main_context_pop_thread_default(self->context.get());
    return nullptr;
  }

  // Lets late completions (cancelled I/O, posted tasks) run before the
  // context goes away, as souphttpsrc does; gives lingering work until the
  // bound to end, then aborts what is left.
  void end_lingering_work() {
    GMainContext* ctx = context.get();
    const gint64 deadline = g_get_monotonic_time() + gint64(kLingerBoundMs) * 1000;
    GSource* wake = nullptr;  // ends a blocking iteration at the deadline
    for (;;) {
      while (g_main_context_iteration(ctx, FALSE)) {
      }
      if (lingering.empty()) break;
      const gint64 left_us = deadline - g_get_monotonic_time();
      if (left_us > 0) {
        if (!wake) {
          wake = g_timeout_source_new(static_cast<guint>(left_us / 1000 + 1));
          g_source_set_callback(
              wake, [](gpointer) -> gboolean { return G_SOURCE_REMOVE; }, nullptr, nullptr);
          g_source_attach(wake, ctx);
        }
        g_main_context_iteration(ctx, TRUE);
        continue;
      }
      GST_DEBUG("event loop thread '%s': aborting %zu lingering tasks", name.c_str(), lingering.size());
      for (auto& [id, abort] : std::exchange(lingering, {})) run_task(&abort);
    }
    if (wake) {
      g_source_destroy(wake);
      g_source_unref(wake);
    }
  }
};

EventLoopThread::EventLoopThread(std::string name) : impl_(std::make_unique<Impl>()) {
  ensure_transport_debug();
  impl_->name = std::move(name);
  impl_->thread = g_thread_new(impl_->name.c_str(), &Impl::thread_main, impl_.get());
  impl_->started.wait();
  GST_DEBUG("event loop thread '%s' running", impl_->name.c_str());
}

EventLoopThread::~EventLoopThread() {
  // Joining ourselves would deadlock.
  g_assert(!is_current());
  g_main_loop_quit(impl_->loop.get());
  g_thread_join(impl_->thread);
  GST_DEBUG("event loop thread '%s' stopped", impl_->name.c_str());
}

GMainContext* EventLoopThread::context() const { return impl_->context.get(); }

bool EventLoopThread::is_current() const { return g_thread_self() == impl_->loop_thread; }

void EventLoopThread::post(std::function<void()> fn) {
  GSource* source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(source, run_task, new Task(std::move(fn)), free_task);
  g_source_attach(source, impl_->context.get());
  g_source_unref(source);
}

void EventLoopThread::run_sync(const std::function<void()>& fn) {
  if (is_current()) {
    fn();
    return;
  }
  SyncWait wait;
  // The waiter outlives the task: signal() is the task's last access to it.
  post([&fn, &wait] {
    try {
      fn();
    } catch (...) {
      wait.signal();
      throw;
    }
    wait.signal();
  });
  wait.wait();
}

EventLoopThread::LingerId EventLoopThread::begin_lingering(std::function<void()> abort) {
  g_assert(is_current());
  const LingerId id = impl_->next_linger++;
  impl_->lingering.emplace(id, std::move(abort));
  return id;
}

void EventLoopThread::end_lingering(LingerId id) {
  g_assert(is_current());
  impl_->lingering.erase(id);
}

}  // namespace geminilive::transport
