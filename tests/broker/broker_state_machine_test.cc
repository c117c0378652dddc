#include "broker/broker_state_machine.h"

#include <memory>

#include <gtest/gtest.h>

#include "broker/entry_kind.h"
#include "storage/message_record.h"
#include "tests/broker/broker_node_state.h"
#include "tests/storage/memory_commit_log.h"
#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

// The state a node builds from its log: everything BrokerStateMachine writes, on real files.
struct NodeState : testing::BrokerNodeState {
  NodeState(const std::string& dir, const storage::CommitLogReader* reader) : BrokerNodeState(dir, reader) {}
  // A comparable picture: topics, the group's offsets, every queue's max offset.
  std::string Describe() const {
    std::string out;
    for (const auto& topic : topics->List()) out += topic.ShortDebugString() + "\n";
    auto listed = offsets->List("g");
    EXPECT_TRUE(listed.ok());
    for (const auto& offset : listed.value()) {
      out += offset.topic + "/" + std::to_string(offset.queue_id) + "=" + std::to_string(offset.offset) + "\n";
    }
    for (const auto& [id, queue] : queues->Queues()) {
      out += id.topic + ":" + std::to_string(id.queue_id) + "<" + std::to_string(queue->MaxOffset()) + "\n";
    }
    return out;
  }
};

std::string Messages(const std::string& topic, uint32_t queue_id, int count) {
  std::vector<storage::Message> messages(static_cast<size_t>(count));
  for (auto& message : messages) {
    message.topic = topic;
    message.queue_id = queue_id;
    message.body = "hello";
  }
  return *storage::EncodeMessageBatch(messages);
}

std::string CreateTopic(const std::string& name, bool if_absent = false) {
  BrokerCommand command;
  auto* topic = command.mutable_create_topic()->mutable_topic();
  topic->set_name(name);
  topic->set_read_queue_nums(4);
  topic->set_write_queue_nums(4);
  topic->set_perm(kPermReadWrite);
  command.mutable_create_topic()->set_if_absent(if_absent);
  return command.SerializeAsString();
}

std::string Commit(const std::string& topic, int32_t queue_id, int64_t offset) {
  BrokerCommand command;
  auto* commit = command.mutable_commit_offsets()->add_commits();
  commit->set_consumer_group("g");
  commit->set_topic(topic);
  commit->set_queue_id(queue_id);
  commit->set_offset(offset);
  return command.SerializeAsString();
}

std::string UpdateTopic(const std::string& name, int32_t queue_nums) {
  BrokerCommand command;
  auto* topic = command.mutable_update_topic()->mutable_topic();
  topic->set_name(name);
  topic->set_read_queue_nums(queue_nums);
  topic->set_write_queue_nums(queue_nums);
  topic->set_perm(kPermReadWrite);
  return command.SerializeAsString();
}

std::string DeleteTopic(const std::string& name) {
  BrokerCommand command;
  command.mutable_delete_topic()->set_name(name);
  return command.SerializeAsString();
}

// A log mixing every entry kind, including commands that fail.
void FillLog(storage::testing::MemoryCommitLog* log) {
  log->Add(raft::kNoopEntry, "");
  log->Add(kBrokerCommandEntry, CreateTopic("orders"));
  log->Add(kMessageBatchEntry, Messages("orders", 0, 3));
  log->Add(kMessageBatchEntry, Messages("orders", 1, 2));
  log->Add(kBrokerCommandEntry, CreateTopic("orders"));  // ALREADY_EXISTS
  log->Add(kBrokerCommandEntry, Commit("orders", 0, 2));
  log->Add(kBrokerCommandEntry, CreateTopic("gone"));
  log->Add(kBrokerCommandEntry, DeleteTopic("gone"));
  log->Add(kMessageBatchEntry, Messages("orders", 0, 1));
  log->Add(kBrokerCommandEntry, Commit("orders", 0, 4));
}

