#include <gtest/gtest.h>

#include "client/group_directory.h"
#include "client/route_cache.h"

namespace raftmq::client {
namespace {

nameserver::GroupRoute Group(const std::string& name, uint32_t reads, uint32_t writes, uint32_t perm) {
  nameserver::GroupRoute route;
  route.mutable_group()->set_group_name(name);
  route.mutable_group()->set_leader_address(name + "-leader:1");
  route.set_read_queue_count(reads);
  route.set_write_queue_count(writes);
  route.set_perm(perm);
  return route;
}

TEST(TopicRoute, ListsQueuesByPermissionAndCountPerGroup) {
  nameserver::GetRouteInfoByTopicResponse response;
  response.set_topic("t");
  *response.add_groups() = Group("g2", 2, 2, nameserver::PERM_READ | nameserver::PERM_WRITE);
  *response.add_groups() = Group("g1", 4, 1, nameserver::PERM_READ);
  *response.add_groups() = Group("g3", 0, 3, nameserver::PERM_WRITE);
  const TopicRoute route = TopicRoute::FromResponse(response, 7);
  EXPECT_EQ(route.groups, (std::vector<std::string>{"g1", "g2", "g3"}));
  EXPECT_EQ(route.writable_queues,
            (std::vector<MessageQueue>{{"t", "g2", 0}, {"t", "g2", 1}, {"t", "g3", 0}, {"t", "g3", 1}, {"t", "g3", 2}}));
  ASSERT_EQ(route.readable_queues.size(), 6u);
  EXPECT_EQ(route.readable_queues.front(), (MessageQueue{"t", "g1", 0}));
  EXPECT_EQ(route.readable_queues.back(), (MessageQueue{"t", "g2", 1}));
  EXPECT_EQ(route.fetched_at_ms, 7);
}

nameserver::GroupInfo ThreeNodes(const std::string& leader, uint64_t term = 1) {
  nameserver::GroupInfo group;
  group.set_group_name("g");
  for (const char* address : {"a:1", "b:1", "c:1"}) group.add_nodes()->set_address(address);
  group.set_leader_address(leader);
  group.set_leader_term(term);
  return group;
}

TEST(GroupDirectory, FollowsHintsAndRotatesPastASilentLeader) {
  GroupDirectory directory;
  EXPECT_TRUE(directory.LeaderAddress("g").status().IsNotFound());
  directory.Update(ThreeNodes("a:1"));
  EXPECT_EQ(*directory.LeaderAddress("g"), "a:1");
  directory.SetLeader("g", "c:1");
  EXPECT_EQ(*directory.LeaderAddress("g"), "c:1");
  directory.RotateLeader("g", "c:1");
  EXPECT_EQ(*directory.LeaderAddress("g"), "a:1") << "wraps to the first node";
  directory.RotateLeader("g", "b:1");
  EXPECT_EQ(*directory.LeaderAddress("g"), "a:1") << "a stale failure does not move a newer belief";
}

TEST(GroupDirectory, KeepsACorrectionUntilTheNameserverReportsANewerTerm) {
  GroupDirectory directory;
  directory.Update(ThreeNodes("a:1", 4));
  directory.RotateLeader("g", "a:1");  // a died; its registration lingers in the nameserver
  directory.Update(ThreeNodes("a:1", 4));
  EXPECT_EQ(*directory.LeaderAddress("g"), "b:1") << "a stale route sent calls back to the dead leader";
  directory.SetLeader("g", "c:1");
  directory.Update(ThreeNodes("a:1", 3));
  EXPECT_EQ(*directory.LeaderAddress("g"), "c:1");
  directory.Update(ThreeNodes("b:1", 5));
  EXPECT_EQ(*directory.LeaderAddress("g"), "b:1") << "a newer term wins over the correction";
  directory.Update(ThreeNodes("c:1", 5));
  EXPECT_EQ(*directory.LeaderAddress("g"), "c:1") << "uncorrected, the nameserver's word is taken as is";
}

TEST(GroupDirectory, UsesTheFirstNodeWhenNoNodeClaimsToLead) {
  GroupDirectory directory;
  directory.Update(ThreeNodes(""));
  EXPECT_EQ(*directory.LeaderAddress("g"), "a:1");
  EXPECT_EQ(directory.NodeAddresses("g").size(), 3u);
}

}  // namespace
}  // namespace raftmq::client
