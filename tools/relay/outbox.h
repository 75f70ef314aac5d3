// SPDX-License-Identifier: LGPL-2.1-or-later
// Messages for one browser, posted from any thread (streaming threads, the
// session's thread) and sent, in order, from the main context, since
// libsoup objects stay on their thread. The connection is touched only
// there, and is cleared when its session goes.
//
// Flow control: libsoup gets one message at a time, the next only when it
// has written the last to the socket (observed_stream.h); the rest wait here,
// counted. What waits (here and the message libsoup holds) stays within
// `max_queued_bytes` (or one message, when a message is larger; text may
// pass it when no audio is left to drop): when a browser reads too slowly,
// the oldest waiting audio is dropped (never text or the typed messages),
// the browser gets a {"type":"warning"} saying how
// much as soon as libsoup can take a message again, and the relay logs it. A browser that reads nothing for
// `stall_close_seconds` while something waits is closed (1008).
#pragma once

#include <libsoup/soup.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "observed_stream.h"

namespace geminilive::relay {

// The default budget of what waits for one browser, in milliseconds of the
// answer's audio (--max-queued-ms): 20 s, 1.28 MB of {"audio"} messages
// (24 kHz S16LE in base64 is 64 bytes a millisecond).
inline constexpr unsigned kDefaultMaxQueuedMs = 20000;
inline constexpr size_t kAudioJsonBytesPerMs = 64;
// A browser that reads nothing this long while messages wait is closed (--stall-timeout).
inline constexpr unsigned kDefaultStallCloseSeconds = 30;

struct OutboxLimits {
  size_t max_queued_bytes = 0;       // JSON bytes waiting to be sent; 0: no limit
  unsigned stall_close_seconds = 0;  // 0: never
};

// Bytes are the JSON messages' (what goes on the wire, before compression).
struct OutboxStats {
  uint64_t queued_bytes = 0;         // waiting now, here and in libsoup
  uint64_t peak_queued_bytes = 0;    // the most that ever waited
  uint64_t audio_posted_bytes = 0;   // 24 kHz PCM given to this outbox
  uint64_t audio_dropped_bytes = 0;  // of which dropped (PCM)
  uint64_t audio_dropped_messages = 0;
  uint64_t warnings_sent = 0;
};

class Outbox : public std::enable_shared_from_this<Outbox> {
 public:
  // Main context. `log` gets the drops and the stall, prefixed with `id`.
  static std::shared_ptr<Outbox> create(SoupWebsocketConnection* connection, std::shared_ptr<WriteMeter> meter,
                                        OutboxLimits limits, std::string id,
                                        std::function<void(const std::string&)> log);
  Outbox(SoupWebsocketConnection* connection, std::shared_ptr<WriteMeter> meter, OutboxLimits limits, std::string id,
         std::function<void(const std::string&)> log);
  ~Outbox();

  // Any thread. `audio_bytes` > 0: an {"audio"} message of that much PCM,
  // which may be dropped when the browser reads too slowly.
  void post(std::string json, size_t audio_bytes = 0);
  // After what is queued: a close frame with `code`.
  void close(int code, std::string reason);
  // Main context: nothing more is sent (the connection goes).
  void detach();
  OutboxStats stats();

 private:
  struct Item {
    std::string json;
    size_t audio_bytes;
  };
  void schedule_locked();
  void flush();
  void wrote();
  void check_stall();
  std::string drop_summary_locked() const;
  uint64_t in_libsoup_locked() const;

  std::mutex mutex_;
  SoupWebsocketConnection* connection_;
  std::shared_ptr<WriteMeter> meter_;
  OutboxLimits limits_;
  std::string id_;
  std::function<void(const std::string&)> log_;
  GMainContext* context_;
  GSource* stall_timer_ = nullptr;
  std::deque<Item> queue_;
  uint64_t queued_bytes_ = 0;  // in queue_
  uint64_t frame_end_ = 0;     // meter_->written once libsoup has sent the message handed to it last
  uint64_t handed_bytes_ = 0;  // that message's size
  uint64_t in_libsoup_ = 0;    // bytes of it not yet written
  uint64_t unreported_dropped_bytes_ = 0;
  uint64_t unreported_dropped_messages_ = 0;
  OutboxStats stats_;
  gint64 handed_us_ = 0;  // when libsoup got its last message
  bool handing_ = false;  // flush() is inside libsoup's send
  bool scheduled_ = false;
  bool closing_ = false;
  bool closed_ = false;
  int close_code_ = 0;
  std::string close_reason_;
};

}  // namespace geminilive::relay
