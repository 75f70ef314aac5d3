// SPDX-License-Identifier: LGPL-2.1-or-later
#include "outbox.h"

namespace geminilive::relay {

Outbox::Outbox(SoupWebsocketConnection* connection)
    : connection_(connection), context_(g_main_context_ref_thread_default()) {}

Outbox::~Outbox() { g_main_context_unref(context_); }

void Outbox::post(std::string json) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closing_) return;
  queue_.push_back(std::move(json));
  schedule_locked();
}

void Outbox::close(int code, std::string reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closing_) return;
  closing_ = true;
  close_code_ = code;
  close_reason_ = std::move(reason);
  schedule_locked();
}

void Outbox::detach() {
  std::lock_guard<std::mutex> lock(mutex_);
  connection_ = nullptr;
  queue_.clear();
}

void Outbox::schedule_locked() {
  if (scheduled_) return;
  scheduled_ = true;
  // Always a source of its own, even on the main thread: never run inside post().
  GSource* source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_callback(
      source,
      [](gpointer data) -> gboolean {
        (*static_cast<std::shared_ptr<Outbox>*>(data))->flush();
        return G_SOURCE_REMOVE;
      },
      new std::shared_ptr<Outbox>(shared_from_this()),
      [](gpointer data) { delete static_cast<std::shared_ptr<Outbox>*>(data); });
  g_source_attach(source, context_);
  g_source_unref(source);
}

void Outbox::flush() {
  std::deque<std::string> batch;
  SoupWebsocketConnection* connection;
  bool close_now;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    scheduled_ = false;
    batch.swap(queue_);
    connection = connection_;
    close_now = closing_ && !closed_;
    if (close_now) closed_ = true;
  }
  if (!connection || soup_websocket_connection_get_state(connection) != SOUP_WEBSOCKET_STATE_OPEN) return;
  for (const auto& json : batch) soup_websocket_connection_send_text(connection, json.c_str());
  if (close_now) soup_websocket_connection_close(connection, close_code_, close_reason_.c_str());
}

}  // namespace geminilive::relay
