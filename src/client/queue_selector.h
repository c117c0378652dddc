// QueueSelector: which queue a producer sends the next message of a topic to. Round-robin over
// the topic's writable queues of every group (one counter per topic, as RocketMQ's
// sendWhichQueue), skipping queues whose group the fault table avoids and the group the
// previous attempt of this send failed on. When no queue passes both filters, the filters are
// relaxed one at a time (availability first, then the failed group), so a send always gets a
// queue while any exists.
//
// Thread-safety: Select may be called from any thread (one mutex for the counters).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/message_queue.h"

namespace raftmq::client {

class QueueSelector {
 public:
  using AvailableFn = std::function<bool(const std::string& broker_group)>;

  // nullopt only when `queues` is empty. `avoid_group` is "" when nothing failed yet.
  std::optional<MessageQueue> Select(const std::string& topic, const std::vector<MessageQueue>& queues,
                                     const std::string& avoid_group, const AvailableFn& is_available);

 private:
  uint64_t NextStart(const std::string& topic);

  std::mutex mutex_;
  std::map<std::string, uint64_t> counters_;  // topic -> sends so far
};

}  // namespace raftmq::client
