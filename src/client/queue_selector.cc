#include "client/queue_selector.h"

#include "common/assert.h"

namespace raftmq::client {

uint64_t QueueSelector::NextStart(const std::string& topic) {
  std::lock_guard lock(mutex_);
  return counters_[topic]++;
}

std::optional<MessageQueue> QueueSelector::Select(const std::string& topic, const std::vector<MessageQueue>& queues,
                                                  const std::string& avoid_group, const AvailableFn& is_available) {
  if (queues.empty()) return std::nullopt;
  RMQ_ASSERT(is_available != nullptr);
  const uint64_t start = NextStart(topic);
  // Passes from strictest to none: {available, not avoided}, {available}, {not avoided}, {}.
  constexpr bool kNeedAvailable[] = {true, true, false, false};
  constexpr bool kNeedNotAvoided[] = {true, false, true, false};
  for (int pass = 0; pass < 4; ++pass) {
    for (size_t i = 0; i < queues.size(); ++i) {
      const MessageQueue& queue = queues[(start + i) % queues.size()];
      RMQ_ASSERT(queue.topic == topic);
      if (kNeedNotAvoided[pass] && !avoid_group.empty() && queue.broker_group == avoid_group) continue;
      if (kNeedAvailable[pass] && !is_available(queue.broker_group)) continue;
      return queue;
    }
  }
  RMQ_ASSERT_MSG(false, "the last pass accepts any queue");
  return std::nullopt;
}

}  // namespace raftmq::client
