// Replication: batching, the inflight window, flow control by uncommitted bytes, heartbeats'
// capped commit, commit only by counting current-term entries, truncation of a divergent
// tail, and the fast back-off over it.
#include <gtest/gtest.h>

#include "core_harness.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft::test {
namespace {

using storage::LogEntry;

size_t CountAppendsTo(const std::vector<Message>& messages, NodeId to) {
  size_t count = 0;
  for (const Message& m : messages) count += (m.type == MessageType::kAppend && m.to == to) ? 1 : 0;
  return count;
}

TEST(CoreReplication, ProposalsOfOneRoundGoOutInOneAppendPerFollower) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "m").ok());
  std::vector<Message> out = group.TakeOutbox();
  ASSERT_EQ(CountAppendsTo(out, 2), 1u);
  ASSERT_EQ(CountAppendsTo(out, 3), 1u);
  for (const Message& m : out) EXPECT_EQ(m.entries.size(), 10u);
}

TEST(CoreReplication, InflightWindowBoundsAppendsToASilentFollower) {
  CoreOptions options = TestOptions();
  options.inflight_appends_max = 2;
  options.append_entries_bytes_max = 1;  // one entry per append
  CoreHarness group(3, options);
  group.Elect(1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "m").ok());
  std::vector<Message> out = group.TakeOutbox();
  EXPECT_EQ(CountAppendsTo(out, 2), 2u);
  // One acknowledgement frees one slot: exactly one more append.
  Message ack{.type = MessageType::kAppendResponse, .from = 2, .to = 1, .term = Term(1), .log_index = Index(2)};
  group.core(1).Step(ack);
  out = group.TakeOutbox();
  ASSERT_EQ(CountAppendsTo(out, 2), 1u);
  for (const Message& m : out) {
    if (m.to == 2) {
      EXPECT_EQ(m.entries.front().index, Index(4));
    }
  }
}

TEST(CoreReplication, LeaderRefusesProposalsBeyondUncommittedBytesMax) {
  CoreOptions options = TestOptions();
  options.uncommitted_bytes_max = 10;
  CoreHarness group(3, options);
  group.Elect(1);
  group.Isolate(2);
  group.Isolate(3);
  ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "123456").ok());
  group.Stabilize();
  Result<Index> refused = group.core(1).Propose(kApplicationEntry, "123456");
  EXPECT_TRUE(refused.status().IsNoSpace()) << refused.status().ToString();
  group.Heal();
  group.Tick(1, 1);
  group.Stabilize();
  EXPECT_EQ(group.core(1).uncommitted_bytes(), 0u);
  EXPECT_TRUE(group.core(1).Propose(kApplicationEntry, "123456").ok());
}

TEST(CoreReplication, HeartbeatCarriesCommitCappedAtFollowersMatch) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  group.Isolate(3);
  ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "a").ok());
  ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "b").ok());
  group.Stabilize();
  ASSERT_EQ(group.core(1).commit_index(), Index(3));
  group.Tick(1, 1);
  for (const Message& m : group.TakeOutbox()) {
    if (m.type != MessageType::kHeartbeat) continue;
    EXPECT_EQ(m.commit, m.to == 3 ? Index(1) : Index(3)) << "to node " << m.to;
  }
}

void AppendToDisk(CoreHarness::Node& node, std::vector<LogEntry> entries, storage::HardState hard_state) {
  ASSERT_TRUE(node.log.Append(entries).ok());
  ASSERT_TRUE(node.log.Sync().ok());
  ASSERT_TRUE(node.hard_state.SaveHardState(hard_state).ok());
}

bool IsElectionMessage(const Message& m) {
  return m.type != MessageType::kAppend && m.type != MessageType::kHeartbeat &&
         m.type != MessageType::kAppendResponse && m.type != MessageType::kHeartbeatResponse;
}

TEST(CoreReplication, CommitsOnlyByCountingAnEntryOfTheCurrentTerm) {
  CoreHarness group(3, TestOptions());
  const storage::HardState term1{.term = Term(1), .commit = Index(1)};
  AppendToDisk(group.node(1), {{.index = Index(1), .term = Term(1)}, {.index = Index(2), .term = Term(1)}}, term1);
  AppendToDisk(group.node(2), {{.index = Index(1), .term = Term(1)}}, term1);
  AppendToDisk(group.node(3), {{.index = Index(1), .term = Term(1)}}, term1);
  for (NodeId id : {1, 2, 3}) group.Restart(id);
  group.core(1).Campaign();
  for (int round = 0; round < 10; ++round) {
    for (const Message& m : group.TakeOutbox()) {
      if (IsElectionMessage(m)) group.Deliver(m);
    }
  }
  ASSERT_EQ(group.core(1).role(), Role::kLeader);
  ASSERT_EQ(group.core(1).term(), Term(2));
  // A majority (1 and 2) now holds index 2, but it is of term 1: not committed by counting.
  group.core(1).Step({.type = MessageType::kAppendResponse, .from = 2, .to = 1, .term = Term(2), .log_index = Index(2)});
  group.Process();
  EXPECT_EQ(group.core(1).commit_index(), Index(1));
  // The term-2 no-op at index 3 commits, and index 2 with it.
  group.core(1).Step({.type = MessageType::kAppendResponse, .from = 2, .to = 1, .term = Term(2), .log_index = Index(3)});
  group.Process();
  EXPECT_EQ(group.core(1).commit_index(), Index(3));
}

