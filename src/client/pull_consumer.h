// PullConsumer: the caller drives consumption (RocketMQ's DefaultMQPullConsumer): it lists a
// topic's queues, chooses which to read, pulls by offset and commits when it decides to.
// Nothing runs in the background.
//
//   auto consumer = PullConsumer::Create(options);
//   auto queues = (*consumer)->FetchQueues("orders");
//   auto pulled = (*consumer)->Pull(queues->front(), offset, 32);
//   (*consumer)->CommitOffset(queues->front(), pulled->next_offset);
//
// Threading: every method may be called from any thread concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/client_instance.h"
#include "client/client_options.h"
#include "client/message_queue.h"
#include "client/pull_message.h"
#include "common/result.h"

namespace raftmq::client {

class PullConsumer {
 public:
  // InvalidArgument on bad options (an empty consumer_group among them).
  static Result<std::unique_ptr<PullConsumer>> Create(const PullConsumerOptions& options);

  // The topic's readable queues over every group, sorted.
  Result<std::vector<MessageQueue>> FetchQueues(const std::string& topic);
  // Messages at or after `offset`; kOffsetIllegal when the offset is outside [min, max].
  // `long_polling_timeout_ms` > 0 holds an empty pull that long.
  Result<PullResult> Pull(const MessageQueue& queue, int64_t offset, int32_t max_messages,
                          const std::string& tag_expression = "*", int64_t long_polling_timeout_ms = 0);
  // Stores `offset` (the next to consume) as the group's position on the queue.
  Status CommitOffset(const MessageQueue& queue, int64_t offset);
  // The group's committed offset; NotFound when it never committed on the queue.
  Result<int64_t> CommittedOffset(const MessageQueue& queue);
  Result<QueueBounds> Bounds(const MessageQueue& queue);

 private:
  explicit PullConsumer(const PullConsumerOptions& options) : options_(options), instance_(options.client) {}

  const PullConsumerOptions options_;
  ClientInstance instance_;
};

}  // namespace raftmq::client