TEST(BrokerStateMachine, AssignsQueueOffsetsAtApplyAndAnswersCommandOutcomes) {
  test_support::TempDir dir;
  storage::testing::MemoryCommitLog log;
  FillLog(&log);
  NodeState node(dir.path(), &log);
  ASSERT_TRUE(node.machine->Recover(Index(0)).ok());
  std::vector<AppliedEntry> results;
  for (Index i(1); i <= log.LastIndex(); ++i) results.push_back(node.Apply(log.At(i)));
  EXPECT_EQ(results[2].queue_offsets, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(results[4].status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(results[6].topic.name(), "gone");
  EXPECT_EQ(results[8].queue_offsets, (std::vector<int64_t>{3}));
  EXPECT_EQ(node.machine->applied_index(), log.LastIndex());
  EXPECT_EQ(**node.offsets->Query("g", "orders", 0), 4);
  EXPECT_FALSE(node.topics->Find("gone").has_value());
}

TEST(BrokerStateMachine, TwoNodesApplyingTheSameLogReachIdenticalState) {
  test_support::TempDir dir;
  storage::testing::MemoryCommitLog log;
  FillLog(&log);
  NodeState first(dir.Sub("a"), &log);
  NodeState second(dir.Sub("b"), &log);
  for (NodeState* node : {&first, &second}) {
    ASSERT_TRUE(node->machine->Recover(Index(0)).ok());
    for (Index i(1); i <= log.LastIndex(); ++i) node->Apply(log.At(i));
  }
  EXPECT_FALSE(first.Describe().empty());
  EXPECT_EQ(first.Describe(), second.Describe());
}

TEST(BrokerStateMachine, RestartReplaysTheCommittedEntriesAfterTheCheckpoint) {
  test_support::TempDir dir;
  storage::testing::MemoryCommitLog log;
  FillLog(&log);
  NodeState reference(dir.Sub("reference"), &log);
  ASSERT_TRUE(reference.machine->Recover(Index(0)).ok());
  for (Index i(1); i <= log.LastIndex(); ++i) reference.Apply(log.At(i));
  {
    // Applies half the log, checkpoints, and dies before applying the rest: the entries
    // after the checkpoint (commands and messages) are committed but their effects lost.
    NodeState node(dir.Sub("node"), &log);
    ASSERT_TRUE(node.machine->Recover(Index(0)).ok());
    for (Index i(1); i <= Index(5); ++i) node.Apply(log.At(i));
    ASSERT_TRUE(node.dispatcher->Checkpoint().ok());
  }
  NodeState restarted(dir.Sub("node"), &log);
  ASSERT_TRUE(restarted.machine->Recover(log.LastIndex()).ok());
  EXPECT_EQ(restarted.machine->applied_index(), log.LastIndex());
  EXPECT_EQ(restarted.machine->applied_term(), Term(1));
  EXPECT_EQ(restarted.Describe(), reference.Describe());
}

TEST(BrokerStateMachine, ReplayOverStateThatAlreadyHoldsTheSuffixEndsInTheSameState) {
  test_support::TempDir dir;
  storage::testing::MemoryCommitLog log;
  FillLog(&log);
  std::string before;
  {
    NodeState node(dir.path(), &log);
    ASSERT_TRUE(node.machine->Recover(Index(0)).ok());
    for (Index i(1); i <= Index(1); ++i) node.Apply(log.At(i));
    ASSERT_TRUE(node.dispatcher->Checkpoint().ok());
    for (Index i(2); i <= log.LastIndex(); ++i) node.Apply(log.At(i));
    before = node.Describe();
  }
  NodeState restarted(dir.path(), &log);
  ASSERT_TRUE(restarted.machine->Recover(log.LastIndex()).ok());
  EXPECT_EQ(restarted.Describe(), before);
}

// An update refused as NOT_FOUND, then the create, inside one checkpoint window: replaying
// both over the stored state would let the update succeed and end with its 8 queues.
TEST(BrokerStateMachine, ReplayAfterACrashAppliesEachCommandOnceAndEndsInTheSameTopicConfig) {
  test_support::TempDir dir;
  storage::testing::MemoryCommitLog log;
  log.Add(raft::kNoopEntry, "");
  log.Add(kBrokerCommandEntry, UpdateTopic("orders", 8));  // NOT_FOUND
  log.Add(kBrokerCommandEntry, CreateTopic("orders"));     // 4 queues
  log.Add(kMessageBatchEntry, Messages("orders", 0, 2));
  std::string before;
  {
    NodeState node(dir.path(), &log);
    ASSERT_TRUE(node.machine->Recover(Index(0)).ok());
    node.Apply(log.At(Index(1)));
    ASSERT_TRUE(node.dispatcher->Checkpoint().ok());
    EXPECT_EQ(node.Apply(log.At(Index(2))).status.error_code(), grpc::StatusCode::NOT_FOUND);
    for (Index i(3); i <= log.LastIndex(); ++i) node.Apply(log.At(i));
    before = node.Describe();
    ASSERT_EQ(node.topics->Find("orders")->read_queue_nums(), 4);
  }  // dies without a checkpoint past entry 1
  NodeState restarted(dir.path(), &log);
  ASSERT_TRUE(restarted.machine->Recover(log.LastIndex()).ok());
  EXPECT_EQ(restarted.topics->Find("orders")->read_queue_nums(), 4);
  EXPECT_EQ(restarted.Describe(), before);
  EXPECT_EQ(restarted.machine->applied_index(), log.LastIndex());
}

// Entries no leader proposes since requests are checked first, but which a bug or a forged
// entry could commit: each is skipped on every node alike, and the log goes on.
void FillLogWithUnappliableEntries(storage::testing::MemoryCommitLog* log) {
  log->Add(raft::kNoopEntry, "");
  log->Add(kBrokerCommandEntry, CreateTopic("orders"));
  log->Add(kBrokerCommandEntry, std::string("\xff\xff\xff", 3));        // does not parse
  log->Add(kBrokerCommandEntry, BrokerCommand().SerializeAsString());   // empty command
  log->Add(kBrokerCommandEntry, CreateTopic("%RETRY%" + std::string(125, 'g')));  // 132 characters
  log->Add(kMessageBatchEntry, Messages("%RETRY%" + std::string(125, 'g'), 0, 2));
  log->Add(kMessageBatchEntry, Messages("orders", 0, 1) + "trailing garbage");
  log->Add(kMessageBatchEntry, Messages("orders", 0, 2));
  log->Add(kBrokerCommandEntry, Commit("orders", 0, 1));
}
constexpr uint64_t kUnappliableEntries = 5;
constexpr uint64_t kUnappliableBatches = 2;

TEST(BrokerStateMachine, SkipsUnappliableEntriesIdenticallyOnEveryNodeAndGoesOn) {
  test_support::TempDir dir;
  storage::testing::MemoryCommitLog log;
  FillLogWithUnappliableEntries(&log);
  NodeState first(dir.Sub("a"), &log);
  NodeState second(dir.Sub("b"), &log);
  for (NodeState* node : {&first, &second}) {
    ASSERT_TRUE(node->machine->Recover(Index(0)).ok());
    std::vector<AppliedEntry> results;
    for (Index i(1); i <= log.LastIndex(); ++i) results.push_back(node->Apply(log.At(i)));
    for (size_t skipped : {2, 3, 4, 5, 6}) {
      EXPECT_EQ(results[skipped].status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << skipped;
      EXPECT_NE(results[skipped].status.error_message().find("entry " + std::to_string(skipped + 1)), std::string::npos)
          << results[skipped].status.error_message();
    }
    EXPECT_EQ(results[7].queue_offsets, (std::vector<int64_t>{0, 1})) << "the skipped batches took no offsets";
    EXPECT_EQ(node->machine->applied_index(), log.LastIndex());
    EXPECT_EQ(node->machine->entries_skipped(), kUnappliableEntries);
    EXPECT_EQ(node->topics->Count(), 1u);
    EXPECT_EQ(**node->offsets->Query("g", "orders", 0), 1);
  }
  EXPECT_EQ(first.Describe(), second.Describe());
}

TEST(BrokerStateMachine, RestartReplaysPastUnappliableEntries) {
  test_support::TempDir dir;
  storage::testing::MemoryCommitLog log;
  FillLogWithUnappliableEntries(&log);
  std::string before;
  {
    NodeState node(dir.path(), &log);
    ASSERT_TRUE(node.machine->Recover(Index(0)).ok());
    node.Apply(log.At(Index(1)));
    ASSERT_TRUE(node.dispatcher->Checkpoint().ok());
    for (Index i(2); i <= log.LastIndex(); ++i) node.Apply(log.At(i));
    before = node.Describe();
  }
  NodeState restarted(dir.path(), &log);
  ASSERT_TRUE(restarted.machine->Recover(log.LastIndex()).ok());
  EXPECT_EQ(restarted.machine->applied_index(), log.LastIndex());
  EXPECT_EQ(restarted.machine->entries_skipped(), kUnappliableBatches)
      << "recovery skipped the batches again; the skipped commands are not replayed (their index is stored)";
  EXPECT_EQ(restarted.Describe(), before);
}

}  // namespace
}  // namespace raftmq::broker
