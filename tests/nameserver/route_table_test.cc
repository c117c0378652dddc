#include "nameserver/route_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/manual_clock.h"

namespace raftmq::nameserver {
namespace {

constexpr int64_t kExpiryMs = 120000;

RegisterBrokerRequest Heartbeat(std::string group, NodeId node_id, Role role, uint64_t term,
                                std::vector<std::string> topics = {"orders"}) {
  RegisterBrokerRequest request;
  request.set_cluster_name("main");
  request.set_group_name(group);
  request.set_node_id(node_id);
  request.set_node_address(group + "-" + std::to_string(node_id) + ".local:10911");
  request.set_role(role);
  request.set_term(term);
  for (const std::string& name : topics) {
    TopicQueues* topic = request.add_topics();
    topic->set_topic(name);
    topic->set_read_queue_count(8);
    topic->set_write_queue_count(8);
    topic->set_perm(PERM_READ | PERM_WRITE);
  }
  return request;
}

class RouteTableTest : public ::testing::Test {
 protected:
  RouteTableTest() : table_(Config(), &clock_) {}
  static NameserverConfig Config() {
    NameserverConfig config;
    config.broker_expiry_ms = kExpiryMs;
    config.brokers_max = 4;
    config.topics_per_broker_max = 3;
    return config;
  }
  void Register(const RegisterBrokerRequest& request) {
    Status status = table_.Register(request);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  // The one group route of `topic`, failing the test when there is not exactly one.
  GroupRoute OnlyRoute(const std::string& topic) {
    auto route = table_.GetRouteInfoByTopic(topic);
    EXPECT_TRUE(route.ok()) << route.status().ToString();
    if (!route.ok() || route->groups_size() != 1) {
      ADD_FAILURE() << "expected one group for " << topic;
      return {};
    }
    return route->groups(0);
  }
  std::string RegisterError(const RegisterBrokerRequest& request) {
    Status status = table_.Register(request);
    return status.ok() ? "(accepted)" : status.ToString();
  }

  ManualClock clock_;
  RouteTable table_;
};

TEST_F(RouteTableTest, RoutesATopicToTheGroupThatRegisteredIt) {
  Register(Heartbeat("g1", 1, LEADER, 3));
  Register(Heartbeat("g1", 2, FOLLOWER, 3));
  GroupRoute route = OnlyRoute("orders");
  EXPECT_EQ(route.group().group_name(), "g1");
  EXPECT_EQ(route.group().cluster_name(), "main");
  EXPECT_EQ(route.group().leader_node_id(), 1u);
  EXPECT_EQ(route.group().leader_address(), "g1-1.local:10911");
  EXPECT_EQ(route.group().leader_term(), 3u);
  ASSERT_EQ(route.group().nodes_size(), 2);
  EXPECT_EQ(route.group().nodes(1).role(), FOLLOWER);
  EXPECT_EQ(route.read_queue_count(), 8u);
  EXPECT_EQ(route.perm(), static_cast<uint32_t>(PERM_READ | PERM_WRITE));
}

TEST_F(RouteTableTest, AnswersNotFoundNamingAnUnservedTopic) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  auto route = table_.GetRouteInfoByTopic("payments");
  ASSERT_FALSE(route.ok());
  EXPECT_TRUE(route.status().IsNotFound());
  EXPECT_NE(route.status().message().find("'payments'"), std::string::npos);
}

TEST_F(RouteTableTest, ForgetsANodeOnlyOnceItsExpiryHasPassed) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  clock_.AdvanceMs(kExpiryMs - 1);
  EXPECT_TRUE(table_.GetRouteInfoByTopic("orders").ok());
  EXPECT_EQ(table_.ExpireNodes(), 0u);
  clock_.AdvanceMs(1);
  EXPECT_TRUE(table_.GetRouteInfoByTopic("orders").status().IsNotFound()) << "queries ignore expired nodes";
  EXPECT_EQ(table_.GetClusterInfo().groups_size(), 0);
  EXPECT_EQ(table_.ExpireNodes(), 1u);
  EXPECT_EQ(table_.node_count(), 0u);
}

TEST_F(RouteTableTest, AHeartbeatKeepsANodeAlive) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  clock_.AdvanceMs(kExpiryMs - 1);
  Register(Heartbeat("g1", 1, LEADER, 1));
  clock_.AdvanceMs(kExpiryMs - 1);
  EXPECT_EQ(table_.ExpireNodes(), 0u);
  EXPECT_EQ(OnlyRoute("orders").group().leader_node_id(), 1u);
}

