#include "client/queue_selector.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

namespace raftmq::client {
namespace {

std::vector<MessageQueue> Queues(const std::vector<std::string>& groups, int32_t per_group) {
  std::vector<MessageQueue> queues;
  for (const std::string& group : groups) {
    for (int32_t q = 0; q < per_group; ++q) queues.push_back({"t", group, q});
  }
  return queues;
}

const QueueSelector::AvailableFn kAllAvailable = [](const std::string&) { return true; };

TEST(QueueSelector, RoundRobinsOverEveryQueueOfEveryGroup) {
  QueueSelector selector;
  const auto queues = Queues({"g1", "g2"}, 4);
  std::map<MessageQueue, int> hits;
  for (int i = 0; i < 80; ++i) ++hits[*selector.Select("t", queues, "", kAllAvailable)];
  ASSERT_EQ(hits.size(), 8u);
  for (const auto& [queue, count] : hits) EXPECT_EQ(count, 10) << queue.ToString();
}

TEST(QueueSelector, KeepsOneCounterPerTopic) {
  QueueSelector selector;
  const auto t_queues = Queues({"g1"}, 2);
  const std::vector<MessageQueue> u_queues = {{"u", "g1", 0}, {"u", "g1", 1}};
  const MessageQueue first_t = *selector.Select("t", t_queues, "", kAllAvailable);
  const MessageQueue first_u = *selector.Select("u", u_queues, "", kAllAvailable);
  EXPECT_EQ(first_t.queue_id, first_u.queue_id) << "sends to t must not advance u's rotation";
}

TEST(QueueSelector, SkipsTheGroupThePreviousAttemptFailedOn) {
  QueueSelector selector;
  const auto queues = Queues({"g1", "g2"}, 2);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(selector.Select("t", queues, "g1", kAllAvailable)->broker_group, "g2");
}

TEST(QueueSelector, SkipsUnavailableGroups) {
  QueueSelector selector;
  const auto queues = Queues({"g1", "g2", "g3"}, 2);
  auto g2_down = [](const std::string& group) { return group != "g2"; };
  std::set<std::string> used;
  for (int i = 0; i < 30; ++i) used.insert(selector.Select("t", queues, "", g2_down)->broker_group);
  EXPECT_EQ(used, (std::set<std::string>{"g1", "g3"}));
}

TEST(QueueSelector, FallsBackToAnAvailableFailedGroupWhenItIsTheOnlyAvailableOne) {
  QueueSelector selector;
  const auto queues = Queues({"g1", "g2"}, 2);
  auto only_g1 = [](const std::string& group) { return group == "g1"; };
  EXPECT_EQ(selector.Select("t", queues, "g1", only_g1)->broker_group, "g1");
}

TEST(QueueSelector, StillChoosesAQueueWhenEveryGroupIsAvoided) {
  QueueSelector selector;
  const auto queues = Queues({"g1", "g2"}, 2);
  auto none = [](const std::string&) { return false; };
  EXPECT_EQ(selector.Select("t", queues, "g1", none)->broker_group, "g2") << "the failed group is still avoided";
  const auto single = Queues({"g1"}, 1);
  EXPECT_EQ(selector.Select("t", single, "g1", none)->broker_group, "g1") << "the only queue is used anyway";
}

TEST(QueueSelector, ReturnsNothingForATopicWithoutQueues) {
  QueueSelector selector;
  EXPECT_FALSE(selector.Select("t", {}, "", kAllAvailable).has_value());
}

}  // namespace
}  // namespace raftmq::client
