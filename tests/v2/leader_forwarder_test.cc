// Which calls a node relays to its leader (broker/v2/leader_forwarder.h): a follower that
// knows a leader relays; a leader, a node that knows none, and a call relayed already are
// served where they are (one hop at most).
#include "broker/v2/leader_forwarder.h"

#include <gtest/gtest.h>

namespace raftmq::broker::v2 {
namespace {

ReplicaStatus Status(NodeId id, ReplicaRole role, NodeId leader) {
  ReplicaStatus status;
  status.id = id;
  status.role = role;
  status.leader = leader;
  return status;
}

TEST(ForwardTarget, AFollowerThatKnowsTheLeaderRelaysToIt) {
  EXPECT_EQ(ForwardTarget(Status(2, ReplicaRole::kFollower, 1), /*forwarded=*/false), 1u);
}

TEST(ForwardTarget, ACallRelayedAlreadyIsServedWhereItArrives) {
  EXPECT_EQ(ForwardTarget(Status(2, ReplicaRole::kFollower, 3), /*forwarded=*/true), kNoNode);
}

TEST(ForwardTarget, TheLeaderServesItself) {
  EXPECT_EQ(ForwardTarget(Status(1, ReplicaRole::kLeader, 1), /*forwarded=*/false), kNoNode);
}

TEST(ForwardTarget, ANodeThatKnowsNoLeaderServesItselfAsToday) {
  EXPECT_EQ(ForwardTarget(Status(2, ReplicaRole::kFollower, kNoNode), /*forwarded=*/false), kNoNode);
  EXPECT_EQ(ForwardTarget(Status(2, ReplicaRole::kCandidate, kNoNode), /*forwarded=*/false), kNoNode);
}

TEST(ForwardTarget, NeverRelaysToItself) {
  EXPECT_EQ(ForwardTarget(Status(2, ReplicaRole::kFollower, 2), /*forwarded=*/false), kNoNode);
}

}  // namespace
}  // namespace raftmq::broker::v2
