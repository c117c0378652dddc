#include "broker/names.h"

#include <string>

namespace raftmq::broker {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '%' || c == '|' ||
         c == '_' || c == '-';
}

}  // namespace

grpc::Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty()) return {grpc::StatusCode::INVALID_ARGUMENT, std::string(what) + " name is empty"};
  if (name.size() > kNameLengthMax) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            std::string(what) + " name is " + std::to_string(name.size()) + " characters, more than 127"};
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              std::string(what) + " name '" + std::string(name) + "' has a character outside [%|a-zA-Z0-9_-]"};
    }
  }
  return grpc::Status::OK;
}

std::string RetryTopic(std::string_view group) { return std::string(kRetryTopicPrefix) + std::string(group); }

std::string DlqTopic(std::string_view group) { return std::string(kDlqTopicPrefix) + std::string(group); }

bool IsRetryTopic(std::string_view topic) { return topic.starts_with(kRetryTopicPrefix); }

}  // namespace raftmq::broker
