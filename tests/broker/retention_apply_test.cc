// BrokerStateMachine applying DeleteLogBefore on a real CommitLog (1 KiB segments): what one
// node deletes, how any index is clamped the same way, and what a restart keeps.
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "broker/broker_state_machine.h"
#include "broker/entry_kind.h"
#include "raft/entry_kind.h"
#include "raft/snapshot_store.h"
#include "storage/message_record.h"
#include "tests/broker/broker_node_state.h"
#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

constexpr uint64_t kSegmentBytes = 1024;
const storage::ConfState kConfiguration{.voters = {1, 2, 3}};

std::string OneMessage(int number) {
  storage::Message message;
  message.topic = "orders";
  message.queue_id = 0;
  message.body = "m" + std::to_string(number) + std::string(200, 'x');
  std::vector<storage::Message> batch{message};
  return *storage::EncodeMessageBatch(batch);
}

std::string CreateOrders() {
  BrokerCommand command;
  auto* topic = command.mutable_create_topic()->mutable_topic();
  topic->set_name("orders");
  topic->set_read_queue_nums(1);
  topic->set_write_queue_nums(1);
  topic->set_perm(6);
  return command.SerializeAsString();
}

std::string DeleteLogBefore(uint64_t index) {
  BrokerCommand command;
  command.mutable_delete_log_before()->set_index(index);
  return command.SerializeAsString();
}

// One node's log and state on real files.
struct Node : testing::BrokerNodeState {
  explicit Node(const std::string& dir)
      : BrokerNodeState(dir, {.segment_size_bytes = kSegmentBytes}, {.queues = {.entries_per_file = 4}}) {}
  ~Node() { EXPECT_TRUE(dispatcher->Close().ok()); }

  // Appends an entry at the next index and applies it; every entry here applies with OK.
  void Apply(storage::EntryKind kind, std::string payload) {
    EXPECT_TRUE(BrokerNodeState::Apply(kind, std::move(payload), Term(1)).status.ok());
  }
  uint64_t MinOffset() const { return queues->Find("orders", 0)->MinOffset(); }
};

// Entries: 1 no-op, 2 the topic, 3..20 one message each (queue offset = index - 3).
void Fill(Node& node) {
  ASSERT_TRUE(node.machine->Recover(Index(0)).ok());
  node.Apply(raft::kNoopEntry, "");
  node.Apply(kBrokerCommandEntry, CreateOrders());
  for (int i = 0; i < 18; ++i) node.Apply(kMessageBatchEntry, OneMessage(i));
}

TEST(RetentionApply, DeletesWholeSegmentsBelowTheIndexAndRaisesTheQueueMinOffset) {
  test_support::TempDir dir;
  Node node(dir.path());
  Fill(node);
  ASSERT_GT(node.log->SegmentCount(), 4u);
  node.Apply(kBrokerCommandEntry, DeleteLogBefore(12));  // index 21
  const Index first = node.log->FirstIndex();
  EXPECT_GT(first, Index(1));
  EXPECT_LE(first, Index(12));
  EXPECT_EQ(node.MinOffset(), 12u - 3) << "the queue starts at the first message of the retained index";
  EXPECT_EQ(*node.meta->LoadRetainedFrom(), Index(12));
  EXPECT_GT(node.machine->retention_segments_deleted(), 0u);
  EXPECT_GT(node.machine->retention_bytes_deleted(), 0u);
}

TEST(RetentionApply, AnyIndexIsClampedToTheCommandsOwnAndNeverMovesBack) {
  test_support::TempDir dir;
  Node node(dir.path());
  Fill(node);
  node.Apply(kBrokerCommandEntry, DeleteLogBefore(UINT64_MAX));  // index 21: clamped to 21
  EXPECT_EQ(*node.meta->LoadRetainedFrom(), Index(21));
  EXPECT_LE(node.log->FirstIndex(), Index(21));
  EXPECT_EQ(node.log->LastIndex(), Index(21)) << "the newest segment with entries stays";
  const Index first = node.log->FirstIndex();
  const uint64_t deleted = node.machine->retention_segments_deleted();
  node.Apply(kBrokerCommandEntry, DeleteLogBefore(5));  // index 22: below what is retained
  node.Apply(kBrokerCommandEntry, DeleteLogBefore(0));
  EXPECT_EQ(*node.meta->LoadRetainedFrom(), Index(21));
  EXPECT_EQ(node.log->FirstIndex(), first);
  EXPECT_EQ(node.machine->retention_segments_deleted(), deleted);
}

TEST(RetentionApply, ARestartKeepsThePrefixRaisesMinOffsetsAgainAndDeletesNothingTwice) {
  test_support::TempDir dir;
  Index first;
  uint64_t min_offset = 0;
  {
    Node node(dir.path());
    Fill(node);
    node.Apply(kBrokerCommandEntry, DeleteLogBefore(12));
    node.Apply(kMessageBatchEntry, OneMessage(18));  // index 22
    first = node.log->FirstIndex();
    min_offset = node.MinOffset();
    ASSERT_GT(min_offset, 0u);
  }
  Node restarted(dir.path());
  ASSERT_TRUE(restarted.machine->Recover(Index(22)).ok());
  EXPECT_EQ(restarted.machine->applied_index(), Index(22));
  EXPECT_EQ(restarted.log->FirstIndex(), first);
  EXPECT_EQ(restarted.MinOffset(), min_offset);
  EXPECT_EQ(restarted.queues->Find("orders", 0)->MaxOffset(), 19u);
  EXPECT_EQ(restarted.machine->retention_segments_deleted(), 0u) << "the command applied once, before the restart";
  restarted.Apply(kMessageBatchEntry, OneMessage(19));
  EXPECT_EQ(restarted.queues->Find("orders", 0)->MaxOffset(), 20u);
}

