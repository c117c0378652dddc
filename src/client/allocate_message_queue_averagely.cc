#include "client/allocate_message_queue_averagely.h"

#include <algorithm>

#include "common/assert.h"

namespace raftmq::client {

std::vector<MessageQueue> AllocateMessageQueueAveragely::Allocate(const std::vector<MessageQueue>& queues,
                                                                  const std::vector<std::string>& consumers,
                                                                  const std::string& self) {
  RMQ_ASSERT(std::is_sorted(queues.begin(), queues.end()));
  RMQ_ASSERT(std::is_sorted(consumers.begin(), consumers.end()));
  auto found = std::find(consumers.begin(), consumers.end(), self);
  if (found == consumers.end() || queues.empty()) return {};
  const size_t index = static_cast<size_t>(found - consumers.begin());
  const size_t queue_count = queues.size();
  const size_t consumer_count = consumers.size();
  const size_t mod = queue_count % consumer_count;
  const bool gets_extra = mod > 0 && index < mod;
  const size_t average = queue_count <= consumer_count ? 1 : queue_count / consumer_count + (gets_extra ? 1 : 0);
  const size_t start = gets_extra ? index * average : index * average + mod;
  std::vector<MessageQueue> mine;
  for (size_t i = start; i < std::min(start + average, queue_count); ++i) mine.push_back(queues[i]);
  return mine;
}

}  // namespace raftmq::client
