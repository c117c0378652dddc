// Rebalancer: which queues of a topic this consumer should own now (RocketMQ's
// RebalanceImpl, minus the bookkeeping the PushConsumer does). CLUSTERING: the topic's
// readable queues of every group, divided among the group's live consumers (GetConsumerList
// from the first group of the topic that answers) by AllocateMessageQueueAveragely.
// BROADCASTING: every readable queue. A consumer list without this consumer (its heartbeat did
// not reach that node yet) is Unavailable: the caller keeps its queues and heartbeats again.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <string>
#include <vector>

#include "client/client_instance.h"
#include "client/client_options.h"
#include "client/message_queue.h"
#include "common/result.h"

namespace raftmq::client {

struct Assignment {
  std::vector<MessageQueue> queues;      // this consumer's, sorted
  std::vector<std::string> consumers;    // the live consumers it was computed from (CLUSTERING)
};

class Rebalancer {
 public:
  // `instance` must outlive the rebalancer.
  Rebalancer(ClientInstance* instance, std::string consumer_group, MessageModel model)
      : instance_(instance), consumer_group_(std::move(consumer_group)), model_(model) {}

  Result<Assignment> Assign(const std::string& topic);
  // The group's live consumers, sorted, as the topic's first answering group reports them.
  Result<std::vector<std::string>> ConsumerList(const std::string& topic);

 private:
  ClientInstance* const instance_;
  const std::string consumer_group_;
  const MessageModel model_;
};

}  // namespace raftmq::client
