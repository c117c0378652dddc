#include "storage/dispatcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "dispatch_checks.h"
#include "memory_commit_log.h"
#include "storage_test_util.h"
#include "storage/fault_fs.h"
#include "storage/message_record.h"
#include "tests/storage/entry_kinds.h"

namespace raftmq::storage {
namespace {

using testing::Batch;
using testing::ExpectQueuesMatch;
using testing::MemoryCommitLog;
using testing::kCommandKind;
using testing::kMessageBatchKind;
using testing::kNoopKind;

constexpr uint64_t kEntriesPerFile = 5;

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<MetaStore>> meta = MetaStore::Open(dir_.path() + "/meta");
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    meta_ = std::move(meta).value();
  }
  std::unique_ptr<ConsumeQueueStore> OpenQueues(Fs* fs, const std::string& root) {
    return testing::OpenedOrNull(ConsumeQueueStore::Open(fs, root, ConsumeQueueOptions{.entries_per_file = kEntriesPerFile}));
  }
  // A node's derived state over the fixture's MetaStore: queues under `root` on `fs` and a
  // Dispatcher over them, not yet recovered (`queues` null when they did not open).
  struct Node {
    std::unique_ptr<ConsumeQueueStore> queues;
    std::unique_ptr<Dispatcher> dispatcher;
  };
  Node OpenNode(Fs* fs, const std::string& root, DispatcherOptions options = {}) {
    options.message_batch_kind = kMessageBatchKind;
    Node node{OpenQueues(fs, root), nullptr};
    if (node.queues != nullptr) node.dispatcher = std::make_unique<Dispatcher>(node.queues.get(), meta_.get(), options);
    return node;
  }
  // A restart: recovers a new Dispatcher with the log committed up to `committed`; expects it
  // to reach `committed` with every queue matching the log.
  void RecoverAndExpectQueuesMatch(Index committed) {
    auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path());
    ASSERT_NE(queues, nullptr);
    ASSERT_TRUE(dispatcher->Recover(log_, committed).ok());
    EXPECT_EQ(dispatcher->applied_index(), committed);
    ExpectQueuesMatch(*queues, log_, committed);
  }
  Result<std::vector<uint64_t>> DispatchIndex(Dispatcher& dispatcher, Index index) {
    RMQ_ASSIGN_OR_RETURN(DispatchOutcome outcome, dispatcher.Dispatch(log_.At(index), *log_.Locate(index)));
    RMQ_RETURN_IF_ERROR(outcome.skipped);
    return outcome.queue_offsets;
  }
  Status DispatchAll(Dispatcher& dispatcher, Index last) {
    for (Index index = dispatcher.applied_index() + 1; index <= last; ++index) {
      RMQ_RETURN_IF_ERROR(DispatchIndex(dispatcher, index).status());
    }
    return Status::Ok();
  }

  // A node that dispatches log entries [1, last] on real files and stops (gracefully: a
  // final checkpoint, when `close`).
  void DispatchAndStop(Index last, bool close) {
    auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path(), {.checkpoint_interval_entries = 4});
    ASSERT_NE(queues, nullptr);
    ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
    ASSERT_TRUE(DispatchAll(*dispatcher, last).ok());
    if (close) {
      ASSERT_TRUE(dispatcher->Close().ok());
    }
  }

  TempDir dir_;
  std::unique_ptr<MetaStore> meta_;
  MemoryCommitLog log_;
};

TEST_F(DispatcherTest, AssignsQueueOffsetsInIndexOrderAndReturnsThem) {
  log_.Add(kNoopKind, "");
  log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"a", 1}, {"a", 0}}));
  log_.Add(kCommandKind, "not a message batch");
  log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"b", 0}}));
  std::vector<std::tuple<std::string, uint32_t, uint64_t>> grown;
  DispatcherOptions options;
  options.on_queue_grown = [&](std::string_view topic, uint32_t queue_id, uint64_t max_offset) {
    grown.emplace_back(topic, queue_id, max_offset);
  };
  auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path(), options);
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());

  EXPECT_TRUE(DispatchIndex(*dispatcher, Index(1))->empty());
  EXPECT_EQ(*DispatchIndex(*dispatcher, Index(2)), (std::vector<uint64_t>{0, 0, 1}));
  EXPECT_TRUE(DispatchIndex(*dispatcher, Index(3))->empty());
  EXPECT_EQ(*DispatchIndex(*dispatcher, Index(4)), (std::vector<uint64_t>{2, 0}));
  EXPECT_EQ(dispatcher->applied_index(), Index(4));
  ExpectQueuesMatch(*queues, log_, Index(4));
  const std::vector<std::tuple<std::string, uint32_t, uint64_t>> expected_grown = {
      {"a", 0, 2}, {"a", 1, 1}, {"a", 0, 3}, {"b", 0, 1}};
  EXPECT_EQ(grown, expected_grown);
}

