// Routes through a real nameserver: two broker groups serving one topic, and a nameserver
// that forgets a killed leader after broker_expiry_ms and learns the new one (and the old
// node again when it comes back) from the brokers' registrations.
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/poll.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {
namespace {

Result<nameserver::GroupInfo> ClusterGroup(Cluster& cluster, const std::string& name) {
  nameserver::GetClusterInfoResponse info;
  grpc::Status status =
      cluster.Nameserver()->GetClusterInfo(Cluster::Context().get(), nameserver::GetClusterInfoRequest(), &info);
  if (!status.ok()) return Status::Unavailable("GetClusterInfo: " + status.error_message());
  for (const nameserver::GroupInfo& group : info.groups()) {
    if (group.group_name() == name) return group;
  }
  return Status::NotFound("no group " + name + " in the nameserver");
}

bool HasNode(const nameserver::GroupInfo& group, int node) {
  for (const nameserver::NodeInfo& info : group.nodes()) {
    if (info.node_id() == static_cast<uint64_t>(node)) return true;
  }
  return false;
}

TEST(RoutingE2e, TwoGroupsServeOneTopicEachWithItsOwnMessages) {
  ClusterOptions options;
  options.groups = 2;
  auto cluster = Cluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& both = **cluster;
  std::map<int, int> leaders;
  for (int group = 1; group <= 2; ++group) {
    Status created = both.CreateTopic(group, "Shared", 2);
    ASSERT_TRUE(created.ok()) << created.ToString();
    auto leader = both.WaitForLeader(group);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    leaders[group] = *leader;
    ASSERT_TRUE(both.WaitForNameserverLeader(group, *leader).ok());
  }

  nameserver::GetRouteInfoByTopicRequest request;
  request.set_topic("Shared");
  nameserver::GetRouteInfoByTopicResponse route;
  grpc::Status status = both.Nameserver()->GetRouteInfoByTopic(Cluster::Context().get(), request, &route);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(route.groups_size(), 2);
  for (int group = 1; group <= 2; ++group) {
    const nameserver::GroupRoute& entry = route.groups(group - 1);
    EXPECT_EQ(entry.group().group_name(), Cluster::GroupName(group));
    EXPECT_EQ(entry.group().leader_address(), both.NodeAddress(group, leaders[group]));
    EXPECT_EQ(entry.write_queue_count(), 2u);
    SendOutcome sent = SendText(both.Messaging(group, leaders[group]), "Shared", 0, "to g" + std::to_string(group), kClusterWait);
    ASSERT_TRUE(sent.status.ok()) << sent.status.error_message();
  }
  for (int group = 1; group <= 2; ++group) {
    std::vector<messaging::MessageExt> pulled;
    ASSERT_TRUE(PullToEnd(both.Messaging(group, leaders[group]), "Shared", 0, 0, &pulled).ok());
    ASSERT_EQ(pulled.size(), 1u) << "group " << group;
    EXPECT_EQ(pulled[0].message().body(), "to g" + std::to_string(group));
  }
}

TEST(RoutingE2e, TheNameserverForgetsAKilledLeaderAndLearnsTheNewOne) {
  ClusterOptions options;
  options.nameserver_flags = {"--broker_expiry_ms=1500", "--expiry_scan_interval_ms=100"};
  options.broker_flags = {"--register_broker_interval_ms=300"};
  auto cluster = Cluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& group = **cluster;
  auto old_leader = group.WaitForLeader(1);
  ASSERT_TRUE(old_leader.ok()) << old_leader.status().ToString();
  ASSERT_TRUE(group.WaitForNameserverLeader(1, *old_leader).ok());
  auto before = ClusterGroup(group, "g1");
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->nodes_size(), 3);

  ASSERT_TRUE(group.Kill(1, *old_leader).ok());
  auto new_leader = group.WaitForLeader(1, kClusterWait, *old_leader);
  ASSERT_TRUE(new_leader.ok()) << new_leader.status().ToString();
  Status learned = group.WaitForNameserverLeader(1, *new_leader);
  ASSERT_TRUE(learned.ok()) << learned.ToString();

  Result<nameserver::GroupInfo> after = Status::Unavailable("not asked yet");
  test_support::PollUntil([&] {
    after = ClusterGroup(group, "g1");
    return after.ok() && !HasNode(*after, *old_leader);
  });
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_FALSE(HasNode(*after, *old_leader)) << "the killed node never expired";
  EXPECT_EQ(after->nodes_size(), 2);
  EXPECT_GT(after->leader_term(), before->leader_term());

  ASSERT_TRUE(group.Restart(1, *old_leader).ok());
  test_support::PollUntil([&] {
    after = ClusterGroup(group, "g1");
    return after.ok() && HasNode(*after, *old_leader);
  });
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(HasNode(*after, *old_leader)) << "the restarted node did not register again";
}

}  // namespace
}  // namespace raftmq::e2e
