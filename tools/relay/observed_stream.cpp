// SPDX-License-Identifier: LGPL-2.1-or-later
// The browser's stream as libsoup sees it (observed_stream.h): an output stream
// that passes every write to the socket's and counts it, in a GIOStream
// that otherwise is the socket's.
#include "observed_stream.h"

#include <new>

using geminilive::relay::WriteMeter;

namespace {

// ---- the output stream --------------------------------------------------

struct RelayObservedOutput {
  GOutputStream parent;
  GOutputStream* base;
  std::shared_ptr<WriteMeter>* meter;
};
struct RelayObservedOutputClass {
  GOutputStreamClass parent_class;
};

void relay_observed_output_pollable_init(GPollableOutputStreamInterface* iface);

G_DEFINE_TYPE_WITH_CODE(RelayObservedOutput, relay_observed_output, G_TYPE_OUTPUT_STREAM,
                        G_IMPLEMENT_INTERFACE(G_TYPE_POLLABLE_OUTPUT_STREAM, relay_observed_output_pollable_init))

#define OBSERVED_OUTPUT(o) (G_TYPE_CHECK_INSTANCE_CAST((o), relay_observed_output_get_type(), RelayObservedOutput))

void record(RelayObservedOutput* self, gsize requested, gssize written) {
  WriteMeter& m = **self->meter;
  if (m.expect_frame) {
    m.expect_frame = false;
    m.first_request = requested;
  }
  // libsoup starts its output source again after this write if its queue
  // is still not empty (create_source below).
  m.busy = false;
  if (written > 0) {
    m.written += static_cast<uint64_t>(written);
    m.last_progress_us = g_get_monotonic_time();
  }
  if (m.on_write) m.on_write();
}

gssize relay_observed_output_write(GOutputStream* stream, const void* buffer, gsize count, GCancellable* cancellable,
                                   GError** error) {
  RelayObservedOutput* self = OBSERVED_OUTPUT(stream);
  gssize n = g_output_stream_write(self->base, buffer, count, cancellable, error);
  record(self, count, n);
  return n;
}

gboolean relay_observed_output_flush(GOutputStream* stream, GCancellable* cancellable, GError** error) {
  return g_output_stream_flush(OBSERVED_OUTPUT(stream)->base, cancellable, error);
}

gboolean relay_observed_output_close(GOutputStream*, GCancellable*, GError**) {
  return TRUE;  // the GIOStream closes the socket's streams
}

gboolean relay_observed_output_can_poll(GPollableOutputStream* stream) {
  return g_pollable_output_stream_can_poll(G_POLLABLE_OUTPUT_STREAM(OBSERVED_OUTPUT(stream)->base));
}

gboolean relay_observed_output_is_writable(GPollableOutputStream* stream) {
  return g_pollable_output_stream_is_writable(G_POLLABLE_OUTPUT_STREAM(OBSERVED_OUTPUT(stream)->base));
}

GSource* relay_observed_output_create_source(GPollableOutputStream* stream, GCancellable* cancellable) {
  RelayObservedOutput* self = OBSERVED_OUTPUT(stream);
  (*self->meter)->busy = true;
  GSource* base_source = g_pollable_output_stream_create_source(G_POLLABLE_OUTPUT_STREAM(self->base), cancellable);
  GSource* source = g_pollable_source_new_full(stream, base_source, cancellable);
  g_source_unref(base_source);
  return source;
}

gssize relay_observed_output_write_nonblocking(GPollableOutputStream* stream, const void* buffer, gsize count,
                                               GError** error) {
  RelayObservedOutput* self = OBSERVED_OUTPUT(stream);
  gssize n =
      g_pollable_output_stream_write_nonblocking(G_POLLABLE_OUTPUT_STREAM(self->base), buffer, count, nullptr, error);
  record(self, count, n);
  return n;
}

void relay_observed_output_pollable_init(GPollableOutputStreamInterface* iface) {
  iface->can_poll = relay_observed_output_can_poll;
  iface->is_writable = relay_observed_output_is_writable;
  iface->create_source = relay_observed_output_create_source;
  iface->write_nonblocking = relay_observed_output_write_nonblocking;
}

void relay_observed_output_finalize(GObject* object) {
  RelayObservedOutput* self = OBSERVED_OUTPUT(object);
  g_object_unref(self->base);
  delete self->meter;
  G_OBJECT_CLASS(relay_observed_output_parent_class)->finalize(object);
}

void relay_observed_output_class_init(RelayObservedOutputClass* klass) {
  G_OBJECT_CLASS(klass)->finalize = relay_observed_output_finalize;
  GOutputStreamClass* out = G_OUTPUT_STREAM_CLASS(klass);
  out->write_fn = relay_observed_output_write;
  out->flush = relay_observed_output_flush;
  out->close_fn = relay_observed_output_close;
}

void relay_observed_output_init(RelayObservedOutput*) {}

// ---- the stream ---------------------------------------------------------

struct RelayObservedStream {
  GIOStream parent;
  GIOStream* base;
  GSocket* socket;  // nullable
  GOutputStream* output;
};
struct RelayObservedStreamClass {
  GIOStreamClass parent_class;
};

G_DEFINE_TYPE(RelayObservedStream, relay_observed_stream, G_TYPE_IO_STREAM)

#define OBSERVED_STREAM(o) (G_TYPE_CHECK_INSTANCE_CAST((o), relay_observed_stream_get_type(), RelayObservedStream))

GInputStream* relay_observed_stream_get_input(GIOStream* stream) {
  return g_io_stream_get_input_stream(OBSERVED_STREAM(stream)->base);
}

GOutputStream* relay_observed_stream_get_output(GIOStream* stream) { return OBSERVED_STREAM(stream)->output; }

gboolean relay_observed_stream_close(GIOStream* stream, GCancellable* cancellable, GError** error) {
  return g_io_stream_close(OBSERVED_STREAM(stream)->base, cancellable, error);
}

// A closed connection whose input is still read (observed_stream.h).
struct Linger {
  GIOStream* base;
  GSocket* socket;
  gint64 deadline_us;
};
constexpr gint64 kLingerUs = 2 * G_USEC_PER_SEC;

gboolean linger_step(gpointer data) {
  auto* l = static_cast<Linger*>(data);
  char discard[16384];
  for (;;) {
    GError* error = nullptr;
    gssize n = g_socket_receive_with_blocking(l->socket, discard, sizeof discard, FALSE, nullptr, &error);
    const bool would_block = n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
    g_clear_error(&error);
    if (would_block && g_get_monotonic_time() < l->deadline_us) return G_SOURCE_CONTINUE;
    if (n > 0) continue;
    g_io_stream_close(l->base, nullptr, nullptr);  // the browser's end is closed (or took too long)
    return G_SOURCE_REMOVE;
  }
}

void linger_free(gpointer data) {
  auto* l = static_cast<Linger*>(data);
  g_object_unref(l->socket);
  g_object_unref(l->base);
  delete l;
}

// libsoup closes asynchronously and learns at once that it is done; the
// socket lingers on its own (observed_stream.h).
void relay_observed_stream_close_async(GIOStream* stream, int, GCancellable* cancellable, GAsyncReadyCallback callback,
                                       gpointer data) {
  RelayObservedStream* self = OBSERVED_STREAM(stream);
  GTask* task = g_task_new(stream, cancellable, callback, data);
  if (self->socket && !g_socket_is_closed(self->socket)) {
    g_socket_shutdown(self->socket, FALSE, TRUE, nullptr);  // a FIN after what was written
    GSource* source = g_timeout_source_new(50);
    g_source_set_callback(source, linger_step,
                          new Linger{G_IO_STREAM(g_object_ref(self->base)), G_SOCKET(g_object_ref(self->socket)),
                                     g_get_monotonic_time() + kLingerUs},
                          linger_free);
    g_source_attach(source, g_main_context_get_thread_default());
    g_source_unref(source);
    g_task_return_boolean(task, TRUE);
  } else {
    GError* error = nullptr;
    if (g_io_stream_close(self->base, cancellable, &error))
      g_task_return_boolean(task, TRUE);
    else
      g_task_return_error(task, error);
  }
  g_object_unref(task);
}

gboolean relay_observed_stream_close_finish(GIOStream*, GAsyncResult* result, GError** error) {
  return g_task_propagate_boolean(G_TASK(result), error);
}

void relay_observed_stream_finalize(GObject* object) {
  RelayObservedStream* self = OBSERVED_STREAM(object);
  g_object_unref(self->output);
  if (self->socket) g_object_unref(self->socket);
  g_object_unref(self->base);
  G_OBJECT_CLASS(relay_observed_stream_parent_class)->finalize(object);
}

void relay_observed_stream_class_init(RelayObservedStreamClass* klass) {
  G_OBJECT_CLASS(klass)->finalize = relay_observed_stream_finalize;
  GIOStreamClass* io = G_IO_STREAM_CLASS(klass);
  io->get_input_stream = relay_observed_stream_get_input;
  io->get_output_stream = relay_observed_stream_get_output;
  io->close_fn = relay_observed_stream_close;
  io->close_async = relay_observed_stream_close_async;
  io->close_finish = relay_observed_stream_close_finish;
}

void relay_observed_stream_init(RelayObservedStream*) {}

}  // namespace

namespace geminilive::relay {

GIOStream* observed_io_stream_new(GIOStream* base, GSocket* socket, std::shared_ptr<WriteMeter> meter) {
  auto* output = static_cast<RelayObservedOutput*>(g_object_new(relay_observed_output_get_type(), nullptr));
  output->base = G_OUTPUT_STREAM(g_object_ref(g_io_stream_get_output_stream(base)));
  output->meter = new std::shared_ptr<WriteMeter>(std::move(meter));
  auto* stream = static_cast<RelayObservedStream*>(g_object_new(relay_observed_stream_get_type(), nullptr));
  stream->base = G_IO_STREAM(g_object_ref(base));
  stream->socket = socket ? G_SOCKET(g_object_ref(socket)) : nullptr;
  stream->output = G_OUTPUT_STREAM(output);
  return G_IO_STREAM(stream);
}

}  // namespace geminilive::relay
