// The checks a send passes before anything is proposed, each failure a precise status:
// INVALID_ARGUMENT for a malformed request (no messages, too many, mixed topics, a bad
// topic name, a system topic producers may not send to (SCHEDULE_TOPIC_XXXX), an empty or
// oversized message, too many keys/properties, a bad queue id),
// PERMISSION_DENIED for a topic without PERM_WRITE.
//
// Threading: pure functions.
#pragma once

#include <grpcpp/support/status.h>

#include "broker/broker_options.h"
#include "proto/admin.pb.h"
#include "proto/messaging.pb.h"

namespace raftmq::broker {

// The request alone (before the topic is looked up).
grpc::Status CheckSendRequest(const messaging::SendMessageRequest& request, const BrokerOptions& options);

// The request against its topic's config.
grpc::Status CheckTopicWritable(const admin::TopicConfig& topic, int32_t queue_id);

// For pulls: PERM_READ and queue_id < read_queue_nums.
grpc::Status CheckTopicReadable(const admin::TopicConfig& topic, int32_t queue_id);

}  // namespace raftmq::broker
