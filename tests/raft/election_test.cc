// Elections: pre-vote, check-quorum, the leader lease, vote persistence, stale terms, the
// no-op at the start of a term.
#include <gtest/gtest.h>

#include "core_harness.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft::test {
namespace {

// Node 3, cut off from the leader and the rest, lets 100 ticks pass: it campaigns alone.
void IsolateNode3For100Ticks(CoreHarness& group) {
  group.Isolate(3);
  group.Tick(3, 100);
}

TEST(CoreElection, WinnerAppendsAnEntryOfItsTermAndCommitsItEverywhere) {
  CoreHarness group(3, NoLeaseOptions());
  group.Elect(1);
  EXPECT_EQ(group.core(1).term(), Term(1));
  group.Elect(2);
  for (NodeId id : {1, 2, 3}) {
    // A new group's first entry is its bootstrap (membership_test.cc); later leaders' no-ops.
    ASSERT_EQ(group.node(id).applied.size(), 2u) << "node " << id;
    EXPECT_EQ(group.node(id).applied[0].kind, kMembershipEntry);
    EXPECT_EQ(group.node(id).applied[1].kind, kNoopEntry);
    EXPECT_EQ(group.node(id).applied[1].term, Term(2));
    EXPECT_EQ(group.core(id).leader(), NodeId(2));
  }
}

TEST(CoreElection, FiveNodeGroupElectsWithThreeVotes) {
  CoreHarness group(5, TestOptions());
  group.StartEstablished(Term(1));
  group.Isolate(4);
  group.Isolate(5);
  group.Elect(1);
  EXPECT_EQ(group.core(1).commit_index(), Index(1));
}

TEST(CorePreVote, IsolatedNodeDoesNotRaiseItsTerm) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  IsolateNode3For100Ticks(group);
  EXPECT_EQ(group.core(3).term(), Term(1));
  EXPECT_EQ(group.core(3).role(), Role::kPreCandidate);
}

TEST(CorePreVote, WithoutPreVoteAnIsolatedNodeRaisesItsTerm) {
  CoreOptions options = TestOptions();
  options.pre_vote = false;
  CoreHarness group(3, options);
  group.Elect(1);
  IsolateNode3For100Ticks(group);
  EXPECT_GT(group.core(3).term(), Term(2));
}

TEST(CorePreVote, RejoiningNodeCannotDeposeHealthyLeader) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  IsolateNode3For100Ticks(group);
  group.Heal();
  group.Tick(3, 25);  // campaigns again, now reaching the others
  group.Tick(1, 1);   // a heartbeat keeps the lease fresh on node 2
  group.Stabilize();
  EXPECT_EQ(group.core(1).role(), Role::kLeader);
  EXPECT_EQ(group.core(1).term(), Term(1));
  EXPECT_EQ(group.core(3).leader(), NodeId(1));
}

TEST(CoreCheckQuorum, LeaderCutOffFromMajorityStepsDownAndRefusesProposals) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  group.Isolate(1);
  // The first check still sees the answers from before the cut; the second finds none.
  group.Tick(1, 2 * TestOptions().election_timeout_ticks_min);
  EXPECT_EQ(group.core(1).role(), Role::kFollower);
  Result<Index> index = group.core(1).Propose(kApplicationEntry, "m");
  EXPECT_TRUE(index.status().IsUnavailable()) << index.status().ToString();
}

TEST(CoreCheckQuorum, LeaderHearingFromMajorityStaysLeader) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  group.Isolate(3);
  for (int i = 0; i < 30; ++i) {
    group.Tick(1, 1);
    group.Stabilize();
  }
  EXPECT_EQ(group.core(1).role(), Role::kLeader);
}

TEST(CoreLease, FollowerIgnoresVoteWhileItHearsFromLeader) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  group.Tick(1, 1);
  group.Stabilize();
  Message vote{.type = MessageType::kVote, .from = 3, .to = 2, .term = Term(2),
               .log_index = Index(100), .log_term = Term(1)};
  group.core(2).Step(vote);
  EXPECT_EQ(group.core(2).term(), Term(1));
  EXPECT_TRUE(group.TakeOutbox().empty());
}

TEST(CoreLease, VoteForLeadershipTransferPassesTheLease) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  Message vote{.type = MessageType::kVote, .from = 3, .to = 2, .term = Term(2), .log_index = Index(100),
               .log_term = Term(1), .leadership_transfer = true};
  group.core(2).Step(vote);
  std::vector<Message> out = group.TakeOutbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, MessageType::kVoteResponse);
  EXPECT_FALSE(out[0].reject);
  EXPECT_EQ(group.core(2).term(), Term(2));
}

