// The recovering state (raft/core.h, "Recovering") and the lost-tail repair (progress.h):
// a node that may have lost entries it acknowledged neither votes nor counts toward commit
// until caught up; a majority recovering at once goes on and says what may be lost; a leader
// repairs a follower whose log lost a tail below `match`.
#include <gtest/gtest.h>

#include "core_harness.h"

namespace raftmq::raft::test {
namespace {

bool AnyLeader(CoreHarness& group, std::initializer_list<NodeId> nodes) {
  for (NodeId id : nodes) {
    if (group.core(id).role() == Role::kLeader) return true;
  }
  return false;
}

TEST(ProgressRepair, RejectionAtOrBelowMatchLowersMatchAndProbes) {
  Progress progress(Index(1), 8, 1 << 20);
  ASSERT_TRUE(progress.MaybeUpdate(Index(10)));
  progress.BecomeReplicate();
  // The follower lost 6..10: it rejects an append after 10 and says its log may agree at 5.
  ASSERT_TRUE(progress.MaybeDecreaseTo(Index(10), Index(5)));
  EXPECT_EQ(progress.match(), Index(5));
  EXPECT_EQ(progress.next(), Index(6));
  EXPECT_EQ(progress.state(), Progress::State::kProbe);
  // A hint at or above the rejected index still leaves match below it.
  Progress other(Index(1), 8, 1 << 20);
  ASSERT_TRUE(other.MaybeUpdate(Index(10)));
  ASSERT_TRUE(other.MaybeDecreaseTo(Index(7), Index(9)));
  EXPECT_EQ(other.match(), Index(6));
}

// Issue 9, case 2: a follower loses power (async flush: its acknowledged tail is gone) and the
// leader, the only other holder of a committed entry, crashes. The survivors must not elect
// a leader without that entry: the recovering follower refuses to vote.
TEST(CoreRecovery, PowerLostFollowerDoesNotHelpElectALeaderLackingWhatItAcknowledged) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  group.Propose(1, "a");
  group.Isolate(2);
  const Index b = group.Propose(1, "b");  // committed by 1 and 3 only
  ASSERT_EQ(group.core(1).commit_index(), b);
  group.CutLog(3, b - 1);  // power loss: 3's unsynced tail is gone
  group.Restart(3, /*power_lost=*/true);
  ASSERT_TRUE(group.core(3).recovering());
  group.Heal();
  group.Isolate(1);  // the leader crashed
  for (int round = 0; round < 10; ++round) {
    group.Tick(2, 25);
    group.Tick(3, 25);
    group.Stabilize();
  }
  EXPECT_FALSE(AnyLeader(group, {2, 3})) << "a leader without the committed entry " << b;
  EXPECT_TRUE(group.core(3).recovering());
  group.Heal();  // the old leader restarts with its data intact
  for (int round = 0; round < 10 && !AnyLeader(group, {1, 2, 3}); ++round) {
    group.Tick(1, 25);
    group.Stabilize();
  }
  ASSERT_EQ(group.core(1).role(), Role::kLeader);
  const Index c = group.Propose(1, "c");
  for (int round = 0; round < 10; ++round) {
    group.Tick(1, 1);
    group.Stabilize();
  }
  for (NodeId id : {1, 2, 3}) {
    ASSERT_GE(group.core(id).commit_index(), c) << "node " << id;
    EXPECT_FALSE(group.core(id).recovering()) << "node " << id;
    EXPECT_EQ(group.node(id).log.At(b).payload, "b") << "node " << id;
  }
}

// Its acknowledgements do not count until it holds what the leader had when it learned of
// the recovery: with the third node away, nothing new commits before that.
TEST(CoreRecovery, RecoveringFollowerCountsTowardCommitOnlyOnceCaughtUp) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  const Index a = group.Propose(1, "a");
  group.Isolate(3);
  group.Propose(1, "b");
  group.Propose(1, "c");
  group.CutLog(2, a);
  group.Restart(2, /*power_lost=*/true);
  group.Tick(1, 1);  // heartbeat: 2 answers that it recovers, with its last index
  std::vector<Message> out = group.TakeOutbox();
  bool repaired = false;
  for (const Message& message : out) group.Deliver(message);
  // Deliver one message at a time: 2 rejects, the leader learns it recovers and resends.
  for (int round = 0; round < 20; ++round) {
    for (const Message& message : group.TakeOutbox()) {
      if (message.type == MessageType::kAppendResponse && message.from == 2 && !message.reject && message.recovering) {
        // A recovering ack: the leader must not commit on it.
        const Index before = group.core(1).commit_index();
        group.Deliver(message);
        EXPECT_EQ(group.core(1).commit_index(), before);
        continue;
      }
      group.Deliver(message);
    }
    repaired = !group.core(2).recovering();
  }
  EXPECT_TRUE(repaired);
  const Index d = group.Propose(1, "d");
  EXPECT_EQ(group.core(1).commit_index(), d);  // 2 counts again
}

