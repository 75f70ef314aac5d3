// SPDX-License-Identifier: LGPL-2.1-or-later
#include "outbox.h"

#include <algorithm>
#include <cstdio>

#include "browser_protocol.h"

namespace geminilive::relay {

namespace {
constexpr double kPcmBytesPerSecond = 48000.0;  // 24 kHz S16LE mono
// Room kept in the budget for the warning (about 200 bytes), which is sent
// when the budget is full and so never makes room itself.
constexpr uint64_t kWarningRoom = 256;
}  // namespace

std::shared_ptr<Outbox> Outbox::create(SoupWebsocketConnection* connection, std::shared_ptr<WriteMeter> meter,
                                       OutboxLimits limits, std::string id,
                                       std::function<void(const std::string&)> log) {
  auto outbox = std::make_shared<Outbox>(connection, meter, limits, std::move(id), std::move(log));
  std::weak_ptr<Outbox> weak = outbox;
  meter->on_write = [weak] {
    if (auto o = weak.lock()) o->wrote();
  };
  if (limits.stall_close_seconds) {
    outbox->stall_timer_ = g_timeout_source_new_seconds(1);
    g_source_set_callback(
        outbox->stall_timer_,
        [](gpointer data) -> gboolean {
          if (auto o = static_cast<std::weak_ptr<Outbox>*>(data)->lock()) o->check_stall();
          return G_SOURCE_CONTINUE;
        },
        new std::weak_ptr<Outbox>(weak), [](gpointer data) { delete static_cast<std::weak_ptr<Outbox>*>(data); });
    g_source_attach(outbox->stall_timer_, outbox->context_);
  }
  return outbox;
}

Outbox::Outbox(SoupWebsocketConnection* connection, std::shared_ptr<WriteMeter> meter, OutboxLimits limits,
               std::string id, std::function<void(const std::string&)> log)
    : connection_(connection),
      meter_(std::move(meter)),
      limits_(limits),
      id_(std::move(id)),
      log_(std::move(log)),
      context_(g_main_context_ref_thread_default()) {}

Outbox::~Outbox() {
  if (stall_timer_) {
    g_source_destroy(stall_timer_);
    g_source_unref(stall_timer_);
  }
  g_main_context_unref(context_);
}

void Outbox::post(std::string json, size_t audio_bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closing_ || !connection_) return;
  stats_.audio_posted_bytes += audio_bytes;
  if (limits_.max_queued_bytes) {
    // Over the budget: the oldest waiting audio goes first, then this if
    // it is audio (the rest is never dropped). A message larger than the
    // whole budget still goes when nothing waits.
    const auto over = [&] {
      const uint64_t waiting = in_libsoup_ + queued_bytes_;
      return waiting > 0 && waiting + json.size() + kWarningRoom > limits_.max_queued_bytes;
    };
    const uint64_t dropped_before = unreported_dropped_messages_;
    for (auto it = queue_.begin(); over() && it != queue_.end();) {
      if (!it->audio_bytes) {
        ++it;
        continue;
      }
      queued_bytes_ -= it->json.size();
      unreported_dropped_bytes_ += it->audio_bytes;
      ++unreported_dropped_messages_;
      it = queue_.erase(it);
    }
    const bool drop_this = audio_bytes && over();
    if (drop_this) {
      unreported_dropped_bytes_ += audio_bytes;
      ++unreported_dropped_messages_;
    }
    if (dropped_before == 0 && unreported_dropped_messages_ && log_)
      log_(id_ + ": the browser reads too slowly: dropping its oldest audio (" +
           std::to_string(limits_.max_queued_bytes) + " bytes wait to be sent)");
    if (drop_this) return;
  }
  queued_bytes_ += json.size();
  queue_.push_back({std::move(json), audio_bytes});
  stats_.peak_queued_bytes = std::max<uint64_t>(stats_.peak_queued_bytes, queued_bytes_ + in_libsoup_);
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
  queued_bytes_ = 0;
}

OutboxStats Outbox::stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  OutboxStats s = stats_;
  s.queued_bytes = queued_bytes_ + in_libsoup_;
  s.audio_dropped_bytes += unreported_dropped_bytes_;
  s.audio_dropped_messages += unreported_dropped_messages_;
  return s;
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

