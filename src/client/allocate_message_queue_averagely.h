// AllocateMessageQueueAveragely: RocketMQ's default CLUSTERING allocation. Every consumer of
// the group sorts the same queue list and the same consumer list, so each computes the same
// partition independently: consumer i of n gets a contiguous block of queues, the first
// (queues % n) consumers one queue more. With more consumers than queues the tail ones get none.
//
// Invariant: over all consumers the blocks cover every queue exactly once.
// Thread-safety: stateless; Allocate is a pure function.
#pragma once

#include <string>
#include <vector>

#include "client/message_queue.h"

namespace raftmq::client {

class AllocateMessageQueueAveragely {
 public:
  // `queues` and `consumers` sorted; empty when `self` is not in `consumers` (it has not
  // registered yet, or was expired: it must own nothing).
  static std::vector<MessageQueue> Allocate(const std::vector<MessageQueue>& queues,
                                            const std::vector<std::string>& consumers, const std::string& self);
};

}  // namespace raftmq::client
