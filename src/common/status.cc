#include "common/status.h"

namespace raftmq {

namespace {
const std::string kEmpty;
}

std::string_view CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk: return "OK";
    case Status::Code::kNotFound: return "Not found";
    case Status::Code::kCorruption: return "Corruption";
    case Status::Code::kIoError: return "IO error";
    case Status::Code::kNoSpace: return "No space";
    case Status::Code::kInvalidArgument: return "Invalid argument";
    case Status::Code::kNotSupported: return "Not supported";
    case Status::Code::kUnavailable: return "Unavailable";
    case Status::Code::kAborted: return "Aborted";
    case Status::Code::kResourceExhausted: return "Resource exhausted";
    case Status::Code::kOutOfRange: return "Out of range";
    case Status::Code::kAlreadyExists: return "Already exists";
    case Status::Code::kPermissionDenied: return "Permission denied";
    case Status::Code::kDeadlineExceeded: return "Deadline exceeded";
  }
  return "Unknown";
}

const std::string& Status::message() const { return state_ ? state_->message : kEmpty; }

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(state_->code));
  out += ": ";
  out += state_->message;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  std::string message(context);
  message += ": ";
  message += state_->message;
  return Status(state_->code, message);
}

}  // namespace raftmq
