// Names users give and the broker derives: topics and consumer groups follow RocketMQ's rules
// (common/resource_names.h: ^[%|a-zA-Z0-9_-]+$, at most 127 characters); a group's retry and
// dead-letter topics are %RETRY%<group> and %DLQ%<group>, so a consumer group is at most
// kGroupNameLengthMax characters: every topic the broker derives from a request fits the topic
// rule, and is checked before anything is proposed (never at apply time, when it is too late
// to refuse).
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

#include "common/resource_names.h"

namespace raftmq::broker {

inline constexpr size_t kNameLengthMax = kResourceNameLengthMax;
inline constexpr std::string_view kRetryTopicPrefix = "%RETRY%";
inline constexpr std::string_view kDlqTopicPrefix = "%DLQ%";
// The longer prefix decides: %RETRY%<group> must fit kNameLengthMax.
inline constexpr size_t kGroupNameLengthMax = kNameLengthMax - kRetryTopicPrefix.size();
static_assert(kDlqTopicPrefix.size() <= kRetryTopicPrefix.size());
static_assert(kGroupNameLengthMax == 120);
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
// A consumer group named in a request: CheckName, and at most kGroupNameLengthMax characters.
grpc::Status CheckGroupName(std::string_view group);

// RocketMQ's system topics (TopicValidator.isSystemTopic: a fixed set, and the rmq_sys_
// prefix): users may not create, update or delete them.
bool IsSystemTopic(std::string_view topic);
// INVALID_ARGUMENT naming the topic when a producer may not send to it: the broker's own
// SCHEDULE_TOPIC_XXXX and the rest of RocketMQ's TopicValidator.isNotAllowedSendTopic set.
grpc::Status CheckSendableTopic(std::string_view topic);
// INVALID_ARGUMENT naming the topic when it is a system topic (admin changes).
grpc::Status CheckUserTopic(std::string_view topic);

std::string RetryTopic(std::string_view group);
std::string DlqTopic(std::string_view group);
bool IsRetryTopic(std::string_view topic);

}  // namespace raftmq::broker
