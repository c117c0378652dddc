// Names users give and the broker derives: topics and consumer groups follow RocketMQ's rules
// (charset ^[%|a-zA-Z0-9_-]+$, at most 127 characters); a group's retry and dead-letter
// topics are %RETRY%<group> and %DLQ%<group>.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

namespace raftmq::broker {

inline constexpr size_t kNameLengthMax = 127;
inline constexpr std::string_view kRetryTopicPrefix = "%RETRY%";
inline constexpr std::string_view kDlqTopicPrefix = "%DLQ%";
// Messages waiting out a retry delay: queue (level - 1) of this topic holds level `level`
// (RocketMQ's SCHEDULE_TOPIC_XXXX); the scheduler's progress is kept as the committed
// offsets of group kScheduleGroup, so it is replicated like any consumer's.
inline constexpr std::string_view kScheduleTopic = "SCHEDULE_TOPIC_XXXX";
inline constexpr std::string_view kScheduleGroup = "%SCHEDULE%";
// Message properties, RocketMQ's names.
inline constexpr std::string_view kPropertyRealTopic = "REAL_TOPIC";
inline constexpr std::string_view kPropertyRealQueueId = "REAL_QID";
inline constexpr std::string_view kPropertyDelayLevel = "DELAY";
inline constexpr std::string_view kPropertyRetryTopic = "RETRY_TOPIC";
inline constexpr std::string_view kPropertyOriginMessageId = "ORIGIN_MESSAGE_ID";

// INVALID_ARGUMENT naming `what` ("topic", "consumer group") unless `name` is valid.
grpc::Status CheckName(std::string_view what, std::string_view name);

std::string RetryTopic(std::string_view group);
std::string DlqTopic(std::string_view group);
bool IsRetryTopic(std::string_view topic);

}  // namespace raftmq::broker
