// SPDX-License-Identifier: LGPL-2.1-or-later
#include "transport/ws_frame.h"

#include <glib.h>

#include <cstring>

#include "transport/close_codes.h"

namespace geminilive::transport::ws {
namespace {

bool valid_close_code(int code) {
  // RFC 6455 7.4: 1004-1006 and 1015 are never sent; 1016-2999 are reserved.
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

}  // namespace

std::size_t client_frame_header(Opcode opcode, uint64_t payload_size, uint32_t mask, uint8_t out[kMaxHeader]) {
  std::size_t n = 0;
  out[n++] = static_cast<uint8_t>(0x80 | opcode);  // FIN
  if (payload_size < 126) {
    out[n++] = static_cast<uint8_t>(0x80 | payload_size);
  } else if (payload_size <= 0xFFFF) {
    out[n++] = 0x80 | 126;
    out[n++] = static_cast<uint8_t>(payload_size >> 8);
    out[n++] = static_cast<uint8_t>(payload_size);
  } else {
    out[n++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8) out[n++] = static_cast<uint8_t>(payload_size >> shift);
  }
  std::memcpy(out + n, &mask, 4);
  return n + 4;
}

void apply_mask(char* data, std::size_t size, uint32_t mask) {
  // The mask's bytes in memory order repeat every 4 bytes, so a 64-bit word
  // of two masks XORs 8 payload bytes at once (the compiler vectorises it).
  uint64_t wide;
  std::memcpy(&wide, &mask, 4);
  std::memcpy(reinterpret_cast<char*>(&wide) + 4, &mask, 4);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    word ^= wide;
    std::memcpy(data + i, &word, 8);
  }
  const auto* m = reinterpret_cast<const uint8_t*>(&mask);
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ m[i & 3]);
}

std::string close_payload(int code, std::string_view reason) {
  if (code == 1005) return {};
  std::string out;
  out += static_cast<char>((code >> 8) & 0xFF);
  out += static_cast<char>(code & 0xFF);
  out += truncate_reason(std::string(reason));
  return out;
}

bool FrameReader::set_error(int code, std::string reason) {
  error_code_ = code;
  error_ = std::move(reason);
  buffer_.clear();
  fragments_.clear();
  return false;
}

long FrameReader::reject(int code, std::string reason) {
  set_error(code, std::move(reason));
  return -1;
}

bool FrameReader::feed(const char* data, std::size_t size, const std::function<void(const ServerFrame&)>& on_frame) {
  if (error_code_) return false;
  buffer_.append(data, size);
  std::size_t offset = 0;
  for (;;) {
    const long used = parse_one(offset, on_frame);
    if (used < 0) return false;
    if (used == 0) break;
    offset += static_cast<std::size_t>(used);
  }
  if (offset == buffer_.size()) {
    // Let a large frame's memory go rather than keep it for the session.
    if (buffer_.capacity() > (1u << 20))
      buffer_ = std::string();
    else
      buffer_.clear();
  } else if (offset > 0) {
    buffer_.erase(0, offset);
  }
  return true;
}

long FrameReader::parse_one(std::size_t offset, const std::function<void(const ServerFrame&)>& on_frame) {
  const std::size_t avail = buffer_.size() - offset;
  if (avail < 2) return 0;
  const auto* p = reinterpret_cast<const uint8_t*>(buffer_.data() + offset);
  const bool fin = p[0] & 0x80;
  const auto opcode = static_cast<uint8_t>(p[0] & 0x0F);
  if (p[0] & 0x70) return reject(1002, "the server set reserved bits of a frame (no extension was agreed)");
  if (p[1] & 0x80) return reject(1002, "the server sent a masked frame");
  std::size_t header = 2;
  uint64_t length = p[1] & 0x7F;
  if (length == 126) {
    if (avail < 4) return 0;
    length = (uint64_t{p[2]} << 8) | p[3];
    header = 4;
  } else if (length == 127) {
    if (avail < 10) return 0;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
    header = 10;
    if (length >> 63) return reject(1002, "the server sent a frame length with its top bit set");
  }

  const bool control = opcode & 0x08;
  if (control) {
    if (opcode != kClose && opcode != kPing && opcode != kPong)
      return reject(1002, "the server sent an unknown control opcode " + std::to_string(opcode));
    if (!fin || length > kMaxControlPayload)
      return reject(1002, "the server sent a fragmented or oversized control frame");
  } else if (opcode == kContinuation) {
    if (!in_fragments_) return reject(1002, "the server continued a message it never started");
  } else if (opcode == kText || opcode == kBinary) {
    if (in_fragments_) return reject(1002, "the server started a message inside another");
  } else {
    return reject(1002, "the server sent an unknown opcode " + std::to_string(opcode));
  }
  if (!control && length + fragments_.size() > max_message_) {
    return reject(1009, "the server sent a message of more than " + std::to_string(max_message_) +
                            " bytes, over max-incoming-payload");
  }
  if (avail - header < length) return 0;
  const std::string_view payload(buffer_.data() + offset + header, static_cast<std::size_t>(length));
  const long used = static_cast<long>(header + length);

  if (control) {
    ServerFrame frame;
    frame.payload = payload;
    if (opcode == kPing) {
      frame.kind = ServerFrame::Kind::Ping;
    } else if (opcode == kPong) {
      frame.kind = ServerFrame::Kind::Pong;
    } else {
      frame.kind = ServerFrame::Kind::Close;
      frame.close_code = 1005;
      if (payload.size() == 1) return reject(1002, "the server sent a close frame of one byte");
      if (payload.size() >= 2) {
        frame.close_code = (static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1]);
        if (!valid_close_code(frame.close_code))
          return reject(1002, "the server closed with the invalid code " + std::to_string(frame.close_code));
        frame.payload = payload.substr(2);
        if (!g_utf8_validate_len(frame.payload.data(), frame.payload.size(), nullptr))
          return reject(1007, "the server's close reason is not UTF-8");
      }
    }
    on_frame(frame);
    return used;
  }

  if (fin && opcode != kContinuation) return deliver_message(payload, opcode == kBinary, on_frame) ? used : -1;
  if (opcode != kContinuation) {
    in_fragments_ = true;
    fragments_binary_ = opcode == kBinary;
  }
  fragments_.append(payload.data(), payload.size());
  if (!fin) return used;
  in_fragments_ = false;
  std::string whole = std::move(fragments_);
  fragments_.clear();
  return deliver_message(whole, fragments_binary_, on_frame) ? used : -1;
}

bool FrameReader::deliver_message(std::string_view payload, bool binary,
                                  const std::function<void(const ServerFrame&)>& on_frame) {
  if (!binary && !g_utf8_validate_len(payload.data(), payload.size(), nullptr))
    return set_error(1007, "the server sent a text message that is not UTF-8");
  ServerFrame frame;
  frame.kind = ServerFrame::Kind::Message;
  frame.binary = binary;
  frame.payload = payload;
  on_frame(frame);
  return true;
}

}  // namespace geminilive::transport::ws
