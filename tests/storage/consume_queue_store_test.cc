#include "storage/consume_queue_store.h"

#include <gtest/gtest.h>

#include <map>

#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

std::unique_ptr<ConsumeQueueStore> OpenOrDie(const std::string& root) {
  return testing::OpenedOrNull(ConsumeQueueStore::Open(DefaultFs(), root, ConsumeQueueOptions{.entries_per_file = 3}));
}

ConsumeQueueEntry At(uint64_t position) { return ConsumeQueueEntry{position, 10, 0}; }

TEST(ConsumeQueueStore, CreatesQueuesOnFirstUseAndFindsThemAfterReopen) {
  TempDir dir;
  {
    std::unique_ptr<ConsumeQueueStore> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->Find("orders", 0), nullptr);
    Result<ConsumeQueue*> queue = store->FindOrCreate("orders", 7);
    ASSERT_TRUE(queue.ok());
    ASSERT_TRUE((*queue)->Append(0, std::vector{At(100), At(200)}).ok());
    ASSERT_TRUE(store->FindOrCreate("audit", 0).ok());
    EXPECT_EQ(*store->FindOrCreate("orders", 7), *queue) << "the same queue, not a second one";
    ASSERT_TRUE(store->SyncAll().ok());
  }
  EXPECT_TRUE(DefaultFs()->Exists(dir.path() + "/consumequeue/orders/7/00000000000000000000"));
  std::unique_ptr<ConsumeQueueStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  const auto queues = store->Queues();
  ASSERT_EQ(queues.size(), 2u);
  EXPECT_EQ(queues[0].first, (QueueId{"audit", 0}));
  EXPECT_EQ(queues[1].first, (QueueId{"orders", 7}));
  ASSERT_NE(store->Find("orders", 7), nullptr);
  EXPECT_EQ(store->Find("orders", 7)->MaxOffset(), 2u);
}

TEST(ConsumeQueueStore, ResetAllStartsEveryQueueOverEmptyAtItsOffsetDurably) {
  TempDir dir;
  {
    std::unique_ptr<ConsumeQueueStore> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    ConsumeQueue* kept = *store->FindOrCreate("orders", 0);
    ConsumeQueue* dropped = *store->FindOrCreate("audit", 1);
    ASSERT_TRUE(kept->Append(0, std::vector{At(100), At(200)}).ok());
    ASSERT_TRUE(dropped->Append(0, std::vector{At(300)}).ok());
    ASSERT_TRUE(store->ResetAll({{QueueId{"orders", 0}, 7}, {QueueId{"fresh", 2}, 4}}).ok());
    EXPECT_EQ(kept->MinOffset(), 7u);
    EXPECT_EQ(kept->MaxOffset(), 7u);
    EXPECT_EQ(dropped->MaxOffset(), 0u) << "a queue the snapshot does not name starts over at 0";
    EXPECT_EQ(dropped, store->Find("audit", 1)) << "pointers handed out stay valid";
    ASSERT_NE(store->Find("fresh", 2), nullptr);
    EXPECT_EQ(store->Find("fresh", 2)->MinOffset(), 4u);
  }
  std::unique_ptr<ConsumeQueueStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  std::map<QueueId, std::pair<uint64_t, uint64_t>> ranges;
  for (const auto& [id, queue] : store->Queues()) ranges[id] = {queue->MinOffset(), queue->MaxOffset()};
  EXPECT_EQ(ranges, (std::map<QueueId, std::pair<uint64_t, uint64_t>>{
                        {QueueId{"audit", 1}, {0, 0}}, {QueueId{"fresh", 2}, {4, 4}}, {QueueId{"orders", 0}, {7, 7}}}));
}

// A store opened in a fresh temp dir, for the tests that do not reopen it.
class OpenedConsumeQueueStore : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(store_, nullptr); }

  TempDir dir_;
  std::unique_ptr<ConsumeQueueStore> store_ = OpenOrDie(dir_.path());
};

TEST_F(OpenedConsumeQueueStore, RefusesTopicsThatAreNoSafeDirectoryName) {
  for (const char* topic : {"", "..", "a/b", "a b", "tab\t"}) {
    EXPECT_TRUE(store_->FindOrCreate(topic, 0).status().IsInvalidArgument()) << topic;
  }
  EXPECT_TRUE(store_->FindOrCreate(std::string(kTopicNameBytesMax + 1, 'x'), 0).status().IsInvalidArgument());
  EXPECT_TRUE(store_->FindOrCreate(std::string(kTopicNameBytesMax, 'x'), 0).ok());
  EXPECT_TRUE(store_->FindOrCreate("%RETRY%group|a_b-c", 0).ok());
}

TEST_F(OpenedConsumeQueueStore, TruncateAllFromCutsEveryQueueAtTheSamePosition) {
  ConsumeQueue* a = *store_->FindOrCreate("a", 0);
  ConsumeQueue* b = *store_->FindOrCreate("b", 0);
  ASSERT_TRUE(a->Append(0, std::vector{At(10), At(30), At(50), At(70)}).ok());
  ASSERT_TRUE(b->Append(0, std::vector{At(20), At(40)}).ok());
  ASSERT_TRUE(store_->TruncateAllFrom(40).ok());
  EXPECT_EQ(a->MaxOffset(), 2u);
  EXPECT_EQ(b->MaxOffset(), 1u);
  ASSERT_TRUE(store_->TruncateAllFrom(0).ok());
  EXPECT_EQ(a->MaxOffset(), 0u);
  EXPECT_EQ(b->MaxOffset(), 0u);
}

TEST_F(OpenedConsumeQueueStore, DeleteBeforeRemovesOldFilesAndRaisesMinOffsetOfEveryQueue) {
  ConsumeQueue* a = *store_->FindOrCreate("a", 0);
  ConsumeQueue* b = *store_->FindOrCreate("b", 1);
  ASSERT_TRUE(a->Append(0, std::vector{At(0), At(10), At(20), At(30), At(40)}).ok());
  ASSERT_TRUE(b->Append(0, std::vector{At(5), At(15), At(25), At(35)}).ok());
  // Files of 3: a [0 10 20] [30 40], b [5 15 25] [35]. The log now starts at 30.
  Result<size_t> removed = store_->DeleteBefore(30);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(a->MinOffset(), 3u);
  EXPECT_EQ(b->MinOffset(), 3u);
  // Now at 40: no file goes (each is the last), but a starts at 40 and b holds nothing.
  EXPECT_EQ(*store_->DeleteBefore(40), 0u);
  EXPECT_EQ(a->MinOffset(), 4u);
  EXPECT_EQ(b->MinOffset(), 4u);
  EXPECT_EQ(b->MaxOffset(), 4u);
}

}  // namespace
}  // namespace raftmq::storage
