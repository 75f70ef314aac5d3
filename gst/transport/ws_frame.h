// SPDX-License-Identifier: LGPL-2.1-or-later
// RFC 6455 framing for the client's side of a WebSocket, without I/O:
// the headers and masking of the frames we send, and a reader for the
// server's frames as their bytes arrive. Ours because libsoup masks client
// frames a byte at a time and validates the UTF-8 of every text frame it
// sends; on our media uplink those two were 30 % of the element's CPU.
// Internal to gst/transport; compiled alone by tests/fuzz.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace geminilive::transport::ws {

enum Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// The longest header of a client frame: 2 + 8 length bytes + 4 mask bytes.
constexpr std::size_t kMaxHeader = 14;
// A control frame's payload limit (RFC 6455 5.5).
constexpr std::size_t kMaxControlPayload = 125;

// Writes the header of a final, masked frame of `payload_size` bytes into
// `out`; returns its length.
std::size_t client_frame_header(Opcode opcode, uint64_t payload_size, uint32_t mask, uint8_t out[kMaxHeader]);

// XORs `data` with the 4-byte `mask` (as written in the header: its first
// byte masks data[0]), eight bytes at a time.
void apply_mask(char* data, std::size_t size, uint32_t mask);

// A close frame's payload: the code (none for 1005) and the reason cut to
// fit the frame on a UTF-8 boundary.
std::string close_payload(int code, std::string_view reason);

// One thing the server said.
struct ServerFrame {
  enum class Kind { Message, Ping, Pong, Close };
  Kind kind = Kind::Message;
  bool binary = false;
  std::string_view payload;  // valid during the callback only
  int close_code = 0;        // Close: 1005 when the frame carried none
};

// Reads the server's frames; fragments are joined into whole messages.
class FrameReader {
 public:
  explicit FrameReader(uint64_t max_message) : max_message_(max_message) {}

  // Takes the next bytes from the wire and calls `on_frame` for every
  // complete message or control frame in them. False on a protocol
  // violation: error_code() (1002, 1007, 1009) and error() say which, and
  // the reader takes nothing more.
  bool feed(const char* data, std::size_t size, const std::function<void(const ServerFrame&)>& on_frame);

  int error_code() const { return error_code_; }
  const std::string& error() const { return error_; }

 private:
  bool set_error(int code, std::string reason);
  long reject(int code, std::string reason);  // set_error(), as parse_one() says it
  // Parses one frame at buffer_[offset]; returns bytes used, 0 when the
  // frame is not complete yet, or -1 on a violation.
  long parse_one(std::size_t offset, const std::function<void(const ServerFrame&)>& on_frame);
  bool deliver_message(std::string_view payload, bool binary, const std::function<void(const ServerFrame&)>& on_frame);

  const uint64_t max_message_;
  std::string buffer_;     // bytes not yet parsed
  std::string fragments_;  // the message being joined
  bool in_fragments_ = false;
  bool fragments_binary_ = false;
  int error_code_ = 0;
  std::string error_;
};

}  // namespace geminilive::transport::ws
