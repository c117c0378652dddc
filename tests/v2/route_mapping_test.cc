// A nameserver route as RocketMQ 5 MessageQueues (broker/v2/route_mapping.h).
#include "broker/v2/route_mapping.h"

#include <gtest/gtest.h>

namespace raftmq::broker::v2 {
namespace {

nameserver::GroupRoute Group(const std::string& name, const std::string& leader, uint32_t reads, uint32_t writes,
                             uint32_t perm) {
  nameserver::GroupRoute group;
  group.mutable_group()->set_group_name(name);
  group.mutable_group()->set_leader_address(leader);
  group.set_read_queue_count(reads);
  group.set_write_queue_count(writes);
  group.set_perm(perm);
  return group;
}

TEST(RouteMapping, GivesEveryQueueOfALedGroupItsLeaderAsBrokerZero) {
  nameserver::GetRouteInfoByTopicResponse route;
  route.set_topic("Orders");
  *route.add_groups() = Group("g1", "127.0.0.1:10912", 2, 3, nameserver::PERM_READ | nameserver::PERM_WRITE);
  const std::vector<pb::MessageQueue> queues = ToMessageQueues(route);
  ASSERT_EQ(queues.size(), 3u);
  for (int id = 0; id < 3; ++id) {
    const pb::MessageQueue& queue = queues[static_cast<size_t>(id)];
    EXPECT_EQ(queue.topic().name(), "Orders");
    EXPECT_EQ(queue.id(), id);
    EXPECT_EQ(queue.broker().name(), "g1");
    EXPECT_EQ(queue.broker().id(), 0);
    ASSERT_EQ(queue.broker().endpoints().addresses_size(), 1);
    EXPECT_EQ(queue.broker().endpoints().addresses(0).host(), "127.0.0.1");
    EXPECT_EQ(queue.broker().endpoints().addresses(0).port(), 10912);
    ASSERT_EQ(queue.accept_message_types_size(), 1);
    EXPECT_EQ(queue.accept_message_types(0), pb::NORMAL);
  }
  EXPECT_EQ(queues[0].permission(), pb::READ_WRITE);
  EXPECT_EQ(queues[2].permission(), pb::WRITE);  // above the read queue count
}

TEST(RouteMapping, FollowsTheGroupsPermBitsAndLeavesOutALeaderlessGroup) {
  nameserver::GetRouteInfoByTopicResponse route;
  route.set_topic("Orders");
  *route.add_groups() = Group("g1", "127.0.0.1:10911", 1, 1, nameserver::PERM_READ);
  *route.add_groups() = Group("g2", "", 4, 4, nameserver::PERM_READ | nameserver::PERM_WRITE);
  const std::vector<pb::MessageQueue> queues = ToMessageQueues(route);
  ASSERT_EQ(queues.size(), 1u);
  EXPECT_EQ(queues[0].broker().name(), "g1");
  EXPECT_EQ(queues[0].permission(), pb::READ);
}

TEST(RouteMapping, AssignsAPushConsumerEveryReadableQueueOfEveryLedGroup) {
  nameserver::GetRouteInfoByTopicResponse route;
  route.set_topic("Orders");
  *route.add_groups() = Group("g1", "127.0.0.1:10911", 2, 3, nameserver::PERM_READ | nameserver::PERM_WRITE);
  *route.add_groups() = Group("g2", "127.0.0.1:10921", 1, 1, nameserver::PERM_READ);
  *route.add_groups() = Group("g3", "127.0.0.1:10931", 2, 2, nameserver::PERM_WRITE);  // not readable
  *route.add_groups() = Group("g4", "", 2, 2, nameserver::PERM_READ);                  // no leader
  const std::vector<pb::Assignment> assignments = ToAssignments(route);
  ASSERT_EQ(assignments.size(), 3u);  // g1's queues 0 and 1 (2 is write-only), g2's queue 0
  EXPECT_EQ(assignments[0].message_queue().broker().name(), "g1");
  EXPECT_EQ(assignments[0].message_queue().id(), 0);
  EXPECT_EQ(assignments[1].message_queue().id(), 1);
  EXPECT_EQ(assignments[1].message_queue().permission(), pb::READ_WRITE);
  EXPECT_EQ(assignments[2].message_queue().broker().name(), "g2");
  EXPECT_EQ(assignments[2].message_queue().permission(), pb::READ);
  EXPECT_EQ(assignments[2].message_queue().broker().endpoints().addresses(0).port(), 10921);
  EXPECT_EQ(assignments[2].message_queue().topic().name(), "Orders");
}

TEST(RouteMapping, NamesTheSchemeOfEachAddress) {
  EXPECT_EQ(ToEndpoints("10.0.0.1:8081").scheme(), pb::IPv4);
  const pb::Endpoints six = ToEndpoints("[::1]:8081");
  EXPECT_EQ(six.scheme(), pb::IPv6);
  EXPECT_EQ(six.addresses(0).host(), "::1");
  EXPECT_EQ(six.addresses(0).port(), 8081);
  const pb::Endpoints named = ToEndpoints("broker-0.raftmq:10911");
  EXPECT_EQ(named.scheme(), pb::DOMAIN_NAME);
  EXPECT_EQ(named.addresses(0).host(), "broker-0.raftmq");
}

}  // namespace
}  // namespace raftmq::broker::v2
