// Result<T>: a value or the Status saying why there is none. The I/O-path counterpart of a
// function returning T; never holds an OK status without a value.
//
// Thread-safety: a value type, like Status.
#pragma once

#include <optional>
#include <utility>

#include "common/assert.h"
#include "common/status.h"

namespace raftmq {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    RMQ_ASSERT(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    RMQ_ASSERT(ok());
    return *value_;
  }
  const T& value() const& {
    RMQ_ASSERT(ok());
    return *value_;
  }
  T&& value() && {
    RMQ_ASSERT(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace raftmq

// `RMQ_ASSIGN_OR_RETURN(auto x, Foo());` returns Foo()'s status from the enclosing function
// when it failed, and otherwise binds its value.
#define RMQ_CONCAT_INNER(a, b) a##b
#define RMQ_CONCAT(a, b) RMQ_CONCAT_INNER(a, b)
#define RMQ_ASSIGN_OR_RETURN(lhs, expr) \
  RMQ_ASSIGN_OR_RETURN_IMPL(RMQ_CONCAT(rmq_result_, __LINE__), lhs, expr)
#define RMQ_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                              \
  if (!result.ok()) return result.status();          \
  lhs = std::move(result).value()