TEST_F(DispatcherTest, SkipsACorruptBatchWithoutTouchingAnyQueueAndGoesOn) {
  log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"b", 0}}) + "garbage-after-the-last-record");
  log_.Add(kMessageBatchKind, Batch({{"a", 0}}));
  auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path());
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
  EXPECT_TRUE(DispatchIndex(*dispatcher, Index(1)).status().IsCorruption());
  EXPECT_EQ(dispatcher->applied_index(), Index(1)) << "a skipped entry counts as applied";
  EXPECT_EQ(dispatcher->entries_skipped(), 1u);
  EXPECT_TRUE(queues->Queues().empty()) << "no queue is created for a batch that is skipped";
  EXPECT_EQ(*DispatchIndex(*dispatcher, Index(2)), (std::vector<uint64_t>{0}));
}

TEST_F(DispatcherTest, SkipsATopicThatIsNoSafeDirectoryName) {
  log_.Add(kMessageBatchKind, Batch({{"../escape", 0}}));
  auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path());
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
  EXPECT_TRUE(DispatchIndex(*dispatcher, Index(1)).status().IsInvalidArgument());
  EXPECT_TRUE(queues->Queues().empty());
  EXPECT_EQ(dispatcher->applied_index(), Index(1));
}

TEST_F(DispatcherTest, RecoverySkipsTheSameEntriesAndReachesTheCommitIndex) {
  log_.Add(kMessageBatchKind, Batch({{"a", 0}}));
  log_.Add(kMessageBatchKind, Batch({{std::string(kTopicNameBytesMax + 1, 't'), 0}}));
  log_.Add(kMessageBatchKind, Batch({{"a", 0}}));
  auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path());
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(3)).ok());
  EXPECT_EQ(dispatcher->applied_index(), Index(3));
  EXPECT_EQ(dispatcher->entries_skipped(), 1u);
  ASSERT_EQ(queues->Queues().size(), 1u);
  EXPECT_EQ(queues->Find("a", 0)->MaxOffset(), 2u);
}

TEST_F(DispatcherTest, CheckpointsEveryNEntriesAndOnClose) {
  for (int i = 0; i < 5; ++i) log_.Add(kMessageBatchKind, Batch({{"a", 0}}));
  auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path(), {.checkpoint_interval_entries = 3, .checkpoint_interval_ms = 3'600'000});
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(2)).ok());
  EXPECT_EQ(*meta_->LoadDispatchCheckpoint(), Index(0));
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(4)).ok());
  ASSERT_TRUE(dispatcher->WaitForCheckpoint().ok());  // it runs on the flusher thread
  EXPECT_EQ(*meta_->LoadDispatchCheckpoint(), Index(3));
  EXPECT_TRUE(queues->Find("a", 0)->HasUnsyncedData()) << "entry 4 is not covered by a checkpoint yet";
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(5)).ok());
  ASSERT_TRUE(dispatcher->Close().ok());
  EXPECT_EQ(*meta_->LoadDispatchCheckpoint(), Index(5));
  EXPECT_FALSE(queues->Find("a", 0)->HasUnsyncedData());
}

TEST_F(DispatcherTest, RecoverRedispatchesWhatFollowsTheCheckpointWithoutDuplicates) {
  for (int i = 0; i < 12; ++i) log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"b", uint32_t(i % 3)}}));
  DispatchAndStop(Index(10), /*close=*/false);  // queues hold 10
  // A checkpoint comes due at 4 and 8, or after 8 when the one at 4 was still in flight.
  ASSERT_GE(*meta_->LoadDispatchCheckpoint(), Index(4));
  ASSERT_LE(*meta_->LoadDispatchCheckpoint(), Index(10));
  RecoverAndExpectQueuesMatch(Index(12));
}

