// Core::ReadIndex: a read leaves only after a majority answered a heartbeat round started
// after it; reads asked together, or while a round is out, share one round (one out at a
// time); a leader cut off never confirms one.
#include <gtest/gtest.h>

#include "core_harness.h"

namespace raftmq::raft::test {
namespace {

std::vector<ReadState> ReadsOf(CoreHarness& group, NodeId id) {
  std::vector<ReadState> reads;
  for (const Ready& ready : group.node(id).readys) reads.insert(reads.end(), ready.read_states.begin(), ready.read_states.end());
  return reads;
}

std::vector<uint64_t> RequestsReadOn(CoreHarness& group, NodeId id) {
  std::vector<uint64_t> requests;
  for (const ReadState& read : ReadsOf(group, id)) requests.push_back(read.request);
  return requests;
}

size_t HeartbeatsIn(const std::vector<Message>& messages) {
  size_t heartbeats = 0;
  for (const Message& message : messages) heartbeats += message.type == MessageType::kHeartbeat ? 1 : 0;
  return heartbeats;
}

TEST(CoreReadIndex, ReadsAskedTogetherShareOneHeartbeatRoundAndLeaveAtTheCommitIndex) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  ASSERT_TRUE(group.core(1).ReadIndex(7).ok());
  ASSERT_TRUE(group.core(1).ReadIndex(8).ok());
  std::vector<Message> out = group.TakeOutbox();
  EXPECT_EQ(HeartbeatsIn(out), 2u);  // one per follower for both reads
  EXPECT_TRUE(ReadsOf(group, 1).empty());
  for (const Message& message : out) group.Deliver(message);
  group.Stabilize();
  std::vector<ReadState> reads = ReadsOf(group, 1);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].request, 7u);
  EXPECT_EQ(reads[1].request, 8u);
  EXPECT_EQ(reads[0].index, group.core(1).commit_index());
}

TEST(CoreReadIndex, ReadsAskedWhileARoundIsOutWaitForItThenShareTheNextRound) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  ASSERT_TRUE(group.core(1).ReadIndex(1).ok());
  std::vector<Message> first_round = group.TakeOutbox();
  EXPECT_EQ(HeartbeatsIn(first_round), 2u);
  // Asked after the first round started: it cannot confirm them, and no second round starts
  // while it is out.
  ASSERT_TRUE(group.core(1).ReadIndex(2).ok());
  ASSERT_TRUE(group.core(1).ReadIndex(3).ok());
  group.Process();
  EXPECT_EQ(HeartbeatsIn(group.TakeOutbox()), 0u);
  // One follower's answer makes a majority: read 1 leaves, and the next round starts at once
  // for reads 2 and 3 together.
  for (const Message& message : first_round) {
    if (message.to == 2) group.Deliver(message);
  }
  std::vector<Message> answers = group.TakeOutbox();
  ASSERT_EQ(answers.size(), 1u);
  group.Deliver(answers[0]);
  EXPECT_EQ(RequestsReadOn(group, 1), std::vector<uint64_t>{1});
  std::vector<Message> second_round = group.TakeOutbox();
  EXPECT_EQ(HeartbeatsIn(second_round), 2u);
  for (const Message& message : second_round) group.Deliver(message);
  group.Stabilize();
  EXPECT_EQ(RequestsReadOn(group, 1), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(CoreReadIndex, ARoundWhoseHeartbeatsWereLostIsConfirmedByThePeriodicHeartbeat) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  ASSERT_TRUE(group.core(1).ReadIndex(1).ok());
  group.TakeOutbox();  // the round's heartbeats are lost
  ASSERT_TRUE(group.core(1).ReadIndex(2).ok());
  group.Process();
  EXPECT_EQ(HeartbeatsIn(group.TakeOutbox()), 0u);
  group.Tick(1, TestOptions().heartbeat_interval_ticks);
  group.Stabilize();
  EXPECT_EQ(RequestsReadOn(group, 1), (std::vector<uint64_t>{1, 2}));
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
