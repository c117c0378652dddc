#include "client/pull_consumer.h"

#include "client/remote_offset_store.h"
#include "common/assert.h"

namespace raftmq::client {

Result<std::unique_ptr<PullConsumer>> PullConsumer::Create(const PullConsumerOptions& options) {
  RMQ_RETURN_IF_ERROR(ValidateClientOptions(options.client));
  if (options.consumer_group.empty()) return Status::InvalidArgument("consumer_group is empty");
  return std::unique_ptr<PullConsumer>(new PullConsumer(options));
}

Result<std::vector<MessageQueue>> PullConsumer::FetchQueues(const std::string& topic) {
  RMQ_ASSIGN_OR_RETURN(std::shared_ptr<const TopicRoute> route, instance_.routes().Get(topic));
  return route->readable_queues;
}

Result<PullResult> PullConsumer::Pull(const MessageQueue& queue, int64_t offset, int32_t max_messages,
                                      const std::string& tag_expression, int64_t long_polling_timeout_ms) {
  if (offset < 0) return Status::InvalidArgument("negative offset");
  if (max_messages <= 0) return Status::InvalidArgument("max_messages must be positive");
  // The group directory learns the queue's group from its route.
  RMQ_RETURN_IF_ERROR(instance_.routes().Get(queue.topic).status());
  PullRequest request{.consumer_group = options_.consumer_group,
                      .queue = queue,
                      .offset = offset,
                      .max_messages = max_messages,
                      .tag_expression = tag_expression,
                      .long_polling_timeout_ms = long_polling_timeout_ms};
  return PullMessage(instance_.brokers(), request, options_.client.rpc_timeout_ms);
}

Status PullConsumer::CommitOffset(const MessageQueue& queue, int64_t offset) {
  if (offset < 0) return Status::InvalidArgument("negative offset");
  RMQ_RETURN_IF_ERROR(instance_.routes().Get(queue.topic).status());
  RemoteOffsetStore store(&instance_.brokers(), options_.consumer_group);
  store.Update(queue, offset);
  return store.Persist(queue);
}

Result<int64_t> PullConsumer::CommittedOffset(const MessageQueue& queue) {
  RMQ_RETURN_IF_ERROR(instance_.routes().Get(queue.topic).status());
  RemoteOffsetStore store(&instance_.brokers(), options_.consumer_group);
  return store.Read(queue);
}

Result<QueueBounds> PullConsumer::Bounds(const MessageQueue& queue) {
  RMQ_RETURN_IF_ERROR(instance_.routes().Get(queue.topic).status());
  return QueryQueueBounds(instance_.brokers(), queue);
}

}  // namespace raftmq::client
