// PullMessage: one pull of a queue from its group's leader, shared by the pull consumer, the
// push consumer's pull loops and the timestamp search; QueryQueueBounds: a queue's min and
// max offsets (from the group's DescribeTopic).
//
// Thread-safety: free functions over the thread-safe BrokerClient.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/broker_client.h"
#include "client/message_queue.h"
#include "common/result.h"
#include "proto/messaging.pb.h"

namespace raftmq::client {

struct PullResult {
  enum class Outcome {
    kFound,          // messages holds at least one message
    kNoNewMessage,   // nothing (more) at or after the offset, or all filtered out by tag
    kOffsetIllegal,  // the offset is before the queue's min or past its max
  };
  Outcome outcome = Outcome::kNoNewMessage;
  std::vector<messaging::MessageExt> messages;
  int64_t next_offset = 0;  // where the next pull starts (unchanged when kOffsetIllegal)
  int64_t min_offset = 0;   // the queue's bounds as the broker answered them (kOffsetIllegal too)
  int64_t max_offset = 0;
};

struct PullRequest {
  std::string consumer_group;
  MessageQueue queue;
  int64_t offset = 0;
  int32_t max_messages = 32;
  std::string tag_expression = "*";
  int64_t long_polling_timeout_ms = 0;  // 0 = answer at once
};

// The call's deadline is the long-polling hold plus `rpc_timeout_ms`.
Result<PullResult> PullMessage(BrokerClient& brokers, const PullRequest& request, int64_t rpc_timeout_ms,
                               CallCanceller* canceller = nullptr);

struct QueueBounds {
  int64_t min_offset = 0;
  int64_t max_offset = 0;  // the next offset to be written
};

// NotFound when the group does not have the topic or the queue.
Result<QueueBounds> QueryQueueBounds(BrokerClient& brokers, const MessageQueue& queue);

}  // namespace raftmq::client
