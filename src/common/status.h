// Status: the outcome of an operation that can fail for reasons outside the program (disk,
// network, bad input). Programmer errors are RMQ_ASSERTs instead (see assert.h).
//
// The codes are kept apart on purpose: a caller retries IoError, refuses InvalidArgument,
// truncates on Corruption, answers RESOURCE_EXHAUSTED on NoSpace. OK carries no allocation.
//
// Thread-safety: a Status is a value; distinct objects may be used from distinct threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace raftmq {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kCorruption,
    kIoError,
    kNoSpace,          // ENOSPC or a configured disk watermark: writes refused, reads go on
    kInvalidArgument,  // the caller's input is wrong; nothing changed
    kNotSupported,
    kUnavailable,      // try again later or elsewhere (e.g. not the leader)
    kAborted,          // the operation was cut short by shutdown or a lost leadership
    kResourceExhausted,  // a configured limit (count, size) would be passed; nothing changed
    kOutOfRange,         // a position outside what exists (an offset past a queue's end)
    kAlreadyExists,      // the thing to create is there already; nothing changed
    kPermissionDenied,   // the target refuses this operation (a topic without write permission)
    kDeadlineExceeded,   // no answer (in time, or before the connection was lost): may or may not have taken effect
  };

  Status() = default;  // OK
  Status(const Status& other) : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view message) { return Status(Code::kNotFound, message); }
  static Status Corruption(std::string_view message) { return Status(Code::kCorruption, message); }
  static Status IoError(std::string_view message) { return Status(Code::kIoError, message); }
  static Status NoSpace(std::string_view message) { return Status(Code::kNoSpace, message); }
  static Status InvalidArgument(std::string_view message) { return Status(Code::kInvalidArgument, message); }
  static Status NotSupported(std::string_view message) { return Status(Code::kNotSupported, message); }
  static Status Unavailable(std::string_view message) { return Status(Code::kUnavailable, message); }
  static Status Aborted(std::string_view message) { return Status(Code::kAborted, message); }
  static Status ResourceExhausted(std::string_view message) { return Status(Code::kResourceExhausted, message); }
  static Status OutOfRange(std::string_view message) { return Status(Code::kOutOfRange, message); }
  static Status AlreadyExists(std::string_view message) { return Status(Code::kAlreadyExists, message); }
  static Status PermissionDenied(std::string_view message) { return Status(Code::kPermissionDenied, message); }
  static Status DeadlineExceeded(std::string_view message) { return Status(Code::kDeadlineExceeded, message); }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsIoError() const { return code() == Code::kIoError; }
  bool IsNoSpace() const { return code() == Code::kNoSpace; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsNotSupported() const { return code() == Code::kNotSupported; }
  bool IsUnavailable() const { return code() == Code::kUnavailable; }
  bool IsAborted() const { return code() == Code::kAborted; }
  bool IsResourceExhausted() const { return code() == Code::kResourceExhausted; }
  bool IsOutOfRange() const { return code() == Code::kOutOfRange; }
  bool IsAlreadyExists() const { return code() == Code::kAlreadyExists; }
  bool IsPermissionDenied() const { return code() == Code::kPermissionDenied; }
  bool IsDeadlineExceeded() const { return code() == Code::kDeadlineExceeded; }

  const std::string& message() const;
  // "IO error: open /x: Permission denied"; "OK" for success.
  std::string ToString() const;

  // Prefixes the message with context, keeping the code: `s.WithContext("segment 3")`.
  Status WithContext(std::string_view context) const;

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view message)
      : state_(std::make_unique<State>(State{code, std::string(message)})) {}

  std::unique_ptr<State> state_;
};

std::string_view CodeName(Status::Code code);

}  // namespace raftmq

// Returns from the enclosing function when `expr` is not OK.
#define RMQ_RETURN_IF_ERROR(expr)                 \
  do {                                            \
    ::raftmq::Status rmq_status_ = (expr);        \
    if (!rmq_status_.ok()) return rmq_status_;    \
  } while (false)
