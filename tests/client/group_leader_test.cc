// `raftmq cluster status` picks its reference leader by Raft's rule (highest term), not by
// which LEADER answered last, and marks a deposed leader that still says LEADER as stale.
#include "client/group_leader.h"

#include <vector>

#include <gtest/gtest.h>

namespace raftmq::client {
namespace {

NodeReport Report(uint64_t id, admin::Role role, uint64_t term, uint64_t last_index) {
  NodeReport report;
  report.node.set_node_id(id);
  report.status.set_role(role);
  report.status.set_term(term);
  report.status.set_last_index(last_index);
  return report;
}

TEST(GroupLeader, TrustsTheLeaderOfTheHighestTermEvenWhenAStaleOneAnswersLast) {
  // Node 3 led term 4 and was cut off (paused, disk full); node 1 was elected in term 5.
  std::vector<NodeReport> group = {Report(1, admin::LEADER, 5, 120), Report(2, admin::FOLLOWER, 5, 118),
                                   Report(3, admin::LEADER, 4, 100)};
  const NodeReport* leader = MarkGroupLeader(group);
  ASSERT_NE(leader, nullptr);
  EXPECT_EQ(leader->node.node_id(), 1u);
  EXPECT_FALSE(group[0].stale_leader);
  EXPECT_TRUE(group[2].stale_leader);
  EXPECT_EQ(group[0].replication_lag, 0);
  EXPECT_EQ(group[1].replication_lag, 2);
  EXPECT_EQ(group[2].replication_lag, 20);
}

TEST(GroupLeader, ALeaderBelowAFollowersTermIsStaleAndNoReferenceIsTaken) {
  // An election of term 6 is under way: the old leader has not heard of it yet.
  std::vector<NodeReport> group = {Report(1, admin::LEADER, 5, 120), Report(2, admin::CANDIDATE, 6, 118),
                                   Report(3, admin::FOLLOWER, 6, 118)};
  EXPECT_EQ(MarkGroupLeader(group), nullptr);
  EXPECT_TRUE(group[0].stale_leader);
  for (const NodeReport& report : group) EXPECT_EQ(report.replication_lag, -1);
}

TEST(GroupLeader, UnreachableNodesAreLeftOut) {
  std::vector<NodeReport> group = {Report(1, admin::FOLLOWER, 7, 50), Report(2, admin::LEADER, 7, 60),
                                   Report(3, admin::LEADER, 9, 10)};
  group[2].error = Status::Unavailable("no answer");  // its answer cannot be trusted: none came
  const NodeReport* leader = MarkGroupLeader(group);
  ASSERT_NE(leader, nullptr);
  EXPECT_EQ(leader->node.node_id(), 2u);
  EXPECT_EQ(group[0].replication_lag, 10);
  EXPECT_EQ(group[2].replication_lag, -1);
  EXPECT_FALSE(group[2].stale_leader);
}

}  // namespace
}  // namespace raftmq::client
