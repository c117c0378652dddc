#include "client/pull_message.h"

#include "common/assert.h"
#include "proto/admin.grpc.pb.h"

namespace raftmq::client {

Result<PullResult> PullMessage(BrokerClient& brokers, const PullRequest& request, int64_t rpc_timeout_ms,
                               CallCanceller* canceller) {
  RMQ_ASSERT(request.offset >= 0);
  RMQ_ASSERT(request.max_messages > 0);
  messaging::PullMessageRequest wire;
  wire.set_consumer_group(request.consumer_group);
  wire.set_topic(request.queue.topic);
  wire.set_queue_id(request.queue.queue_id);
  wire.set_queue_offset(request.offset);
  wire.set_max_messages(request.max_messages);
  wire.set_tag_expression(request.tag_expression);
  wire.set_long_polling_timeout_ms(request.long_polling_timeout_ms);
  Trailers error_trailers;
  auto response = brokers.CallLeader(request.queue.broker_group, "PullMessage",
                                     &messaging::MessagingService::Stub::PullMessage, wire,
                                     request.long_polling_timeout_ms + rpc_timeout_ms, canceller, &error_trailers);
  PullResult result;
  result.next_offset = request.offset;
  if (!response.ok()) {
    if (!response.status().IsOutOfRange()) return response.status();
    // The broker names the queue's bounds with its OUT_OF_RANGE: no second call to learn them.
    const std::optional<int64_t> min_offset = TrailerInt64(error_trailers, kMinOffsetKey);
    const std::optional<int64_t> max_offset = TrailerInt64(error_trailers, kMaxOffsetKey);
    if (!min_offset || !max_offset) {
      return Status::IoError(response.status().message() + " (the answer did not carry the queue's bounds)");
    }
    result.outcome = PullResult::Outcome::kOffsetIllegal;
    result.min_offset = *min_offset;
    result.max_offset = *max_offset;
    return result;
  }
  result.next_offset = response->next_queue_offset();
  result.min_offset = response->min_offset();
  result.max_offset = response->max_offset();
  result.messages.assign(std::make_move_iterator(response->mutable_messages()->begin()),
                         std::make_move_iterator(response->mutable_messages()->end()));
  result.outcome = result.messages.empty() ? PullResult::Outcome::kNoNewMessage : PullResult::Outcome::kFound;
  return result;
}

Result<QueueBounds> QueryQueueBounds(BrokerClient& brokers, const MessageQueue& queue) {
  admin::DescribeTopicRequest request;
  request.set_name(queue.topic);
  RMQ_ASSIGN_OR_RETURN(admin::TopicResponse topic,
                       brokers.CallLeader(queue.broker_group, "DescribeTopic",
                                          &admin::AdminService::Stub::DescribeTopic, request));
  for (const admin::QueueStatus& status : topic.queues()) {
    if (status.queue_id() == queue.queue_id) return QueueBounds{status.min_offset(), status.max_offset()};
  }
  return Status::NotFound("queue " + queue.ToString() + " is not on its group");
}

}  // namespace raftmq::client