// Main context, from inside libsoup's writes: only counts and schedules.
void Outbox::wrote() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!handing_) in_libsoup_ = in_libsoup_locked();  // else flush() counts when libsoup returns
  if (!queue_.empty() || unreported_dropped_messages_ || (closing_ && !closed_)) schedule_locked();
}

// What is left of the message libsoup has, in the message's bytes (the
// frame's header, or its compression, aside).
uint64_t Outbox::in_libsoup_locked() const {
  const uint64_t unwritten = frame_end_ > meter_->written ? frame_end_ - meter_->written : 0;
  return std::min<uint64_t>(unwritten, handed_bytes_);
}

std::string Outbox::drop_summary_locked() const {
  char text[160];
  std::snprintf(
      text, sizeof text, "%.1f s of the answer's audio (%llu bytes of PCM in %llu message%s)",
      unreported_dropped_bytes_ / kPcmBytesPerSecond, static_cast<unsigned long long>(unreported_dropped_bytes_),
      static_cast<unsigned long long>(unreported_dropped_messages_), unreported_dropped_messages_ == 1 ? "" : "s");
  return text;
}

void Outbox::flush() {
  for (;;) {
    std::string json;
    SoupWebsocketConnection* connection;
    bool close_now = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      scheduled_ = false;
      connection = connection_;
      if (!connection || soup_websocket_connection_get_state(connection) != SOUP_WEBSOCKET_STATE_OPEN) return;
      // One message in libsoup at a time: the next when it is written.
      if (meter_->busy) return;
      if (unreported_dropped_messages_) {
        const std::string summary = drop_summary_locked();
        json = encode_warning("this browser reads too slowly: the relay dropped " + summary + ", the oldest first");
        if (log_) log_(id_ + ": the browser reads too slowly: dropped " + summary);
        stats_.audio_dropped_bytes += unreported_dropped_bytes_;
        stats_.audio_dropped_messages += unreported_dropped_messages_;
        ++stats_.warnings_sent;
        unreported_dropped_bytes_ = 0;
        unreported_dropped_messages_ = 0;
      } else if (!queue_.empty()) {
        json = std::move(queue_.front().json);
        queued_bytes_ -= json.size();
        queue_.pop_front();
      } else if (closing_ && !closed_) {
        closed_ = true;
        close_now = true;
      } else {
        return;
      }
      if (!close_now) {
        // Counted as libsoup's from now, so that post() on another thread
        // does not miss it while libsoup takes it.
        handing_ = true;
        handed_bytes_ = json.size();
        in_libsoup_ = json.size();
      }
    }
    if (close_now) {
      soup_websocket_connection_close(connection, close_code_, close_reason_.c_str());
      return;
    }
    const uint64_t before = meter_->written;
    meter_->expect_frame = true;
    soup_websocket_connection_send_text(connection, json.c_str());
    meter_->expect_frame = false;
    std::lock_guard<std::mutex> lock(mutex_);
    handed_us_ = g_get_monotonic_time();
    frame_end_ = before + meter_->first_request;
    handing_ = false;
    in_libsoup_ = in_libsoup_locked();
    stats_.peak_queued_bytes = std::max<uint64_t>(stats_.peak_queued_bytes, queued_bytes_ + in_libsoup_);
  }
}

void Outbox::check_stall() {
  SoupWebsocketConnection* connection;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connection = connection_;
    if (!connection || closed_ || !meter_->busy) return;
    const gint64 since = std::max(meter_->last_progress_us, handed_us_);
    if (g_get_monotonic_time() - since < static_cast<gint64>(limits_.stall_close_seconds) * G_USEC_PER_SEC) return;
    closing_ = closed_ = true;
    if (log_)
      log_(id_ + ": the browser read nothing for " + std::to_string(limits_.stall_close_seconds) + " s with " +
           std::to_string(queued_bytes_ + in_libsoup_) + " bytes waiting: closing it");
    queue_.clear();  // its memory goes now; the close frame waits behind what libsoup holds
    queued_bytes_ = 0;
  }
  soup_websocket_connection_close(connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                  ("read nothing for " + std::to_string(limits_.stall_close_seconds) + " s").c_str());
}

}  // namespace geminilive::relay
