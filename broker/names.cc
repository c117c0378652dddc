#include "broker/names.h"

#include <algorithm>
#include <array>
#include <string>

namespace raftmq::broker {
namespace {

// RocketMQ's TopicValidator: SYSTEM_TOPIC_SET, SYSTEM_TOPIC_PREFIX, NOT_ALLOWED_SEND_TOPIC_SET.
constexpr std::string_view kSystemTopicPrefix = "rmq_sys_";
constexpr std::array<std::string_view, 10> kSystemTopics = {
    "TBW102", kScheduleTopic, "SCHEDULE_TOPIC_XXXX_V2", "BenchmarkTest", "RMQ_SYS_TRANS_HALF_TOPIC",
    "RMQ_SYS_TRACE_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", "SELF_TEST_TOPIC",
    "OFFSET_MOVED_EVENT"};
constexpr std::array<std::string_view, 7> kNotSendableTopics = {
    kScheduleTopic,         "SCHEDULE_TOPIC_XXXX_V2", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC",
    "TRANS_CHECK_MAX_TIME_TOPIC", "SELF_TEST_TOPIC",  "OFFSET_MOVED_EVENT"};

grpc::Status Invalid(std::string message) { return {grpc::StatusCode::INVALID_ARGUMENT, std::move(message)}; }

}  // namespace

grpc::Status CheckName(std::string_view what, std::string_view name) {
  Status checked = CheckResourceName(std::string(what) + " name", name);
  return checked.ok() ? grpc::Status::OK : Invalid(checked.message());
}

grpc::Status CheckGroupName(std::string_view group) {
  if (group.size() > kGroupNameLengthMax) {
    return Invalid("consumer group must have at most " + std::to_string(kGroupNameLengthMax) + " characters so that " +
                   std::string(kRetryTopicPrefix) + "<group> fits the " + std::to_string(kNameLengthMax) +
                   "-character topic limit; it has " + std::to_string(group.size()));
  }
  return CheckName("consumer group", group);
}

bool IsSystemTopic(std::string_view topic) {
  return topic.starts_with(kSystemTopicPrefix) || std::ranges::find(kSystemTopics, topic) != kSystemTopics.end();
}

grpc::Status CheckSendableTopic(std::string_view topic) {
  if (std::ranges::find(kNotSendableTopics, topic) == kNotSendableTopics.end()) return grpc::Status::OK;
  return Invalid("topic '" + std::string(topic) + "' is a system topic: producers may not send to it");
}

grpc::Status CheckUserTopic(std::string_view topic) {
  if (!IsSystemTopic(topic)) return grpc::Status::OK;
  return Invalid("topic '" + std::string(topic) + "' is a system topic (RocketMQ's name or the " +
                 std::string(kSystemTopicPrefix) + " prefix): it cannot be created, changed or deleted");
}

std::string RetryTopic(std::string_view group) { return std::string(kRetryTopicPrefix) + std::string(group); }

std::string DlqTopic(std::string_view group) { return std::string(kDlqTopicPrefix) + std::string(group); }

bool IsRetryTopic(std::string_view topic) { return topic.starts_with(kRetryTopicPrefix); }

}  // namespace raftmq::broker