TEST_F(DispatcherTest, RecoverPullsBackACheckpointThatIsAheadOfTheLog) {
  for (int i = 0; i < 10; ++i) log_.Add(kMessageBatchKind, Batch({{"a", uint32_t(i % 2)}}));
  DispatchAndStop(Index(10), /*close=*/true);
  log_.DropAfter(Index(6));  // the CommitLog lost its unsynced tail; the checkpoint says 10
  auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path());
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(10)).ok());
  EXPECT_EQ(dispatcher->applied_index(), Index(6));
  ExpectQueuesMatch(*queues, log_, Index(6));

  // Raft brings different entries back at 7..9; they land where the lost ones were.
  for (int i = 0; i < 3; ++i) log_.Add(kMessageBatchKind, Batch({{"a", 1}, {"c", 0}}));
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(9)).ok());
  ExpectQueuesMatch(*queues, log_, Index(9));
}

TEST_F(DispatcherTest, CheckpointRecordsEveryQueueSizeWithTheAppliedIndex) {
  for (int i = 0; i < 6; ++i) log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"b", uint32_t(i % 2)}}));
  auto [queues, dispatcher] = OpenNode(DefaultFs(), dir_.path());
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(6)).ok());
  ASSERT_TRUE(dispatcher->Close().ok());
  EXPECT_EQ(*meta_->LoadDispatchCheckpoint(), Index(6));
  const std::vector<QueueSize> expected = {{"a", 0, 6}, {"b", 0, 3}, {"b", 1, 3}};
  EXPECT_EQ(*meta_->ListQueueSizes(), expected);
}

// Issue 9 case 5: derived files lost while the node was down must not go unnoticed.
TEST_F(DispatcherTest, RecoverRebuildsQueuesThatAreMissingOrCutFromTheLog) {
  for (int i = 0; i < 12; ++i) log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"b", uint32_t(i % 3)}}));
  DispatchAndStop(Index(10), /*close=*/true);
  std::filesystem::remove_all(dir_.path() + "/consumequeue/a");                             // 10 entries, 2 files
  std::filesystem::resize_file(dir_.path() + "/consumequeue/b/1/00000000000000000000", 20);  // 3 entries cut to 1
  RecoverAndExpectQueuesMatch(Index(12));
}

TEST_F(DispatcherTest, AFailedBackgroundCheckpointStopsDispatchingAndRecordsNothing) {
  for (int i = 0; i < 20; ++i) log_.Add(kMessageBatchKind, Batch({{"a", 0}}));
  FaultFs fs(DefaultFs());
  auto [queues, dispatcher] = OpenNode(&fs, dir_.path(), {.checkpoint_interval_entries = 2});
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(1)).ok());  // creates the queue (and syncs its directories)
  fs.InjectSyncErrors(1);
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(2)).ok());  // hands the checkpoint at 2 to the flusher
  EXPECT_TRUE(dispatcher->WaitForCheckpoint().IsIoError());
  EXPECT_EQ(*meta_->LoadDispatchCheckpoint(), Index(0));
  EXPECT_TRUE(DispatchIndex(*dispatcher, Index(3)).status().IsIoError());
  EXPECT_TRUE(dispatcher->Close().IsIoError());
  EXPECT_EQ(*meta_->LoadDispatchCheckpoint(), Index(0));
}

// A full disk in the middle of an entry whose messages go to two queues: the first queue's
// append is taken back, the entry is not applied, and once space returns the same entry is
// dispatched again with each message in exactly one slot.
TEST_F(DispatcherTest, AnEntryRefusedForLackOfSpaceIsDispatchedWholeOnceSpaceReturns) {
  log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"b", 0}}));
  log_.Add(kMessageBatchKind, Batch({{"a", 0}, {"a", 0}, {"b", 0}}));
  FaultFs fs(DefaultFs());
  auto [queues, dispatcher] = OpenNode(&fs, dir_.path());
  ASSERT_NE(queues, nullptr);
  ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
  ASSERT_TRUE(DispatchAll(*dispatcher, Index(1)).ok());
  fs.SetAppendBudgetBytes(2 * 20);  // queue a's two entries fit, queue b's does not
  EXPECT_TRUE(DispatchIndex(*dispatcher, Index(2)).status().IsNoSpace());
  EXPECT_EQ(dispatcher->applied_index(), Index(1));
  EXPECT_TRUE(DispatchIndex(*dispatcher, Index(2)).status().IsNoSpace()) << "refused alike while full";
  fs.SetAppendBudgetBytes(std::nullopt);
  EXPECT_EQ(*DispatchIndex(*dispatcher, Index(2)), (std::vector<uint64_t>{1, 2, 1}));
  ExpectQueuesMatch(*queues, log_, Index(2));
}