TEST_F(RouteTableTest, ANewLeaderWithAHigherTermReplacesTheOldOne) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  Register(Heartbeat("g1", 2, FOLLOWER, 1));
  Register(Heartbeat("g1", 2, LEADER, 2));  // node 1 has not heard yet and still claims LEADER
  GroupRoute route = OnlyRoute("orders");
  EXPECT_EQ(route.group().leader_node_id(), 2u);
  EXPECT_EQ(route.group().leader_term(), 2u);
  ASSERT_EQ(route.group().nodes_size(), 2);
  EXPECT_EQ(route.group().nodes(0).role(), FOLLOWER) << "a superseded leader claim is not shown as LEADER";
  EXPECT_EQ(route.group().nodes(0).term(), 1u);
}

TEST_F(RouteTableTest, AStaleLowerTermLeaderClaimDoesNotMakeTwoLeaders) {
  Register(Heartbeat("g1", 2, LEADER, 5));
  Register(Heartbeat("g1", 1, LEADER, 4));  // a partitioned old leader
  auto info = table_.GetClusterInfo();
  ASSERT_EQ(info.groups_size(), 1);
  int leaders = 0;
  for (const NodeInfo& node : info.groups(0).nodes()) leaders += node.role() == LEADER ? 1 : 0;
  EXPECT_EQ(leaders, 1);
  EXPECT_EQ(info.groups(0).leader_node_id(), 2u);
}

TEST_F(RouteTableTest, IgnoresADelayedHeartbeatWithALowerTermFromTheSameNode) {
  Register(Heartbeat("g1", 1, FOLLOWER, 6));
  Register(Heartbeat("g1", 1, LEADER, 5));  // sent before the node learned term 6
  auto info = table_.GetClusterInfo();
  ASSERT_EQ(info.groups_size(), 1);
  EXPECT_EQ(info.groups(0).leader_node_id(), 0u);
  EXPECT_EQ(info.groups(0).nodes(0).term(), 6u);
}

TEST_F(RouteTableTest, TheLeaderSpeaksForTheGroupsTopics) {
  Register(Heartbeat("g1", 1, LEADER, 2, {"orders", "audit"}));
  Register(Heartbeat("g1", 2, FOLLOWER, 2, {"orders"}));  // lags behind the new topic
  EXPECT_EQ(OnlyRoute("audit").group().group_name(), "g1");
}

TEST_F(RouteTableTest, RoutesATopicServedByTwoGroupsToBoth) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  Register(Heartbeat("g2", 1, LEADER, 7));
  auto route = table_.GetRouteInfoByTopic("orders");
  ASSERT_TRUE(route.ok()) << route.status().ToString();
  ASSERT_EQ(route->groups_size(), 2);
  EXPECT_EQ(route->groups(0).group().group_name(), "g1");
  EXPECT_EQ(route->groups(1).group().group_name(), "g2");
  EXPECT_EQ(route->groups(1).group().leader_term(), 7u);
}

TEST_F(RouteTableTest, AGroupWithoutLeaderStillRoutesFromItsHighestTermNode) {
  Register(Heartbeat("g1", 1, CANDIDATE, 3));
  Register(Heartbeat("g1", 2, FOLLOWER, 2, {}));
  GroupRoute route = OnlyRoute("orders");
  EXPECT_EQ(route.group().leader_node_id(), 0u);
  EXPECT_EQ(route.group().nodes_size(), 2);
}

TEST_F(RouteTableTest, UnregisterDropsTheNodeAtOnce) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  UnregisterBrokerRequest request;
  request.set_cluster_name("main");
  request.set_group_name("g1");
  request.set_node_id(1);
  auto was_registered = table_.Unregister(request);
  ASSERT_TRUE(was_registered.ok());
  EXPECT_TRUE(*was_registered);
  EXPECT_TRUE(table_.GetRouteInfoByTopic("orders").status().IsNotFound());
  EXPECT_FALSE(*table_.Unregister(request));
}

TEST_F(RouteTableTest, RefusesBadInputNamingTheFieldAndChangesNothing) {
  auto bad = Heartbeat("g1", 1, LEADER, 1);
  bad.set_cluster_name("");
  EXPECT_NE(RegisterError(bad).find("cluster_name: name is empty"), std::string::npos);
  bad = Heartbeat("g 1", 1, LEADER, 1);
  EXPECT_NE(RegisterError(bad).find("group_name:"), std::string::npos);
  bad = Heartbeat("g1", 0, LEADER, 1);
  EXPECT_NE(RegisterError(bad).find("node_id:"), std::string::npos);
  bad = Heartbeat("g1", 1, LEADER, 1);
  bad.set_node_address("nowhere");
  EXPECT_NE(RegisterError(bad).find("node_address:"), std::string::npos);
  bad = Heartbeat("g1", 1, ROLE_UNSPECIFIED, 1);
  EXPECT_NE(RegisterError(bad).find("role:"), std::string::npos);
  bad = Heartbeat("g1", 1, LEADER, 1, {"orders", "orders"});
  EXPECT_NE(RegisterError(bad).find("topics[1].topic: 'orders' is listed twice"), std::string::npos);
  bad = Heartbeat("g1", 1, LEADER, 1);
  bad.mutable_topics(0)->set_perm(1);
  EXPECT_NE(RegisterError(bad).find("topics[0].perm"), std::string::npos);
  bad.mutable_topics(0)->set_perm(PERM_READ);
  bad.mutable_topics(0)->set_read_queue_count(100000);
  EXPECT_NE(RegisterError(bad).find("topics[0].read_queue_count"), std::string::npos);
  EXPECT_TRUE(table_.GetRouteInfoByTopic("bad topic").status().IsInvalidArgument());
  EXPECT_EQ(table_.node_count(), 0u);
  EXPECT_EQ(table_.GetClusterInfo().groups_size(), 0);
}

