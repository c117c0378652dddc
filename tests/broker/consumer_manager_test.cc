#include "broker/consumer_manager.h"

#include <gtest/gtest.h>

namespace raftmq::broker {
namespace {

messaging::HeartbeatRequest Beat(const std::string& client, const std::string& group = "g") {
  messaging::HeartbeatRequest request;
  request.set_client_id(client);
  request.set_consumer_group(group);
  auto* subscription = request.add_subscriptions();
  subscription->set_topic("t");
  subscription->set_tag_expression("*");
  return request;
}

TEST(ConsumerManager, ListsLiveConsumersSorted) {
  ConsumerManager manager{BrokerOptions()};
  ASSERT_TRUE(manager.Heartbeat(Beat("c2"), 0).ok());
  ASSERT_TRUE(manager.Heartbeat(Beat("c1"), 0).ok());
  EXPECT_EQ(manager.ConsumerList("g", 10), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_TRUE(manager.ConsumerList("unknown", 10).empty());
}

TEST(ConsumerManager, ConsumerSilentLongerThanChannelExpiryLeavesItsGroup) {
  BrokerOptions options;
  options.consumer_channel_expired_ms = 1000;
  ConsumerManager manager{options};
  ASSERT_TRUE(manager.Heartbeat(Beat("old"), 0).ok());
  ASSERT_TRUE(manager.Heartbeat(Beat("new"), 900).ok());
  EXPECT_EQ(manager.ConsumerList("g", 1001), (std::vector<std::string>{"new"}));
  EXPECT_EQ(manager.ScanExpired(1001), 1u);
  EXPECT_EQ(manager.ScanExpired(5000), 1u);
  EXPECT_EQ(manager.GroupCount(), 0u);
}

TEST(ConsumerManager, RefusesBadHeartbeatsAndLimitsWithoutChange) {
  BrokerOptions options;
  options.consumers_per_group_max = 1;
  options.consumer_groups_max = 1;
  ConsumerManager manager{options};
  EXPECT_EQ(manager.Heartbeat(Beat(""), 0).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(manager.Heartbeat(Beat("c", "bad group"), 0).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(manager.GroupCount(), 0u);
  ASSERT_TRUE(manager.Heartbeat(Beat("c1"), 0).ok());
  EXPECT_EQ(manager.Heartbeat(Beat("c2"), 0).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(manager.Heartbeat(Beat("c1", "g2"), 0).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(manager.ConsumerList("g", 0), (std::vector<std::string>{"c1"}));
  EXPECT_EQ(manager.GroupCount(), 1u);
}

TEST(ConsumerManager, HeartbeatsDropExpiredGroupsWithoutAnExplicitScan) {
  BrokerOptions options;
  options.consumer_channel_expired_ms = 1000;
  ConsumerManager manager{options};
  ASSERT_TRUE(manager.Heartbeat(Beat("c", "gone"), 0).ok());
  ASSERT_TRUE(manager.Heartbeat(Beat("c", "live"), 5000).ok());
  EXPECT_EQ(manager.GroupCount(), 1u);
}

}  // namespace
}  // namespace raftmq::broker
