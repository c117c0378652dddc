// Core::ReadIndex: a read leaves only after a majority answered a heartbeat round started
// after it; reads asked together share one round; a leader cut off never confirms one.
#include <gtest/gtest.h>

#include "core_harness.h"

namespace raftmq::raft::test {
namespace {

std::vector<ReadState> ReadsOf(CoreHarness& group, NodeId id) {
  std::vector<ReadState> reads;
  for (const Ready& ready : group.node(id).readys) reads.insert(reads.end(), ready.read_states.begin(), ready.read_states.end());
  return reads;
}

TEST(CoreReadIndex, ReadsAskedTogetherShareOneHeartbeatRoundAndLeaveAtTheCommitIndex) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  ASSERT_TRUE(group.core(1).ReadIndex(7).ok());
  ASSERT_TRUE(group.core(1).ReadIndex(8).ok());
  std::vector<Message> out = group.TakeOutbox();
  size_t heartbeats = 0;
  for (const Message& message : out) heartbeats += message.type == MessageType::kHeartbeat ? 1 : 0;
  EXPECT_EQ(heartbeats, 2u);  // one per follower for both reads
  EXPECT_TRUE(ReadsOf(group, 1).empty());
  for (const Message& message : out) group.Deliver(message);
  group.Stabilize();
  std::vector<ReadState> reads = ReadsOf(group, 1);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].request, 7u);
  EXPECT_EQ(reads[1].request, 8u);
  EXPECT_EQ(reads[0].index, group.core(1).commit_index());
}

TEST(CoreReadIndex, IsolatedLeaderNeverConfirmsARead) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  group.Isolate(1);
  ASSERT_TRUE(group.core(1).ReadIndex(1).ok());
  group.Stabilize();
  group.Tick(1, 5);
  group.Stabilize();
  EXPECT_TRUE(ReadsOf(group, 1).empty());
  EXPECT_TRUE(group.core(2).ReadIndex(2).IsUnavailable());
}

TEST(CoreReadIndex, DeposedLeaderDropsItsPendingReads) {
  CoreOptions options = TestOptions();
  options.check_quorum = false;
  CoreHarness group(3, options);
  group.StartEstablished(Term(1));
  group.Elect(1);
  group.Isolate(1);
  ASSERT_TRUE(group.core(1).ReadIndex(1).ok());
  group.Process();
  group.Elect(2);
  group.Heal();
  group.Tick(2, 1);
  group.Stabilize();
  EXPECT_NE(group.core(1).role(), Role::kLeader);
  EXPECT_TRUE(ReadsOf(group, 1).empty());
}

}  // namespace
}  // namespace raftmq::raft::test