TEST_F(RouteTableTest, RefusesAGroupMovingToAnotherClusterWhileLive) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  auto moved = Heartbeat("g1", 2, FOLLOWER, 1);
  moved.set_cluster_name("other");
  EXPECT_NE(RegisterError(moved).find("belongs to cluster 'main'"), std::string::npos);
}

TEST_F(RouteTableTest, RefusesMoreNodesThanBrokersMaxUntilOneExpires) {
  for (NodeId id = 1; id <= 4; ++id) Register(Heartbeat("g1", id, FOLLOWER, 1));
  Status refused = table_.Register(Heartbeat("g2", 1, LEADER, 1));
  EXPECT_TRUE(refused.IsResourceExhausted()) << refused.ToString();
  EXPECT_NE(refused.message().find("brokers_max"), std::string::npos);
  Register(Heartbeat("g1", 4, FOLLOWER, 1));  // a known node is always heard
  clock_.AdvanceMs(kExpiryMs);
  Register(Heartbeat("g2", 1, LEADER, 1));
  EXPECT_EQ(table_.node_count(), 1u);
}

TEST_F(RouteTableTest, RefusesMoreTopicsThanTopicsPerBrokerMax) {
  Status refused = table_.Register(Heartbeat("g1", 1, LEADER, 1, {"a", "b", "c", "d"}));
  EXPECT_TRUE(refused.IsResourceExhausted()) << refused.ToString();
  EXPECT_NE(refused.message().find("topics_per_broker_max"), std::string::npos);
}

TEST_F(RouteTableTest, ReportsHeartbeatTimesInClusterInfo) {
  Register(Heartbeat("g1", 1, LEADER, 1));
  const int64_t registered_unix_ms = clock_.UnixNowMs();
  clock_.AdvanceMs(2500);
  auto info = table_.GetClusterInfo();
  ASSERT_EQ(info.groups_size(), 1);
  EXPECT_EQ(info.groups(0).nodes(0).last_heartbeat_unix_ms(), registered_unix_ms);
  EXPECT_EQ(info.groups(0).nodes(0).last_heartbeat_age_ms(), 2500);
  EXPECT_EQ(info.broker_expiry_ms(), static_cast<uint64_t>(kExpiryMs));
}

TEST_F(RouteTableTest, StaysConsistentUnderConcurrentHeartbeatsAndQueries) {
  constexpr int kHeartbeatsPerNode = 200;
  std::vector<std::thread> threads;
  for (NodeId id = 1; id <= 3; ++id) {
    threads.emplace_back([this, id] {
      for (int i = 1; i <= kHeartbeatsPerNode; ++i) {
        Status status = table_.Register(Heartbeat("g1", id, id == 1 ? LEADER : FOLLOWER, static_cast<uint64_t>(i)));
        ASSERT_TRUE(status.ok()) << status.ToString();
      }
    });
  }
  std::atomic<int> wrong_leaders = 0;
  threads.emplace_back([&] {
    for (int i = 0; i < kHeartbeatsPerNode; ++i) {
      auto route = table_.GetRouteInfoByTopic("orders");
      if (!route.ok()) continue;  // no node registered yet
      const GroupInfo& group = route->groups(0).group();
      int leaders = 0;
      for (const NodeInfo& node : group.nodes()) leaders += node.role() == LEADER ? 1 : 0;
      if (group.leader_node_id() > 1 || leaders > 1) ++wrong_leaders;
      table_.ExpireNodes();
    }
  });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong_leaders.load(), 0) << "only node 1 ever claims LEADER";
  EXPECT_EQ(table_.node_count(), 3u);
  GroupRoute route = OnlyRoute("orders");
  EXPECT_EQ(route.group().leader_term(), static_cast<uint64_t>(kHeartbeatsPerNode));
}

}  // namespace
}  // namespace raftmq::nameserver
