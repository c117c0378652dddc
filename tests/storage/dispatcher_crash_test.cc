// The Dispatcher and the real CommitLog crash together on one FaultFs: queue files and log
// segments both lose what was not synced, and the dispatch checkpoint (RocksDB, which this
// crash does not touch) may then be ahead of both.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "dispatch_checks.h"
#include "storage_test_util.h"
#include "storage/commit_log.h"
#include "storage/dispatcher.h"
#include "storage/fault_fs.h"
#include "tests/storage/entry_kinds.h"

namespace raftmq::storage {
namespace {

using testing::Batch;
using testing::ExpectQueuesMatch;
using testing::kCommandKind;
using testing::kMessageBatchKind;

constexpr int kRounds = 15;
constexpr uint64_t kEntries = 50;

std::vector<LogEntry> RandomEntries(std::mt19937& random) {
  const std::vector<std::string> topics = {"orders", "payments"};
  std::vector<LogEntry> entries;
  for (uint64_t i = 1; i <= kEntries; ++i) {
    LogEntry entry{Index(i), Term(1), kCommandKind, "command"};
    if (random() % 4 != 0) {
      std::vector<std::pair<std::string, uint32_t>> targets(1 + random() % 3);
      for (auto& target : targets) target = {topics[random() % topics.size()], random() % 2};
      entry.kind = kMessageBatchKind;
      entry.payload = Batch(targets);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

struct Node {
  std::unique_ptr<CommitLog> log;
  std::unique_ptr<ConsumeQueueStore> queues;
  std::unique_ptr<Dispatcher> dispatcher;
};

Node OpenNode(FaultFs& fs, const std::string& root, MetaStore* meta, uint64_t checkpoint_interval_entries) {
  Node node;
  // kSync with a long flush interval: the test, not a background thread, decides what is durable.
  Result<std::unique_ptr<CommitLog>> log = CommitLog::Open(
      &fs, CommitLogOptions{.dir = root + "/commitlog", .segment_size_bytes = 4096,
                            .flush_policy = FlushPolicy::kSync, .flush_interval_ms = 3'600'000});
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  if (!log.ok()) return node;
  node.log = std::move(log).value();
  Result<std::unique_ptr<ConsumeQueueStore>> queues =
      ConsumeQueueStore::Open(&fs, root, ConsumeQueueOptions{.entries_per_file = 4});
  EXPECT_TRUE(queues.ok()) << queues.status().ToString();
  if (!queues.ok()) return node;
  node.queues = std::move(queues).value();
  node.dispatcher = std::make_unique<Dispatcher>(
      node.queues.get(), meta, DispatcherOptions{.message_batch_kind = kMessageBatchKind, .checkpoint_interval_entries = checkpoint_interval_entries});
  return node;
}

Status DispatchUpTo(Node& node, Index last) {
  for (Index index = node.dispatcher->applied_index() + 1; index <= last; ++index) {
    RMQ_ASSIGN_OR_RETURN(std::vector<LogEntry> entry, node.log->Entries(index, index + 1, 0));
    RMQ_ASSIGN_OR_RETURN(EntryLocation location, node.log->Locate(index));
    RMQ_RETURN_IF_ERROR(node.dispatcher->Dispatch(entry.front(), location).status());
  }
  return Status::Ok();
}

TEST(DispatcherCrash, QueuesMatchTheCommittedLogAfterTheLogAndQueuesCrashTogether) {
  TempDir dir;
  Result<std::unique_ptr<MetaStore>> meta = MetaStore::Open(dir.path() + "/meta");
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  for (int round = 0; round < kRounds; ++round) {
    const uint32_t seed = 2000 + round;
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 random(seed);
    const std::vector<LogEntry> entries = RandomEntries(random);
    const std::string root = dir.path() + "/round" + std::to_string(round);
    testing::ResetDispatchState(meta->get());
    FaultFs fs(DefaultFs());

    const uint64_t synced = random() % (kEntries + 1);
    // Entries past `synced` may be dispatched too: committed by a majority that this node's
    // lost page cache was part of (async flush). Its checkpoint may then pass its log.
    const uint64_t dispatched = synced + random() % (kEntries - synced + 1);
    {
      Node node = OpenNode(fs, root, meta->get(), 1 + random() % 8);
      ASSERT_NE(node.dispatcher, nullptr);
      ASSERT_TRUE(node.dispatcher->Recover(*node.log, Index(0)).ok());
      ASSERT_TRUE(node.log->Append(std::span(entries).first(synced)).ok());
      ASSERT_TRUE(node.log->Sync().ok());
      ASSERT_TRUE(node.log->Append(std::span(entries).subspan(synced)).ok());
      ASSERT_TRUE(DispatchUpTo(node, Index(dispatched)).ok());
      fs.Crash(FaultFs::CrashOptions{.unsynced_bytes_kept = random() % 200});
    }
    fs.Restart();  // the crashed objects are gone; the machine boots
    Node node = OpenNode(fs, root, meta->get(), 1 + random() % 8);
    ASSERT_NE(node.dispatcher, nullptr);
    const Index last = node.log->LastIndex();
    ASSERT_GE(last, Index(synced)) << "the CommitLog lost synced entries";
    Status recovered = node.dispatcher->Recover(*node.log, last);
    ASSERT_TRUE(recovered.ok()) << recovered.ToString();
    ASSERT_EQ(node.dispatcher->applied_index(), last);
    ExpectQueuesMatch(*node.queues, *node.log, last);

    // Raft brings back what the log lost; dispatching it completes every queue.
    ASSERT_TRUE(node.log->Append(std::span(entries).subspan(last.value())).ok());
    ASSERT_TRUE(DispatchUpTo(node, Index(kEntries)).ok());
    ExpectQueuesMatch(*node.queues, *node.log, Index(kEntries));
  }
}

}  // namespace
}  // namespace raftmq::storage