TEST(CoreVote, RefusesCandidateWithOlderLog) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  group.Tick(2, 25);  // out of lease: votes count again
  Message vote{.type = MessageType::kVote, .from = 3, .to = 2, .term = Term(5), .log_index = Index(0), .log_term = Term(0)};
  group.core(2).Step(vote);
  std::vector<Message> out = group.TakeOutbox();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().type, MessageType::kVoteResponse);
  EXPECT_TRUE(out.back().reject);
}

TEST(CoreVote, VoteRestoredFromHardStateIsHonoured) {
  CoreHarness group(3, TestOptions());
  ASSERT_TRUE(group.node(1).hard_state.SaveHardState({.term = Term(5), .voted_for = 2}).ok());
  group.Restart(1);
  EXPECT_EQ(group.core(1).term(), Term(5));
  group.core(1).Step(Message{.type = MessageType::kVote, .from = 3, .to = 1, .term = Term(5)});
  group.core(1).Step(Message{.type = MessageType::kVote, .from = 2, .to = 1, .term = Term(5)});
  std::vector<Message> out = group.TakeOutbox();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].to, NodeId(3));
  EXPECT_TRUE(out[0].reject) << "a second vote in term 5";
  EXPECT_EQ(out[1].to, NodeId(2));
  EXPECT_FALSE(out[1].reject) << "the restored vote may be repeated";
}

TEST(CoreVote, GrantLeavesOnlyAfterItIsPersisted) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.core(1).Step(Message{.type = MessageType::kVote, .from = 2, .to = 1, .term = Term(1)});
  Ready ready = group.core(1).TakeReady();
  EXPECT_TRUE(ready.messages.empty());
  ASSERT_EQ(ready.messages_after_persist.size(), 1u);
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(ready.hard_state->voted_for, NodeId(2));
  EXPECT_TRUE(ready.must_sync);
  group.core(1).Advance();
}

TEST(CoreStaleTerm, AppendFromOldLeaderIsAnsweredWithTheNewTerm) {
  CoreHarness group(3, NoLeaseOptions());
  group.Elect(1);
  group.Elect(2);
  ASSERT_EQ(group.core(3).term(), Term(2));
  group.core(3).Step(Message{.type = MessageType::kAppend, .from = 1, .to = 3, .term = Term(1),
                             .log_index = Index(1), .log_term = Term(1), .commit = Index(1),
                             .entries = {{.index = Index(2), .term = Term(1)}}});
  std::vector<Message> out = group.TakeOutbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, MessageType::kAppendResponse);
  EXPECT_EQ(out[0].term, Term(2));
  EXPECT_EQ(group.core(3).last_index(), Index(2)) << "the stale entry must not be appended";
  EXPECT_EQ(group.node(3).log.At(Index(2)).term, Term(2));
}

TEST(CoreStaleTerm, OldLeaderStepsDownWhenItLearnsTheNewTerm) {
  CoreHarness group(3, NoLeaseOptions());
  group.Elect(1);
  group.Isolate(1);
  group.Elect(2);
  group.Heal();
  group.Tick(1, 1);  // old leader's heartbeat, answered with term 2
  group.Stabilize();
  EXPECT_EQ(group.core(1).role(), Role::kFollower);
  EXPECT_EQ(group.core(1).term(), Term(2));
  group.Tick(2, 1);  // the new leader's heartbeat names it
  group.Stabilize();
  EXPECT_EQ(group.core(1).leader(), NodeId(2));
}

TEST(CoreStaleTerm, StaleVoteResponseIsIgnored) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.core(1).Campaign();
  group.Process();
  (void)group.TakeOutbox();
  group.core(1).Step(Message{.type = MessageType::kPreVoteResponse, .from = 2, .to = 1, .term = Term(2)});
  group.Process();
  ASSERT_EQ(group.core(1).role(), Role::kCandidate);
  group.core(1).Step(Message{.type = MessageType::kVoteResponse, .from = 2, .to = 1, .term = Term(1)});
  group.Process();
  EXPECT_EQ(group.core(1).role(), Role::kCandidate);
}

TEST(CoreReady, TwoReadysWithoutAdvanceIsAnAssert) {
  CoreHarness group(3, TestOptions());
  group.core(1).Campaign();
  ASSERT_TRUE(group.core(1).HasReady());
  (void)group.core(1).TakeReady();
  EXPECT_DEATH((void)group.core(1).TakeReady(), "TakeReady called twice");
}

}  // namespace
}  // namespace raftmq::raft::test
