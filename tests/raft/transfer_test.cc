// Leadership transfer: a caught-up target takes over; a lagging one is refused; a transfer
// that does not finish is aborted after an election timeout; the preferred leader.
#include <gtest/gtest.h>

#include "core_harness.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft::test {
namespace {

TEST(CoreTransfer, CaughtUpTargetBecomesLeader) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  ASSERT_TRUE(group.core(1).TransferLeadership(3).ok());
  group.Stabilize();
  EXPECT_EQ(group.core(3).role(), Role::kLeader);
  EXPECT_EQ(group.core(1).role(), Role::kFollower);
  EXPECT_EQ(group.core(1).leader(), NodeId(3));
  EXPECT_EQ(group.core(3).term(), Term(2));
}

TEST(CoreTransfer, LaggingTargetIsRefusedWithTheLag) {
  CoreOptions options = TestOptions();
  options.transfer_lag_entries_max = 2;
  CoreHarness group(3, options);
  group.Elect(1);
  group.Isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "m").ok());
  group.Stabilize();
  Status status = group.core(1).TransferLeadership(3);
  EXPECT_TRUE(status.IsAborted()) << status.ToString();
  EXPECT_NE(status.message().find("lags by 5 entries"), std::string::npos) << status.ToString();
  EXPECT_EQ(group.core(1).transfer_target(), kNoNode);
  EXPECT_TRUE(group.core(1).Propose(kApplicationEntry, "m").ok());
}

TEST(CoreTransfer, RefusesProposalsWhileRunningAndAbortsAfterElectionTimeout) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  group.Isolate(3);
  ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "m").ok());
  group.Stabilize();
  ASSERT_TRUE(group.core(1).TransferLeadership(3).ok());
  EXPECT_EQ(group.core(1).transfer_target(), NodeId(3));
  EXPECT_TRUE(group.core(1).Propose(kApplicationEntry, "m").status().IsUnavailable());
  for (uint32_t i = 0; i < TestOptions().election_timeout_ticks_min; ++i) {
    group.Tick(1, 1);
    group.Stabilize();
  }
  EXPECT_EQ(group.core(1).transfer_target(), kNoNode);
  EXPECT_EQ(group.core(1).role(), Role::kLeader);
  EXPECT_TRUE(group.core(1).Propose(kApplicationEntry, "m").ok());
}

TEST(CoreTransfer, RefusesUnknownTargetAndFollowers) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  EXPECT_TRUE(group.core(1).TransferLeadership(7).IsInvalidArgument());
  EXPECT_TRUE(group.core(1).TransferLeadership(1).IsInvalidArgument());
  EXPECT_TRUE(group.core(2).TransferLeadership(3).IsUnavailable());
}

TEST(CoreTransfer, LeaderHandsOverToHealthyPreferredLeader) {
  CoreOptions options = TestOptions();
  options.preferred_leader = 2;
  CoreHarness group(3, options);
  group.Elect(1);
  for (uint32_t i = 0; i < 2 * options.election_timeout_ticks_min && group.core(2).role() != Role::kLeader; ++i) {
    group.Tick(1, 1);
    group.Stabilize();
  }
  EXPECT_EQ(group.core(2).role(), Role::kLeader);
  EXPECT_EQ(group.core(1).leader(), NodeId(2));
}

}  // namespace
}  // namespace raftmq::raft::test
