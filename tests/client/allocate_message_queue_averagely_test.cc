#include "client/allocate_message_queue_averagely.h"

#include <map>

#include <gtest/gtest.h>

namespace raftmq::client {
namespace {

std::vector<MessageQueue> Queues(int32_t count) {
  std::vector<MessageQueue> queues;
  for (int32_t q = 0; q < count; ++q) queues.push_back({"t", q < count / 2 ? "g1" : "g2", q});
  std::sort(queues.begin(), queues.end());
  return queues;
}

std::vector<std::string> Consumers(int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back("c" + std::to_string(i));
  return ids;
}

std::vector<int32_t> Ids(const std::vector<MessageQueue>& queues) {
  std::vector<int32_t> ids;
  for (const MessageQueue& queue : queues) ids.push_back(queue.queue_id);
  return ids;
}

TEST(AllocateMessageQueueAveragely, GivesTheFirstConsumersOneQueueMoreLikeRocketMq) {
  const auto queues = Queues(8);
  const auto consumers = Consumers(3);
  EXPECT_EQ(Ids(AllocateMessageQueueAveragely::Allocate(queues, consumers, "c0")), (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(Ids(AllocateMessageQueueAveragely::Allocate(queues, consumers, "c1")), (std::vector<int32_t>{3, 4, 5}));
  EXPECT_EQ(Ids(AllocateMessageQueueAveragely::Allocate(queues, consumers, "c2")), (std::vector<int32_t>{6, 7}));
}

TEST(AllocateMessageQueueAveragely, LeavesSurplusConsumersWithoutQueues) {
  const auto queues = Queues(2);
  const auto consumers = Consumers(4);
  EXPECT_EQ(Ids(AllocateMessageQueueAveragely::Allocate(queues, consumers, "c0")), (std::vector<int32_t>{0}));
  EXPECT_EQ(Ids(AllocateMessageQueueAveragely::Allocate(queues, consumers, "c1")), (std::vector<int32_t>{1}));
  EXPECT_TRUE(AllocateMessageQueueAveragely::Allocate(queues, consumers, "c2").empty());
  EXPECT_TRUE(AllocateMessageQueueAveragely::Allocate(queues, consumers, "c3").empty());
}

TEST(AllocateMessageQueueAveragely, GivesNothingToAConsumerNotInTheList) {
  EXPECT_TRUE(AllocateMessageQueueAveragely::Allocate(Queues(8), Consumers(2), "stranger").empty());
}

TEST(AllocateMessageQueueAveragely, CoversEveryQueueExactlyOnceForAnyConsumerCount) {
  for (int32_t queue_count = 0; queue_count <= 17; ++queue_count) {
    for (int consumer_count = 1; consumer_count <= 9; ++consumer_count) {
      const auto queues = Queues(queue_count);
      const auto consumers = Consumers(consumer_count);
      std::map<MessageQueue, int> owners;
      size_t most = 0;
      size_t least = queues.size();
      for (const std::string& consumer : consumers) {
        const auto mine = AllocateMessageQueueAveragely::Allocate(queues, consumers, consumer);
        most = std::max(most, mine.size());
        least = std::min(least, mine.size());
        for (const MessageQueue& queue : mine) ++owners[queue];
      }
      ASSERT_EQ(owners.size(), queues.size()) << queue_count << " queues, " << consumer_count << " consumers";
      for (const auto& [queue, count] : owners) ASSERT_EQ(count, 1) << queue.ToString();
      if (!queues.empty()) {
        EXPECT_LE(most - least, 1u) << "the split is even within one queue";
      }
    }
  }
}

}  // namespace
}  // namespace raftmq::client
