#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace distill::core {

// An expected-style value: either a T or an Error. Low layers return these and
// never throw; the CLI turns an Error into one line on stderr.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace distill::core

// Propagates an error from an expression yielding Status or Result<T>.
#define DISTILL_TRY(expr)                                    \
  do {                                                       \
    auto&& distill_try_r_ = (expr);                          \
    if (!distill_try_r_.ok()) return distill_try_r_.error(); \
  } while (0)

#define DISTILL_CONCAT_INNER(a, b) a##b
#define DISTILL_CONCAT(a, b) DISTILL_CONCAT_INNER(a, b)
// Declares `lhs` from a Result<T> expression or returns its error.
#define DISTILL_ASSIGN(lhs, expr) \
  DISTILL_ASSIGN_IMPL(DISTILL_CONCAT(distill_r_, __LINE__), lhs, expr)
#define DISTILL_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                        \
  if (!tmp.ok()) return tmp.error();        \
  lhs = std::move(tmp).value()