// The crash test: dispatch a random log with random checkpoint intervals, tear an append or
// fail a sync somewhere, crash (dropping unsynced queue data, keeping a random part of it),
// maybe lose the latest checkpoint, recover, and check every queue slot by slot.
TEST_F(DispatcherTest, EveryCommittedMessageIsInExactlyOneSlotAfterRandomCrashes) {
  constexpr int kRounds = 20;
  constexpr int kEntries = 40;
  const std::vector<std::string> topics = {"orders", "payments", "audit"};
  for (int round = 0; round < kRounds; ++round) {
    const uint32_t seed = 1000 + round;
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 random(seed);
    MemoryCommitLog log;
    for (int i = 0; i < kEntries; ++i) {
      if (random() % 5 == 0) {
        log.Add(kCommandKind, "command");
        continue;
      }
      std::vector<std::pair<std::string, uint32_t>> targets(1 + random() % 4);
      for (auto& target : targets) target = {topics[random() % topics.size()], random() % 3};
      log.Add(kMessageBatchKind, Batch(targets));
    }
    log_ = log;
    const std::string root = dir_.path() + "/round" + std::to_string(round);
    testing::ResetDispatchState(meta_.get());
    FaultFs fs(DefaultFs());

    const Index crash_at(random() % (kEntries + 1));
    const Index fault_at(1 + random() % kEntries);
    const int fault = random() % 3;  // 0: none, 1: torn append, 2: failed sync
    Index dispatched;
    {
      auto [queues, dispatcher] = OpenNode(&fs, root, {.checkpoint_interval_entries = 1 + random() % 10});
      ASSERT_NE(queues, nullptr);
      ASSERT_TRUE(dispatcher->Recover(log_, Index(0)).ok());
      for (Index index(1); index <= crash_at; ++index) {
        if (index == fault_at && fault == 1) fs.InjectTornAppend(random() % 30);
        if (index == fault_at && fault == 2) fs.InjectSyncErrors(1);
        if (!DispatchIndex(*dispatcher, index).ok()) break;
        dispatched = index;
      }
      fs.Crash(FaultFs::CrashOptions{.unsynced_bytes_kept = random() % 50});
    }
    fs.Restart();  // the crashed objects are gone; the machine boots
    // A sync error injected for the run that crashed stays unused when the checkpoint that
    // would have met it was still in flight on the flusher: it belongs to that run.
    fs.InjectSyncErrors(0);
    const Index checkpoint = *meta_->LoadDispatchCheckpoint();
    ASSERT_LE(checkpoint, dispatched);
    if (random() % 3 == 0) {  // the buffered checkpoint batch was lost: an older one survives
      const Index older_index(random() % (checkpoint.value() + 1));
      MetaWriteBatch older = meta_->NewBatch();
      ASSERT_TRUE(older.PutDispatchCheckpoint(older_index).ok());
      const auto sizes = testing::Expected(log_, older_index);
      const std::vector<QueueSize> recorded_sizes = *meta_->ListQueueSizes();
      for (const QueueSize& recorded : recorded_sizes) {
        const auto it = sizes.find(QueueId{recorded.topic, recorded.queue_id});
        const uint64_t size = it == sizes.end() ? 0 : it->second.size();
        ASSERT_TRUE(older.PutQueueSize(QueueSize{recorded.topic, recorded.queue_id, size}).ok());
      }
      ASSERT_TRUE(meta_->Write(std::move(older)).ok());
    }
    const Index committed(dispatched.value() + random() % (kEntries - dispatched.value() + 1));
    auto [queues, dispatcher] = OpenNode(&fs, root);
    ASSERT_NE(queues, nullptr);
    Status recovered = dispatcher->Recover(log_, committed);
    ASSERT_TRUE(recovered.ok()) << recovered.ToString();
    ASSERT_EQ(dispatcher->applied_index(), committed);
    ExpectQueuesMatch(*queues, log_, committed);
    ASSERT_TRUE(DispatchAll(*dispatcher, Index(kEntries)).ok());
    ExpectQueuesMatch(*queues, log_, Index(kEntries));
  }
}

}  // namespace
}  // namespace raftmq::storage
