// Membership through raft::Node (raft/node.h, "Membership"): a change proposed on the leader
// applies on every member, and a restarted member keeps the configuration it reached, although
// its state machine resumes after the change's entry (so the Core never reads it again).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <vector>

#include "raft/configuration.h"
#include "tests/raft/application_entry.h"
#include "tests/raft/local_cluster.h"

namespace raftmq::raft::testing {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kElectionWait{10000};
constexpr milliseconds kApplyWait{10000};

ProposalOutcome Await(std::future<ProposalOutcome> future) {
  EXPECT_EQ(future.wait_for(kApplyWait), std::future_status::ready) << "a proposal never completed";
  return future.get();
}

TEST(NodeMembership, ARestartedNodeKeepsARemovalItApplied) {
  LocalCluster cluster(LocalClusterOptions{});
  for (NodeId id = 1; id <= 3; ++id) ASSERT_TRUE(cluster.StartMember(id).ok());
  const NodeId leader = cluster.WaitForLeader(kElectionWait);
  ASSERT_NE(leader, kNoNode) << "no leader within " << kElectionWait.count() << " ms";
  const NodeId removed = leader == 3 ? 2 : 3;
  std::vector<NodeId> kept;
  for (NodeId id = 1; id <= 3; ++id) {
    if (id != removed) kept.push_back(id);
  }

  // A leader takes changes once its first entry committed: an entry of its own applied says so.
  ASSERT_TRUE(Await(cluster.node(leader)->Propose(kApplicationEntry, "first")).status.ok());
  const ProposalOutcome change =
      Await(cluster.node(leader)->ProposeConfChange(ConfChange{.type = ConfChangeType::kRemove, .node = removed}));
  ASSERT_TRUE(change.status.ok()) << change.status.ToString();
  for (NodeId id : kept) {
    ASSERT_TRUE(cluster.state_machine(id).WaitApplied(change.index, kApplyWait)) << "node " << id;
  }
  const ProposalOutcome again =
      Await(cluster.node(leader)->ProposeConfChange(ConfChange{.type = ConfChangeType::kRemove, .node = removed}));
  EXPECT_TRUE(again.status.IsInvalidArgument()) << "removing a non-member: " << again.status.ToString();

  // Everyone stops; the removed node stays down, so the group commits only with both others.
  for (NodeId id = 1; id <= 3; ++id) cluster.HardStopMember(id);
  for (NodeId id : kept) ASSERT_TRUE(cluster.StartMember(id).ok());
  const ConfState expected{.voters = kept};
  for (NodeId id : kept) {
    Result<NodeStatus> status = cluster.node(id)->CurrentStatus();
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->configuration, expected)
        << "node " << id << " restarted with " << DescribeConfState(status->configuration);
  }
  const NodeId new_leader = cluster.WaitForLeader(kElectionWait);
  ASSERT_NE(new_leader, kNoNode) << "the two remaining voters elect no leader";
  const ProposalOutcome after = Await(cluster.node(new_leader)->Propose(kApplicationEntry, "after"));
  EXPECT_TRUE(after.status.ok()) << after.status.ToString();
}

}  // namespace
}  // namespace raftmq::raft::testing
