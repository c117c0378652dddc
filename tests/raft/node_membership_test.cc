// Membership through raft::Node (raft/node.h, "Membership"): a change proposed on the leader
// applies on every member, and a restarted member keeps the configuration it reached, although
// its state machine resumes after the change's entry (so the Core never reads it again).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "raft/configuration.h"
#include "tests/raft/application_entry.h"
#include "tests/raft/local_cluster.h"

namespace raftmq::raft::testing {
namespace {

using std::chrono::milliseconds;

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
  // The bootstrap entry gave every voter's address; the removal dropped the removed one's.
  ConfState expected{.voters = kept};
  for (NodeId id : kept) expected.addresses[id] = cluster.address(id);
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

// Proposes `payload` on whoever leads, again after a leadership change, until it applies or
// kApplyWait passed; the last outcome.
ProposalOutcome ProposeOnLeader(LocalCluster& cluster, const std::string& payload) {
  const auto deadline = std::chrono::steady_clock::now() + kApplyWait;
  ProposalOutcome outcome;
  while (std::chrono::steady_clock::now() < deadline) {
    const NodeId leader = cluster.WaitForLeader(kElectionWait);
    if (leader == kNoNode) break;
    outcome = Await(cluster.node(leader)->Propose(kApplicationEntry, payload));
    if (outcome.status.ok()) break;
  }
  return outcome;
}

// Promotes `node` on the leader, retrying while it is not caught up (Aborted) or the leader's
// previous change has not committed (Unavailable); the last outcome.
ProposalOutcome PromoteWhenCaughtUp(LocalCluster& cluster, NodeId leader, NodeId node) {
  const auto deadline = std::chrono::steady_clock::now() + kApplyWait;
  ProposalOutcome outcome;
  while (std::chrono::steady_clock::now() < deadline) {
    outcome = Await(cluster.node(leader)->ProposeConfChange(ConfChange{.type = ConfChangeType::kPromote, .node = node}));
    if (!outcome.status.IsAborted() && !outcome.status.IsUnavailable()) break;
    std::this_thread::sleep_for(milliseconds(20));  // a poll interval: catching up takes real time
  }
  return outcome;
}

TEST(NodeMembership, ANodeAddedWithItsAddressIsReachedPromotedAndReachedAfterRestarts) {
  LocalCluster cluster(LocalClusterOptions{.members = 4, .initial_voters = 3});
  for (NodeId id = 1; id <= 4; ++id) ASSERT_TRUE(cluster.StartMember(id).ok());
  const NodeId leader = cluster.WaitForLeader(kElectionWait);
  ASSERT_NE(leader, kNoNode) << "no leader within " << kElectionWait.count() << " ms";
  ASSERT_NE(leader, NodeId(4)) << "a node outside the group never campaigns";
  EXPECT_EQ(cluster.node(4)->Configuration(), ConfState{}) << "a joining node knows no group before it is added";

  ASSERT_TRUE(Await(cluster.node(leader)->Propose(kApplicationEntry, "first")).status.ok());
  const ProposalOutcome added = Await(cluster.node(leader)->ProposeConfChange(
      ConfChange{.type = ConfChangeType::kAddLearner, .node = 4, .address = cluster.address(4)}));
  ASSERT_TRUE(added.status.ok()) << added.status.ToString();
  ASSERT_TRUE(cluster.state_machine(4).WaitApplied(added.index, kApplyWait))
      << "the leader never reached node 4 at the address its change carried";
  const ProposalOutcome promoted = PromoteWhenCaughtUp(cluster, leader, 4);
  ASSERT_TRUE(promoted.status.ok()) << promoted.status.ToString();
  // The bootstrap voters' addresses come from entry 1 (the bootstrap), node 4's from its change.
  ConfState expected{.voters = {1, 2, 3, 4}};
  for (NodeId id = 1; id <= 4; ++id) expected.addresses[id] = cluster.address(id);
  for (NodeId id = 1; id <= 4; ++id) {
    ASSERT_TRUE(cluster.state_machine(id).WaitApplied(promoted.index, kApplyWait)) << "node " << id;
    Result<NodeStatus> status = cluster.node(id)->CurrentStatus();
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->configuration, expected) << "node " << id << ": " << DescribeConfState(status->configuration);
    EXPECT_EQ(cluster.node(id)->Configuration(), expected) << "node " << id;
  }

  // Restarted, the bootstrap voters still reach node 4 (its address comes from the record): with
  // one of them down, an entry commits only with node 4's vote (3 of 4 voters).
  for (NodeId id = 1; id <= 3; ++id) cluster.HardStopMember(id);
  for (NodeId id = 1; id <= 3; ++id) ASSERT_TRUE(cluster.StartMember(id).ok());
  const NodeId new_leader = cluster.WaitForLeader(kElectionWait);
  ASSERT_NE(new_leader, kNoNode);
  cluster.HardStopMember(new_leader == 1 ? 2 : 1);
  const ProposalOutcome after = ProposeOnLeader(cluster, "after");
  ASSERT_TRUE(after.status.ok()) << "no entry committed with two bootstrap voters and node 4: "
                                 << after.status.ToString();
  EXPECT_TRUE(cluster.state_machine(4).WaitApplied(after.index, kApplyWait));
}

}  // namespace
}  // namespace raftmq::raft::testing
