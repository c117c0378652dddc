// MessageQueue: one queue of a topic on one broker group, the unit producers choose, consumers
// are assigned and offsets are kept for (RocketMQ's MessageQueue: topic, brokerName, queueId).
// Ordered by (topic, group, queue id), the order rebalancing sorts queues in.
//
// Thread-safety: a value type.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace raftmq::client {

struct MessageQueue {
  std::string topic;
  std::string broker_group;
  int32_t queue_id = 0;

  auto operator<=>(const MessageQueue&) const = default;
  bool operator==(const MessageQueue&) const = default;

  // "topic@group#3", for logs and tables.
  std::string ToString() const { return topic + "@" + broker_group + "#" + std::to_string(queue_id); }
};

}  // namespace raftmq::client
