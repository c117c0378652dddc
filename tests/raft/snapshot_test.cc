// Snapshots (raft/core.h, "Snapshots"): the leader's side in Progress (kSnapshot) and when no
// snapshot covers a gap; the follower's side when its log already covers the snapshot; restarts
// on a log reset to a snapshot. The main paths (install, interrupted, stale, recovering) are
// pinned by tests/raft/scenarios/snapshot_*.txt.
#include <gtest/gtest.h>

#include "core_harness.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft::test {
namespace {

size_t SnapshotsSent(CoreHarness& group, NodeId leader) {
  size_t sent = 0;
  for (const Ready& ready : group.node(leader).readys) {
    for (const Message& message : ready.messages) sent += message.type == MessageType::kSnapshot ? 1 : 0;
  }
  return sent;
}

// Heartbeat rounds until nothing moves.
void Heartbeats(CoreHarness& group, NodeId leader, int rounds) {
  for (int round = 0; round < rounds; ++round) {
    group.Tick(leader, 1);
    group.Stabilize();
  }
}

TEST(ProgressSnapshot, WaitsOnThePendingSnapshotThenProbesAsTheDriverReports) {
  Progress progress(Index(4), 8, 1 << 20);
  ASSERT_TRUE(progress.MaybeUpdate(Index(3)));
  progress.BecomeSnapshot(Index(20));
  EXPECT_EQ(progress.state(), Progress::State::kSnapshot);
  EXPECT_EQ(progress.pending_snapshot(), Index(20));
  EXPECT_TRUE(progress.IsPaused());
  // A late rejection of an earlier append does not move it while the snapshot is out.
  EXPECT_FALSE(progress.MaybeDecreaseTo(Index(5), Index(3)));
  progress.OnHeartbeatResponse();
  EXPECT_TRUE(progress.IsPaused());

  // Delivered: probe right after the snapshot, once a heartbeat answer shows the follower.
  progress.SnapshotReported(/*delivered=*/true);
  EXPECT_EQ(progress.state(), Progress::State::kProbe);
  EXPECT_EQ(progress.next(), Index(21));
  EXPECT_EQ(progress.pending_snapshot(), Index(0));
  EXPECT_TRUE(progress.IsPaused());
  progress.OnHeartbeatResponse();
  EXPECT_FALSE(progress.IsPaused());

  // Failed: probe from match.
  progress.BecomeSnapshot(Index(20));
  progress.SnapshotReported(/*delivered=*/false);
  EXPECT_EQ(progress.next(), Index(4));
  EXPECT_EQ(progress.match(), Index(3));
}

// Retention ran ahead of snapshots: the leader cannot catch the follower up, so it sends
// nothing it cannot back (no snapshot that leaves a gap), keeps probing and counts it; a
// snapshot taken later covers the gap and the follower catches up.
TEST(CoreSnapshot, LeaderWithoutACoveringSnapshotKeepsProbingAndCountsIt) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  group.Propose(1, "a");
  group.Isolate(3);
  group.Propose(1, "b");
  group.Compact(1, Index(2));  // a snapshot at 3, the log from 2
  group.Propose(1, "c");
  const Index d = group.Propose(1, "d");
  group.node(1).log.CompactBelow(d);  // the log from 5: the snapshot at 3 leaves 4 out
  group.Heal();
  Heartbeats(group, 1, 3);
  EXPECT_EQ(SnapshotsSent(group, 1), 0u);
  EXPECT_GT(group.core(1).snapshots_unavailable(), 0u);
  EXPECT_LT(group.core(3).commit_index(), d);

  group.Compact(1, d);  // a snapshot at 5
  Heartbeats(group, 1, 2);
  EXPECT_EQ(SnapshotsSent(group, 1), 1u);
  EXPECT_EQ(group.core(3).commit_index(), d);
  EXPECT_EQ(group.node(3).restored_at, d);
  const Index e = group.Propose(1, "e");
  EXPECT_EQ(group.node(3).AppliedIndex(), e);
}

// The follower already holds the snapshot's entry (its commit lagged): etcd's restore fast
// forwards the commit and installs nothing; so does this.
TEST(CoreSnapshot, FollowerHoldingTheSnapshotEntryCommitsItWithoutInstalling) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  const Index a = group.Propose(1, "a");
  ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "b").ok());
  Index b;
  for (const Message& message : group.TakeOutbox()) {
    if (message.to != 3 || message.type != MessageType::kAppend) continue;
    group.Deliver(message);  // 3 holds b, its commit stays at a
    b = message.entries.back().index;
  }
  ASSERT_EQ(group.core(3).last_index(), b);
  ASSERT_EQ(group.core(3).commit_index(), a);
  const size_t readys_before = group.node(3).readys.size();
  group.Deliver(Message{.type = MessageType::kSnapshot, .from = 1, .to = 3, .term = Term(2), .log_index = b,
                        .log_term = Term(2), .commit = b});
  EXPECT_EQ(group.core(3).commit_index(), b);
  ASSERT_GT(group.node(3).readys.size(), readys_before);
  const Ready& ready = group.node(3).readys.back();
  EXPECT_FALSE(ready.snapshot.has_value());
  ASSERT_EQ(ready.messages_after_persist.size(), 1u);
  EXPECT_EQ(ready.messages_after_persist[0].type, MessageType::kAppendResponse);
  EXPECT_EQ(ready.messages_after_persist[0].log_index, b);
  EXPECT_FALSE(ready.messages_after_persist[0].reject);
}

TEST(CoreSnapshot, NodeRestartsOnALogResetToASnapshot) {
  sim::SimLogStore log;
  ASSERT_TRUE(log.ResetToSnapshot(storage::SnapshotMeta{.index = Index(40), .term = Term(3)}).ok());
  CoreOptions options = TestOptions();
  options.id = 1;
  options.voters = {1, 2, 3};
  const storage::HardState hard_state{.term = Term(3), .voted_for = 2, .commit = Index(40)};
  auto core = Core::Create(options, log, hard_state, Index(40), /*snapshots=*/nullptr);
  ASSERT_TRUE(core.ok()) << core.status().ToString();
  EXPECT_EQ((*core)->last_index(), Index(40));
  EXPECT_EQ((*core)->commit_index(), Index(40));
  EXPECT_EQ((*core)->applied_index(), Index(40));
  EXPECT_FALSE((*core)->recovering());
  // The state machine still stands before the snapshot (a crash between the log's reset and
  // its restore): the driver must finish the restore first.
  auto behind = Core::Create(options, log, hard_state, Index(12), /*snapshots=*/nullptr);
  EXPECT_TRUE(behind.status().IsCorruption()) << behind.status().ToString();
}

TEST(CoreSnapshot, ReportIsIgnoredUnlessTheFollowerWaitsOnASnapshot) {
  CoreHarness group(3, TestOptions());
  group.StartEstablished(Term(1));
  group.Elect(1);
  group.Propose(1, "a");
  group.core(1).ReportSnapshot(2, /*delivered=*/false);
  group.core(2).ReportSnapshot(3, /*delivered=*/true);
  for (const PeerStatus& peer : group.core(1).Peers()) {
    EXPECT_TRUE(peer.replicating) << "peer " << peer.id;
    EXPECT_EQ(peer.pending_snapshot, Index(0)) << "peer " << peer.id;
  }
  const Index b = group.Propose(1, "b");
  EXPECT_EQ(group.core(2).commit_index(), b);
  EXPECT_EQ(group.core(3).commit_index(), b);
}

}  // namespace
}  // namespace raftmq::raft::test