// A node whose retention takes snapshots into its own store.
struct SnapshottingNode : Node {
  explicit SnapshottingNode(const std::string& dir)
      : Node(dir),
        store(std::move(raft::SnapshotStore::Open(storage::DefaultFs(), dir + "/snapshots", kConfiguration)).value()) {
    machine->SetSnapshotStore(store.get());
  }
  std::unique_ptr<raft::SnapshotStore> store;
};

// Copies the snapshot at `meta` from `from` into `to`, as a transfer and an adoption would.
void CopySnapshot(const raft::SnapshotStore& from, raft::SnapshotStore& to, const storage::SnapshotMeta& meta) {
  const std::string source = from.DirOf(meta).value();
  ASSERT_TRUE(to.Save(meta, [&](const std::string& dir) {
                  std::filesystem::copy(source, dir);
                  return Status::Ok();
                }).ok());
}

TEST(RetentionSnapshot, StandsBeforeTheRetainedIndexSoAFollowerRebuildsTheRetainedQueueFromTheLog) {
  test_support::TempDir dir;
  SnapshottingNode leader(dir.Sub("leader"));
  Fill(leader);
  leader.Apply(kBrokerCommandEntry, DeleteLogBefore(12));  // index 21
  const Index first = leader.log->FirstIndex();
  ASSERT_GT(first, Index(1));
  const storage::SnapshotMeta meta{Index(11), Term(1), kConfiguration};
  EXPECT_EQ(leader.store->Latest().value(), meta) << "at the retained index - 1, whose term the log still answers";
  EXPECT_EQ(leader.log->TermAt(meta.index).value(), meta.term);
  EXPECT_EQ(leader.machine->snapshots_taken(), 1u);
  leader.Apply(kMessageBatchEntry, OneMessage(18));  // index 22

  SnapshottingNode follower(dir.Sub("follower"));
  ASSERT_TRUE(follower.machine->Recover(Index(0)).ok());
  CopySnapshot(*leader.store, *follower.store, meta);
  ASSERT_TRUE(follower.log->ResetToSnapshot(meta).ok());
  ASSERT_TRUE(follower.machine->RestoreSnapshot(follower.store->DirOf(meta).value(), meta).ok());
  EXPECT_EQ(follower.MinOffset(), leader.MinOffset()) << "the queue starts where the leader's does";
  EXPECT_EQ(*follower.meta->LoadCommandApplied(), Index(21)) << "commands to the DeleteLogBefore are in the snapshot";

  // The leader's retained log after the snapshot, as Raft sends it.
  auto entries = leader.log->Entries(meta.index + 1, leader.log->LastIndex() + 1, UINT64_MAX);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  for (const storage::LogEntry& entry : *entries) {
    ASSERT_TRUE(follower.log->Append(std::span(&entry, 1)).ok());
    follower.BrokerNodeState::Apply(entry);
  }
  const storage::ConsumeQueue* mine = follower.queues->Find("orders", 0);
  const storage::ConsumeQueue* theirs = leader.queues->Find("orders", 0);
  EXPECT_EQ(mine->MinOffset(), theirs->MinOffset());
  EXPECT_EQ(mine->MaxOffset(), theirs->MaxOffset());
  EXPECT_EQ(follower.machine->applied_index(), leader.machine->applied_index());
  EXPECT_EQ(follower.machine->retention_segments_deleted(), 0u) << "the DeleteLogBefore replayed changes nothing";
}

TEST(RetentionSnapshot, AnInstallCutBetweenTheLogsResetAndTheRestoreIsFinishedAtTheNextStart) {
  test_support::TempDir dir;
  SnapshottingNode leader(dir.Sub("leader"));
  Fill(leader);
  leader.Apply(kBrokerCommandEntry, DeleteLogBefore(12));
  const storage::SnapshotMeta meta = leader.store->Latest().value().value();
  {
    SnapshottingNode follower(dir.Sub("follower"));
    ASSERT_TRUE(follower.machine->Recover(Index(0)).ok());
    CopySnapshot(*leader.store, *follower.store, meta);
    ASSERT_TRUE(follower.log->ResetToSnapshot(meta).ok());
  }  // the crash: the state was never restored
  SnapshottingNode restarted(dir.Sub("follower"));
  const Status recovered = restarted.machine->Recover(meta.index);
  ASSERT_TRUE(recovered.ok()) << recovered.ToString();
  EXPECT_EQ(restarted.machine->applied_index(), meta.index);
  EXPECT_EQ(restarted.MinOffset(), leader.MinOffset());
  EXPECT_EQ(restarted.queues->Find("orders", 0)->MaxOffset(), leader.MinOffset());
}

}  // namespace
}  // namespace raftmq::broker
