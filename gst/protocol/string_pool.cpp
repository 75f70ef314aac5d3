// SPDX-License-Identifier: LGPL-2.1-or-later
#include "protocol/string_pool.h"

#include <mutex>
#include <utility>
#include <vector>

namespace geminilive::protocol {
namespace {

constexpr std::size_t kMaxStrings = 16;
constexpr std::size_t kSmallest = 16 * 1024;  // smaller ones cost the allocator little
constexpr std::size_t kLargest = 4 * 1024 * 1024;

struct Pool {
  std::mutex mutex;
  std::vector<std::string> strings;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: threads may recycle during exit
  return *p;
}

}  // namespace

std::string pooled_string(std::size_t capacity) {
  std::string s;
  if (capacity >= kSmallest) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (!p.strings.empty()) {
      s = std::move(p.strings.back());
      p.strings.pop_back();
    }
  }
  s.clear();
  s.reserve(capacity);
  return s;
}

void recycle_string(std::string&& s) {
  if (s.capacity() < kSmallest || s.capacity() > kLargest) return;
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (p.strings.size() < kMaxStrings) p.strings.push_back(std::move(s));
}

}  // namespace geminilive::protocol
