// SPDX-License-Identifier: LGPL-2.1-or-later
// A value or the reason it could not be produced. Decoders return this
// instead of throwing: they run inside C callbacks where exceptions must not go.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace geminilive::protocol {

struct Error {
  std::string message;
};

template <typename T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(Error error) : v_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const std::string& error() const { return std::get<Error>(v_).message; }

 private:
  std::variant<T, Error> v_;
};

}  // namespace geminilive::protocol
