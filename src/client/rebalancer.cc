#include "client/rebalancer.h"

#include <algorithm>

#include "client/allocate_message_queue_averagely.h"
#include "common/assert.h"
#include "proto/messaging.grpc.pb.h"

namespace raftmq::client {

Result<std::vector<std::string>> Rebalancer::ConsumerList(const std::string& topic) {
  RMQ_ASSIGN_OR_RETURN(std::shared_ptr<const TopicRoute> route, instance_->routes().Get(topic));
  messaging::GetConsumerListRequest request;
  request.set_consumer_group(consumer_group_);
  Status last = Status::NotFound("topic '" + topic + "' has no broker group");
  for (const std::string& group : route->groups) {
    auto response = instance_->brokers().CallLeader(group, "GetConsumerList",
                                                    &messaging::MessagingService::Stub::GetConsumerList, request);
    if (!response.ok()) {
      last = response.status();
      continue;
    }
    std::vector<std::string> consumers(response->client_ids().begin(), response->client_ids().end());
    std::sort(consumers.begin(), consumers.end());  // the broker sorts too; the allocation relies on it
    consumers.erase(std::unique(consumers.begin(), consumers.end()), consumers.end());
    return consumers;
  }
  RMQ_ASSERT(!last.ok());
  return last;
}

Result<Assignment> Rebalancer::Assign(const std::string& topic) {
  RMQ_ASSIGN_OR_RETURN(std::shared_ptr<const TopicRoute> route, instance_->routes().Get(topic));
  Assignment assignment;
  if (model_ == MessageModel::kBroadcasting) {
    assignment.queues = route->readable_queues;
    return assignment;
  }
  RMQ_ASSIGN_OR_RETURN(assignment.consumers, ConsumerList(topic));
  // A node that did not hear this consumer's heartbeat yet (restarted, or newly leading) would
  // give it no queue: it would drop every queue it owns until its next heartbeat, and its
  // successor would start again from the last committed offsets. Nothing changes instead.
  if (!std::binary_search(assignment.consumers.begin(), assignment.consumers.end(), instance_->client_id())) {
    return Status::Unavailable("the broker does not list consumer " + instance_->client_id() + " of group '" +
                               consumer_group_ + "' yet; its queues stay as they are");
  }
  assignment.queues =
      AllocateMessageQueueAveragely::Allocate(route->readable_queues, assignment.consumers, instance_->client_id());
  return assignment;
}

}  // namespace raftmq::client
