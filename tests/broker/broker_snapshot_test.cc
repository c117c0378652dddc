// BrokerStateMachine snapshots: save on one node, restore into a fresh data dir whose
// CommitLog was reset to the snapshot, then both apply the same entries alike; restarts, a
// damaged snapshot, crashes mid-restore.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "broker/broker_snapshot_files.h"
#include "broker/broker_state_machine.h"
#include "broker/entry_kind.h"
#include "broker/names.h"
#include "raft/entry_kind.h"
#include "storage/fault_fs.h"
#include "storage/message_record.h"
#include "tests/broker/broker_node_state.h"
#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

// One node's storage and state machine over a real CommitLog, as BrokerComponents builds them.
struct Node : testing::BrokerNodeState {
  explicit Node(const std::string& dir, storage::Fs* node_fs = storage::DefaultFs())
      : BrokerNodeState(dir,
                        {.segment_size_bytes = 4096, .flush_policy = storage::FlushPolicy::kSync,
                         .flush_interval_ms = 60'000},
                        {.fs = node_fs}) {}
  // Topics and every group's offsets, comparable across nodes.
  std::string DescribeMeta() const {
    std::string out;
    for (const auto& topic : topics->List()) out += topic.ShortDebugString() + "\n";
    auto listed = meta->ListAllConsumerOffsets();
    EXPECT_TRUE(listed.ok());
    for (const auto& [key, offset] : listed.value()) {
      out += key.group + "@" + key.topic + "/" + std::to_string(key.queue_id) + "=" + std::to_string(offset) + "\n";
    }
    auto pops = meta->ListAllPopStates();
    EXPECT_TRUE(pops.ok());
    for (const auto& [key, state] : pops.value()) {
      PopQueueState parsed;
      EXPECT_TRUE(parsed.ParseFromString(state));
      out += "pop " + key.group + "@" + key.topic + "/" + std::to_string(key.queue_id) + " " + parsed.ShortDebugString() + "\n";
    }
    return out;
  }
  // Every queue with a message: (min, max).
  std::map<std::string, std::pair<uint64_t, uint64_t>> QueueRanges() const {
    std::map<std::string, std::pair<uint64_t, uint64_t>> ranges;
    for (const auto& [id, queue] : queues->Queues()) {
      if (queue->MaxOffset() > 0) ranges[id.topic + "/" + std::to_string(id.queue_id)] = {queue->MinOffset(), queue->MaxOffset()};
    }
    return ranges;
  }
  std::string Describe() const {
    std::string out = DescribeMeta();
    for (const auto& [name, range] : QueueRanges()) {
      out += name + "[" + std::to_string(range.first) + "," + std::to_string(range.second) + ")\n";
    }
    return out + "applied " + std::to_string(machine->applied_index().value()) + " term " +
           std::to_string(machine->applied_term().value());
  }
  // The bodies of the messages at [from, max) of a queue, read through the CommitLog.
  std::vector<std::string> Bodies(const std::string& topic, uint32_t queue_id, uint64_t from) const {
    std::vector<std::string> bodies;
    const storage::ConsumeQueue* queue = queues->Find(topic, queue_id);
    if (queue == nullptr) return bodies;
    auto entries = queue->Read(from, 64);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    for (const storage::ConsumeQueueEntry& entry : entries.value()) {
      auto bytes = log->ReadAt(entry.commit_log_position, entry.size);
      EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
      bodies.push_back(storage::DecodeMessageRecord(*bytes, 0)->body);
    }
    return bodies;
  }
};

std::string Messages(std::string_view topic, uint32_t queue_id, int count, const std::string& body) {
  std::vector<storage::Message> messages(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    messages[static_cast<size_t>(i)].topic = std::string(topic);
    messages[static_cast<size_t>(i)].queue_id = queue_id;
    messages[static_cast<size_t>(i)].body = body + "-" + std::to_string(i);
  }
  return *storage::EncodeMessageBatch(messages);
}

std::string CreateTopic(const std::string& name, int32_t queue_nums) {
  BrokerCommand command;
  auto* topic = command.mutable_create_topic()->mutable_topic();
  topic->set_name(name);
  topic->set_read_queue_nums(queue_nums);
  topic->set_write_queue_nums(queue_nums);
  topic->set_perm(kPermReadWrite);
  return command.SerializeAsString();
}

std::string Commit(std::string_view group, std::string_view topic, int32_t queue_id, int64_t offset) {
  BrokerCommand command;
  auto* commit = command.mutable_commit_offsets()->add_commits();
  commit->set_consumer_group(std::string(group));
  commit->set_topic(std::string(topic));
  commit->set_queue_id(queue_id);
  commit->set_offset(offset);
  return command.SerializeAsString();
}

// Two messages of orders/1 popped by group "poppers", in flight until `deadline_ms`.
std::string Pop(int64_t deadline_ms) {
  BrokerCommand command;
  PopCommand* pop = command.mutable_pop();
  pop->set_consumer_group("poppers");
  pop->set_topic("orders");
  pop->set_queue_id(1);
  pop->set_expected_pop_offset(-1);  // the group's first pop of the queue
  pop->add_offsets(0);
  pop->add_offsets(1);
  pop->set_next_pop_offset(2);
  pop->set_deadline_ms(deadline_ms);
  return command.SerializeAsString();
}

// Topics, messages in several queues, offsets of two groups, delayed messages and the delay
// scheduler's progress, a deleted topic, a pop state with messages in flight.
void BuildState(Node* node) {
  node->Apply(raft::kNoopEntry, "", Term(1));
  node->Apply(kBrokerCommandEntry, CreateTopic("orders", 4), Term(1));
  node->Apply(kBrokerCommandEntry, CreateTopic("audit", 2), Term(1));
  node->Apply(kMessageBatchEntry, Messages("orders", 0, 3, "o0"), Term(1));
  node->Apply(kMessageBatchEntry, Messages("orders", 1, 2, "o1"), Term(2));
  node->Apply(kMessageBatchEntry, Messages("audit", 1, 4, "a1"), Term(2));
  node->Apply(kMessageBatchEntry, Messages(kScheduleTopic, 2, 2, "delayed"), Term(2));
  node->Apply(kBrokerCommandEntry, Commit("readers", "orders", 0, 2), Term(2));
  node->Apply(kBrokerCommandEntry, Commit("auditors", "audit", 1, 4), Term(2));
  node->Apply(kBrokerCommandEntry, Commit(kScheduleGroup, kScheduleTopic, 2, 1), Term(3));
  EXPECT_TRUE(node->Apply(kBrokerCommandEntry, Pop(60'000), Term(3)).status.ok());
  node->Apply(kBrokerCommandEntry, CreateTopic("gone", 1), Term(3));
  BrokerCommand remove;
  remove.mutable_delete_topic()->set_name("gone");
  node->Apply(kBrokerCommandEntry, remove.SerializeAsString(), Term(3));
  node->Apply(kMessageBatchEntry, Messages("orders", 0, 1, "o0-late"), Term(3));
}

class BrokerSnapshotRestore : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = std::make_unique<Node>(dir_.Sub("source"));
    ASSERT_TRUE(source_->machine->Recover(Index(0)).ok());
    BuildState(source_.get());
    std::filesystem::create_directories(snapshot_dir_);
    Result<Index> saved = source_->machine->SaveSnapshot(snapshot_dir_);
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    ASSERT_EQ(*saved, source_->machine->applied_index());
    snapshot_ = storage::SnapshotMeta{.index = *saved, .term = source_->machine->applied_term()};
    ASSERT_EQ(snapshot_.term, Term(3));
    ASSERT_NE(source_->DescribeMeta().find("pop poppers@orders/1"), std::string::npos) << source_->DescribeMeta();
    EXPECT_TRUE(source_->machine->SaveSnapshot(snapshot_dir_).status().IsInvalidArgument())
        << "a directory that already holds a snapshot is refused, not appended to";
  }
  // A new node on an empty data dir, started as any node starts, then its log reset to the
  // snapshot (what a follower installing it does first).
  std::unique_ptr<Node> StartResetNode(const std::string& name, storage::Fs* fs = storage::DefaultFs()) {
    auto node = std::make_unique<Node>(dir_.Sub(name), fs);
    EXPECT_TRUE(node->machine->Recover(Index(0)).ok());
    EXPECT_TRUE(node->log->ResetToSnapshot(snapshot_).ok());
    return node;
  }
  void ExpectRestoredFromSource(const Node& target) {
    EXPECT_EQ(target.DescribeMeta(), source_->DescribeMeta()) << "topics, offsets and pop states";
    EXPECT_EQ(*target.meta->LoadRetainedFrom(), snapshot_.index + 1) << "the reset log starts after the snapshot";
    EXPECT_FALSE(target.meta->LoadRestoring()->has_value());
    EXPECT_EQ(target.machine->applied_index(), snapshot_.index);
    EXPECT_EQ(target.machine->applied_term(), snapshot_.term);
    std::map<std::string, std::pair<uint64_t, uint64_t>> expected;
    for (const auto& [name, range] : source_->QueueRanges()) expected[name] = {range.second, range.second};
    EXPECT_EQ(target.QueueRanges(), expected) << "each queue starts empty at the source's max offset";
  }

  test_support::TempDir dir_;
  std::string snapshot_dir_ = dir_.Sub("snapshot");
  std::unique_ptr<Node> source_;
  storage::SnapshotMeta snapshot_;
};

TEST_F(BrokerSnapshotRestore, RestoredNodeMatchesTheSourceAndBothApplyFurtherEntriesAlike) {
  std::unique_ptr<Node> target = StartResetNode("target");
  // Rows the target held before: the restore replaces them, leaving none behind.
  storage::MetaWriteBatch stale = target->meta->NewBatch();
  ASSERT_TRUE(stale.PutPopState({"stale", "orders", 3}, PopQueueState().SerializeAsString()).ok());
  ASSERT_TRUE(stale.PutRetainedFrom(Index(2)).ok());
  ASSERT_TRUE(stale.PutQueueSize({"stale", 0, 9}).ok());
  ASSERT_TRUE(target->meta->Write(std::move(stale)).ok());
  Status restored = target->machine->RestoreSnapshot(snapshot_dir_, snapshot_);
  ASSERT_TRUE(restored.ok()) << restored.ToString();
  ExpectRestoredFromSource(*target);
  EXPECT_EQ(**target->offsets->Query(std::string(kScheduleGroup), std::string(kScheduleTopic), 2), 1)
      << "the delay scheduler's progress came along";
  ASSERT_TRUE(target->topics->Find("orders").has_value()) << "the topic cache was reloaded";
  EXPECT_FALSE(target->topics->Find("gone").has_value());

  const std::vector<std::pair<storage::EntryKind, std::string>> further = {
      {kMessageBatchEntry, Messages("orders", 0, 2, "after")},
      {kMessageBatchEntry, Messages(kScheduleTopic, 2, 1, "delayed-after")},
      {kBrokerCommandEntry, CreateTopic("fresh", 1)},
      {kMessageBatchEntry, Messages("fresh", 0, 1, "fresh")},
      {kBrokerCommandEntry, Commit("readers", "orders", 0, 5)},
  };
  for (const auto& [kind, payload] : further) {
    AppliedEntry at_source = source_->Apply(kind, payload, Term(4));
    AppliedEntry at_target = target->Apply(kind, payload, Term(4));
    EXPECT_EQ(at_target.queue_offsets, at_source.queue_offsets);
    EXPECT_EQ(at_target.status.error_code(), at_source.status.error_code());
  }
  EXPECT_EQ(target->Bodies("orders", 0, 4), (std::vector<std::string>{"after-0", "after-1"}));
  EXPECT_EQ(target->Bodies("orders", 0, 4), source_->Bodies("orders", 0, 4));
  EXPECT_EQ(target->Bodies("fresh", 0, 0), (std::vector<std::string>{"fresh-0"}));
  EXPECT_EQ(target->DescribeMeta(), source_->DescribeMeta());
  EXPECT_EQ(target->machine->applied_index(), source_->machine->applied_index());

  // Restart the restored node: it comes back at the same state and serves the same messages.
  const std::string before = target->Describe();
  ASSERT_TRUE(target->dispatcher->Close().ok());
  const Index last = target->log->LastIndex();
  target.reset();
  target = std::make_unique<Node>(dir_.Sub("target"));
  ASSERT_TRUE(target->machine->Recover(last).ok());
  EXPECT_EQ(target->log->FirstIndex(), snapshot_.index + 1);
  EXPECT_EQ(target->Describe(), before);
  EXPECT_EQ(target->Bodies("orders", 0, 4), (std::vector<std::string>{"after-0", "after-1"}));
}

TEST_F(BrokerSnapshotRestore, RestartRightAfterTheRestoreComesBackAtTheSnapshot) {
  std::unique_ptr<Node> target = StartResetNode("target");
  ASSERT_TRUE(target->machine->RestoreSnapshot(snapshot_dir_, snapshot_).ok());
  const std::string before = target->Describe();
  target.reset();  // no final checkpoint: the restore's own writes must be enough
  target = std::make_unique<Node>(dir_.Sub("target"));
  ASSERT_TRUE(target->machine->Recover(snapshot_.index).ok());
  EXPECT_EQ(target->Describe(), before);
  ExpectRestoredFromSource(*target);
}

TEST_F(BrokerSnapshotRestore, ADamagedSnapshotIsRefusedNamingTheFileAndChangesNothing) {
  std::unique_ptr<Node> target = StartResetNode("target");
  const std::string before = target->Describe();
  const std::string state = snapshot_dir_ + "/" + std::string(kBrokerSnapshotStateFileName);
  const std::string manifest = snapshot_dir_ + "/" + std::string(kBrokerSnapshotManifestFileName);
  auto flip_byte = [](const std::string& path, std::streamoff offset) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(offset);
    char c = 0;
    file.get(c);
    file.seekp(offset);
    file.put(static_cast<char>(c ^ 0x20));
  };
  auto expect_refused = [&](const std::string& named) {
    Status status = target->machine->RestoreSnapshot(snapshot_dir_, snapshot_);
    EXPECT_TRUE(status.IsCorruption()) << status.ToString();
    EXPECT_NE(status.ToString().find(named), std::string::npos) << status.ToString();
    EXPECT_EQ(target->Describe(), before) << "a refused snapshot changes nothing";
  };

  flip_byte(state, 5);
  expect_refused(state);
  flip_byte(state, 5);  // sound again
  std::filesystem::resize_file(state, std::filesystem::file_size(state) - 1);
  expect_refused(state);
  std::filesystem::remove(state);
  expect_refused(state);
  flip_byte(manifest, 6);
  expect_refused(manifest);
}

TEST_F(BrokerSnapshotRestore, RefusesASnapshotThatIsNotTheOneTheLogWasResetTo) {
  std::unique_ptr<Node> target = StartResetNode("target");
  const std::string before = target->Describe();
  storage::SnapshotMeta other = snapshot_;
  other.term = Term(9);
  EXPECT_TRUE(target->machine->RestoreSnapshot(snapshot_dir_, other).IsInvalidArgument());
  auto unreset = std::make_unique<Node>(dir_.Sub("unreset"));
  ASSERT_TRUE(unreset->machine->Recover(Index(0)).ok());
  Status status = unreset->machine->RestoreSnapshot(snapshot_dir_, snapshot_);
  EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_EQ(target->Describe(), before);
}

// The log was reset, then the node died before the restore began: its state is older than
// its log's start, so it refuses to start and says how to recover.
TEST_F(BrokerSnapshotRestore, ANodeWhoseLogWasResetButNotRestoredRefusesToStartNamingTheRecoveryStep) {
  StartResetNode("target").reset();
  Node target(dir_.Sub("target"));
  Status status = target.machine->Recover(snapshot_.index);
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  EXPECT_NE(status.ToString().find("delete its whole data directory"), std::string::npos) << status.ToString();
}

// Crashes the restore at each sync of the queues' reset in turn (the MetaStore batch is in):
// the next start finishes the restore from the MetaStore alone, without the snapshot's files.
TEST_F(BrokerSnapshotRestore, ACrashMidRestoreIsFinishedByTheNextStart) {
  bool crashed_once = false;
  for (uint64_t syncs_ok = 0;; ++syncs_ok) {
    SCOPED_TRACE("crash after " + std::to_string(syncs_ok) + " syncs of the restore");
    storage::FaultFs fs(storage::DefaultFs());
    const std::string name = "target" + std::to_string(syncs_ok);
    std::unique_ptr<Node> target = StartResetNode(name, &fs);
    fs.CrashAtSync(syncs_ok);
    if (target->machine->RestoreSnapshot(snapshot_dir_, snapshot_).ok()) break;
    crashed_once = true;
    {
      auto level = spdlog::default_logger()->level();
      spdlog::set_level(spdlog::level::off);  // the dying node's complaints are expected
      target.reset();
      spdlog::set_level(level);
    }
    fs.Restart();
    target = std::make_unique<Node>(dir_.Sub(name), &fs);
    Status recovered = target->machine->Recover(snapshot_.index);
    ASSERT_TRUE(recovered.ok()) << recovered.ToString();
    ExpectRestoredFromSource(*target);
    EXPECT_EQ(target->Apply(kMessageBatchEntry, Messages("orders", 0, 1, "x"), Term(4)).queue_offsets,
              (std::vector<int64_t>{4}));
  }
  EXPECT_TRUE(crashed_once);
}

}  // namespace
}  // namespace raftmq::broker
