#include "client/offset_start.h"

#include "client/pull_message.h"
#include "common/assert.h"

namespace raftmq::client {

Result<int64_t> ComputeStartOffset(BrokerClient& brokers, OffsetStore& store, const std::string& consumer_group,
                                   const MessageQueue& queue, ConsumeFromWhere from, int64_t timestamp_ms,
                                   int64_t rpc_timeout_ms) {
  auto stored = store.Read(queue);
  if (stored.ok()) return *stored;
  if (!stored.status().IsNotFound()) return stored.status();
  RMQ_ASSIGN_OR_RETURN(QueueBounds bounds, QueryQueueBounds(brokers, queue));
  if (queue.topic.starts_with("%RETRY%")) return bounds.min_offset;
  switch (from) {
    case ConsumeFromWhere::kFirstOffset:
      return bounds.min_offset;
    case ConsumeFromWhere::kLastOffset:
      return bounds.max_offset;
    case ConsumeFromWhere::kTimestamp:
      return SearchOffsetByTimestamp(brokers, consumer_group, queue, timestamp_ms, rpc_timeout_ms);
  }
  RMQ_ASSERT_MSG(false, "unknown ConsumeFromWhere");
  return Status::InvalidArgument("unknown ConsumeFromWhere");
}

Result<int64_t> SearchOffsetByTimestamp(BrokerClient& brokers, const std::string& consumer_group,
                                        const MessageQueue& queue, int64_t timestamp_ms, int64_t rpc_timeout_ms) {
  RMQ_ASSIGN_OR_RETURN(QueueBounds bounds, QueryQueueBounds(brokers, queue));
  int64_t low = bounds.min_offset;
  int64_t high = bounds.max_offset;
  // Invariant: every offset below `low` was stored before timestamp_ms; `high` at or after
  // (or is the end). Each step halves [low, high), so this ends within 64 pulls.
  while (low < high) {
    const int64_t middle = low + (high - low) / 2;
    PullRequest request{.consumer_group = consumer_group, .queue = queue, .offset = middle, .max_messages = 1};
    RMQ_ASSIGN_OR_RETURN(PullResult pulled, PullMessage(brokers, request, rpc_timeout_ms));
    if (pulled.outcome != PullResult::Outcome::kFound) {
      high = middle;  // trimmed or out of range meanwhile: look lower
      continue;
    }
    const messaging::MessageExt& message = pulled.messages.front();
    if (message.store_timestamp_ms() < timestamp_ms) {
      low = std::max(middle, message.queue_offset()) + 1;
    } else {
      high = middle;
    }
  }
  RMQ_ASSERT(low == high);
  return low;
}

}  // namespace raftmq::client