// A wiped data dir (empty log, term 0, no vote) must not vote twice in a term it voted in.
TEST(CoreRecovery, WipedNodeDoesNotVoteAgain) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  const Term term = group.core(3).term();
  group.CutLog(3, Index(0));
  ASSERT_TRUE(group.node(3).hard_state.SaveHardState(storage::HardState{}).ok());
  group.Restart(3);
  ASSERT_TRUE(group.core(3).recovering());
  group.core(3).Step(Message{.type = MessageType::kVote, .from = 2, .to = 3, .term = term,
                             .log_index = Index(1), .log_term = term});
  std::vector<Message> out = group.TakeOutbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].reject);
  EXPECT_TRUE(out[0].recovering);
  EXPECT_EQ(group.core(3).term(), term);
  // It rejoins: the leader repairs it and it stops recovering.
  group.Tick(1, 1);
  group.Stabilize();
  EXPECT_FALSE(group.core(3).recovering());
  EXPECT_EQ(group.core(3).last_index(), group.core(1).last_index());
}

// All nodes lost power at once: nobody can wait for a healthy majority, so they stop
// recovering, elect, and say what may be lost.
TEST(CoreRecovery, MajorityLossElectsAndReportsWhatMayBeLost) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  group.Propose(1, "a");
  const Index b = group.Propose(1, "b");
  for (NodeId id : {1, 2, 3}) {
    group.CutLog(id, b - 1);
    group.Restart(id, /*power_lost=*/true);
  }
  group.Tick(2, 25);
  group.Stabilize();
  ASSERT_TRUE(AnyLeader(group, {1, 2, 3}));
  bool reported = false;
  for (NodeId id : {1, 2, 3}) {
    EXPECT_FALSE(group.core(id).recovering());
    for (const Ready& ready : group.node(id).readys) {
      if (!ready.majority_loss) continue;
      reported = true;
      EXPECT_EQ(ready.majority_loss->log_last, b - 1);
      EXPECT_EQ(ready.majority_loss->commit_seen, b);
    }
  }
  EXPECT_TRUE(reported);
}

// Simulator seed 91831: a deposed leader (term 1, cut off, check-quorum off) is the first to
// reach a node whose data dir was wiped. The wiped node forgot term 2, so it follows the old
// leader; were it brought up to that leader's log and counted, the old leader would commit its
// stale tail over an entry committed in term 2. It says it forgot its term, so the old leader
// gives it no recovery target without a majority of others confirming it still leads.
TEST(CoreRecovery, ADeposedLeaderCannotCountAWipedNodeItReachedFirst) {
  CoreHarness group(3, NoLeaseOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  const Index a = group.Propose(1, "a");
  group.Isolate(1);
  group.Elect(2);
  const Index b = group.Propose(2, "b");
  ASSERT_EQ(group.core(2).commit_index(), b);
  ASSERT_EQ(group.core(1).role(), Role::kLeader) << "still leads in its own eyes";
  const Index stale = group.Propose(1, "stale");  // at b's index or below: never committed
  ASSERT_LE(stale, b);
  group.CutLog(3, Index(0));
  ASSERT_TRUE(group.node(3).hard_state.SaveHardState(storage::HardState{}).ok());
  group.Restart(3);
  ASSERT_TRUE(group.core(3).recovering());
  group.Heal();
  group.Isolate(2);
  for (int round = 0; round < 30; ++round) {
    group.Tick(1, 1);
    group.Stabilize();
  }
  EXPECT_EQ(group.core(3).leader(), NodeId(1)) << "the wiped node follows the deposed leader";
  EXPECT_TRUE(group.core(3).recovering()) << "no target without a confirmed leadership";
  EXPECT_EQ(group.core(1).commit_index(), a) << "the deposed leader committed its stale tail";
  group.Heal();
  for (int round = 0; round < 40; ++round) {
    for (NodeId id : {1, 2, 3}) group.Tick(id, 1);
    group.Stabilize();
  }
  for (NodeId id : {1, 2, 3}) {
    EXPECT_FALSE(group.core(id).recovering()) << "node " << id;
    ASSERT_GE(group.node(id).log.LastIndex(), b) << "node " << id;
    EXPECT_EQ(group.node(id).log.At(b).payload, "b") << "node " << id;
  }
  // The new leader's heartbeats carried a commit capped at the match node 3 had before its wipe;
  // a recovering node commits only on appends, so it never applied the stale entry it held.
  for (const storage::LogEntry& entry : group.node(3).applied) {
    EXPECT_NE(entry.payload, "stale") << "node 3 applied a stale entry at " << entry.index;
  }
}

}  // namespace
}  // namespace raftmq::raft::test