// Node 1 leads term 1 but, cut off, appends entries nobody else gets; node 2 leads term 2.
void BuildDivergentTail(CoreHarness& group, int tail_entries) {
  group.Elect(1);
  group.Isolate(1);
  for (int i = 0; i < tail_entries; ++i) ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "old").ok());
  group.Stabilize();
  group.Elect(2);
  ASSERT_TRUE(group.core(2).Propose(kApplicationEntry, "new").ok());
  group.Stabilize();
  group.Heal();
  group.Tick(2, 1);
  group.Stabilize();
}

TEST(CoreReplication, FollowerTruncatesDivergentUncommittedTail) {
  CoreHarness group(3, NoLeaseOptions());
  BuildDivergentTail(group, 3);
  EXPECT_EQ(group.core(1).role(), Role::kFollower);
  bool truncated = false;
  for (const Ready& ready : group.node(1).readys) {
    if (!ready.truncate_after) continue;
    truncated = true;
    EXPECT_EQ(*ready.truncate_after, Index(1));
    EXPECT_EQ(ready.entries.front().index, Index(2));
    EXPECT_EQ(ready.entries.front().term, Term(2));
  }
  EXPECT_TRUE(truncated);
  ASSERT_EQ(group.node(1).log.LastIndex(), group.node(2).log.LastIndex());
  EXPECT_EQ(group.node(1).log.ChainHashAt(Index(3)), group.node(2).log.ChainHashAt(Index(3)));
  EXPECT_EQ(group.node(1).log.At(Index(3)).payload, "new");
}

// Node 1 holds 50 entries of term 1 nobody else has; nodes 2 and 3 went on with 60 entries
// of term 2, and node 3 leads term 3. One rejection must bring node 3 back to index 1.
TEST(CoreReplication, LeaderSkipsAWholeDivergentTermInOneRejection) {
  CoreHarness group(3, NoLeaseOptions());
  group.Elect(1);
  group.Isolate(1);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "old").ok());
  group.Stabilize();
  group.Elect(2);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(group.core(2).Propose(kApplicationEntry, "new").ok());
  group.Stabilize();
  group.Elect(3);
  group.Heal();
  group.Tick(3, 1);
  group.Stabilize();
  size_t rejections = 0;
  for (const Ready& ready : group.node(1).readys) {
    for (const Message& m : ready.messages_after_persist) {
      rejections += (m.type == MessageType::kAppendResponse && m.reject) ? 1 : 0;
    }
  }
  EXPECT_GE(rejections, 1u);
  EXPECT_LE(rejections, 2u) << "back-off went entry by entry";
  ASSERT_EQ(group.node(1).log.LastIndex(), group.node(3).log.LastIndex());
  EXPECT_EQ(group.node(1).log.ChainHashAt(Index(63)), group.node(3).log.ChainHashAt(Index(63)));
}

TEST(CoreReplication, ProposalsOfKindsRaftKeepsForItselfAreRefused) {
  CoreHarness group(1, TestOptions());
  group.Elect(1);
  const Index last = group.node(1).log.LastIndex();
  for (EntryKind kind : {EntryKind{0}, kNoopEntry, kMembershipEntry, EntryKind{kRaftReservedKindMin}, EntryKind{255}}) {
    Result<Index> refused = group.core(1).Propose(kind, "m");
    EXPECT_TRUE(refused.status().IsInvalidArgument()) << int(storage::KindByte(kind)) << ": " << refused.status().ToString();
  }
  EXPECT_TRUE(group.core(1).Propose(EntryKind{239}, "m").ok()) << "every other kind is the application's";
  Ready ready = group.core(1).TakeReady();
  ASSERT_EQ(ready.entries.size(), 1u) << "only the application's entry was appended";
  EXPECT_EQ(ready.entries[0].index, last + 1);
  EXPECT_EQ(ready.entries[0].kind, EntryKind{239}) << "stored as proposed";
}

TEST(CoreReplication, LeaderCountsOwnEntryOnlyOncePersisted) {
  CoreHarness group(1, TestOptions());
  group.Elect(1);
  Result<Index> index = group.core(1).Propose(kApplicationEntry, "m");
  ASSERT_TRUE(index.ok());
  Ready ready = group.core(1).TakeReady();
  EXPECT_TRUE(ready.committed_entries.empty()) << "committed before its own disk write";
  EXPECT_EQ(group.core(1).commit_index(), Index(1));
  ASSERT_TRUE(group.node(1).log.Append(ready.entries).ok());
  ASSERT_TRUE(group.node(1).log.Sync().ok());
  group.core(1).Advance();
  EXPECT_EQ(group.core(1).commit_index(), *index);
}

TEST(CoreReplication, RestartedNodeDoesNotReapplyWhatItApplied) {
  CoreHarness group(3, TestOptions());
  group.Elect(1);
  ASSERT_TRUE(group.core(1).Propose(kApplicationEntry, "m").ok());
  group.Stabilize();
  group.Tick(1, 1);
  group.Stabilize();
  ASSERT_EQ(group.node(2).applied.size(), 2u);
  group.Restart(2);
  group.Process();
  EXPECT_EQ(group.node(2).applied.size(), 2u);
  EXPECT_EQ(group.core(2).applied_index(), Index(2));
}

}  // namespace
}  // namespace raftmq::raft::test
