#include "storage/meta_store.h"

#include <gtest/gtest.h>

#include <memory>

#include "storage_test_util.h"
#include "tests/support/log_capture.h"

namespace raftmq::storage {
namespace {

std::unique_ptr<MetaStore> OpenOrDie(const std::string& dir) {
  Result<std::unique_ptr<MetaStore>> store = MetaStore::Open(dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

TEST(MetaStore, FreshStoreAnswersZeroHardStateAndNoCheckpoint) {
  TempDir dir;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  Result<HardState> state = store->LoadHardState();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, HardState{});
  Result<Index> checkpoint = store->LoadDispatchCheckpoint();
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, Index(0));
  EXPECT_TRUE(store->LoadConsumerOffset({"g", "t", 0}).status().IsNotFound());
  EXPECT_TRUE(store->LoadTopic("t").status().IsNotFound());
}

// RocksDB lists the directory of a new store before it creates it; an error line from that
// would make every fresh node's log cry wolf.
TEST(MetaStore, OpeningAFreshStoreLogsNoWarningOrError) {
  TempDir dir;
  test_support::LogCapture capture;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path() + "/meta");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->SaveHardState(HardState{Term(1), 0, Index(0)}).ok());
  store.reset();
  EXPECT_TRUE(capture.LinesAtLeast(spdlog::level::warn).empty()) << capture.Text();
}

TEST(MetaStore, TheConfigurationRecordSurvivesReopenAndItsCodecRefusesCutBytes) {
  TempDir dir;
  const ConfRecord record{Index(17), ConfState{.voters = {1, 2, 4}, .learners = {5}, .addresses = {{5, "node5:9876"}}}};
  {
    std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    Result<std::optional<ConfRecord>> fresh = store->LoadConfRecord();
    ASSERT_TRUE(fresh.ok());
    EXPECT_FALSE(fresh->has_value());
    ASSERT_TRUE(store->SaveConfRecord(ConfRecord{Index(3), ConfState{.voters = {1}}}).ok());
    ASSERT_TRUE(store->SaveConfRecord(record).ok());
  }
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  Result<std::optional<ConfRecord>> loaded = store->LoadConfRecord();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, record);
  const std::string bytes = EncodeConfRecord(record);
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_TRUE(DecodeConfRecord(bytes.substr(0, size)).status().IsCorruption()) << size;
  }
  EXPECT_TRUE(DecodeConfRecord(bytes + "x").status().IsCorruption());
}

TEST(MetaStore, EverythingSurvivesReopen) {
  TempDir dir;
  const HardState state{Term(7), 3, Index(42)};
  {
    std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->SaveHardState(state).ok());
    ASSERT_TRUE(store->SaveConsumerOffset({"group", "orders", 2}, 1234).ok());
    MetaWriteBatch batch = store->NewBatch();
    ASSERT_TRUE(batch.PutTopic("orders", "config-bytes").ok());
    ASSERT_TRUE(batch.PutDispatchCheckpoint(Index(40)).ok());
    EXPECT_EQ(batch.Count(), 2u);
    ASSERT_TRUE(store->Write(std::move(batch), Durability::kSync).ok());
  }
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->LoadHardState(), state);
  EXPECT_EQ(*store->LoadConsumerOffset({"group", "orders", 2}), 1234u);
  EXPECT_EQ(*store->LoadTopic("orders"), "config-bytes");
  EXPECT_EQ(*store->LoadDispatchCheckpoint(), Index(40));
}

TEST(MetaStore, ListsOffsetsOfOneGroupOnlyInTopicThenQueueOrder) {
  TempDir dir;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  MetaWriteBatch batch = store->NewBatch();
  // Queue 256 sorts after queue 3 only if the id is stored big-endian.
  ASSERT_TRUE(batch.PutConsumerOffset({"g", "b", 256}, 5).ok());
  ASSERT_TRUE(batch.PutConsumerOffset({"g", "b", 3}, 4).ok());
  ASSERT_TRUE(batch.PutConsumerOffset({"g", "a", 0}, 1).ok());
  ASSERT_TRUE(batch.PutConsumerOffset({"g2", "a", 0}, 99).ok());  // "g" is a prefix of "g2"
  ASSERT_TRUE(batch.PutConsumerOffset({"f", "z", 0}, 98).ok());
  ASSERT_TRUE(store->Write(std::move(batch)).ok());

  Result<std::vector<ConsumerOffset>> offsets = store->ListConsumerOffsets("g");
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  const std::vector<ConsumerOffset> expected = {{"a", 0, 1}, {"b", 3, 4}, {"b", 256, 5}};
  EXPECT_EQ(*offsets, expected);
}

TEST(MetaStore, ListsEveryPopStateInGroupTopicQueueOrderWithItsBytes) {
  TempDir dir;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  MetaWriteBatch batch = store->NewBatch();
  ASSERT_TRUE(batch.PutPopState({"h", "a", 0}, "third").ok());
  ASSERT_TRUE(batch.PutPopState({"g", "b", 256}, std::string("sec\0nd", 7)).ok());
  ASSERT_TRUE(batch.PutPopState({"g", "b", 3}, "first").ok());
  ASSERT_TRUE(batch.PutConsumerOffset({"g", "b", 1}, 9).ok());  // another family: not listed
  ASSERT_TRUE(store->Write(std::move(batch)).ok());
  Result<std::vector<std::pair<ConsumerOffsetKey, std::string>>> states = store->ListAllPopStates();
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  const std::vector<std::pair<ConsumerOffsetKey, std::string>> expected = {
      {{"g", "b", 3}, "first"}, {{"g", "b", 256}, std::string("sec\0nd", 7)}, {{"h", "a", 0}, "third"}};
  EXPECT_EQ(*states, expected);
}

TEST(MetaStore, DeletesTopicsAndOffsets) {
  TempDir dir;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  MetaWriteBatch put = store->NewBatch();
  ASSERT_TRUE(put.PutTopic("a", "1").ok());
  ASSERT_TRUE(put.PutTopic("b", "2").ok());
  ASSERT_TRUE(put.PutConsumerOffset({"g", "a", 0}, 1).ok());
  ASSERT_TRUE(store->Write(std::move(put)).ok());
  MetaWriteBatch remove = store->NewBatch();
  ASSERT_TRUE(remove.DeleteTopic("a").ok());
  ASSERT_TRUE(remove.DeleteConsumerOffset({"g", "a", 0}).ok());
  ASSERT_TRUE(store->Write(std::move(remove)).ok());

  Result<std::vector<std::pair<std::string, std::string>>> topics = store->ListTopics();
  ASSERT_TRUE(topics.ok());
  const std::vector<std::pair<std::string, std::string>> expected = {{"b", "2"}};
  EXPECT_EQ(*topics, expected);
  EXPECT_TRUE(store->LoadConsumerOffset({"g", "a", 0}).status().IsNotFound());
}

TEST(MetaStore, AReplacingBatchLeavesOnlyItsOwnPutsAndKeepsTheHardState) {
  TempDir dir;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->SaveHardState(HardState{.term = Term(4), .voted_for = NodeId(2), .commit = Index(9)}).ok());
  MetaWriteBatch old = store->NewBatch();
  ASSERT_TRUE(old.PutTopic("old", "1").ok());
  ASSERT_TRUE(old.PutConsumerOffset({"g", "old", 0}, 1).ok());
  ASSERT_TRUE(old.PutQueueSize(QueueSize{"old", 0, 5}).ok());
  ASSERT_TRUE(old.PutDispatchCheckpoint(Index(9)).ok());
  ASSERT_TRUE(store->Write(std::move(old)).ok());

  Result<MetaWriteBatch> replacing = store->NewBatchReplacingBrokerState();
  ASSERT_TRUE(replacing.ok()) << replacing.status().ToString();
  ASSERT_TRUE(replacing->PutTopic("new", "2").ok());
  ASSERT_TRUE(replacing->PutConsumerOffset({"h", "new", 1}, 7).ok());
  ASSERT_TRUE(replacing->PutQueueSize(QueueSize{"new", 1, 8}).ok());
  ASSERT_TRUE(replacing->PutRestoring(Index(20)).ok());
  ASSERT_TRUE(store->Write(std::move(replacing).value()).ok());

  EXPECT_EQ(*store->ListTopics(), (std::vector<std::pair<std::string, std::string>>{{"new", "2"}}));
  Result<std::vector<std::pair<ConsumerOffsetKey, uint64_t>>> offsets = store->ListAllConsumerOffsets();
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(*offsets, (std::vector<std::pair<ConsumerOffsetKey, uint64_t>>{{{"h", "new", 1}, 7}}));
  EXPECT_EQ(*store->ListQueueSizes(), (std::vector<QueueSize>{{"new", 1, 8}}));
  EXPECT_EQ(*store->LoadDispatchCheckpoint(), Index(0)) << "not put again: gone with the rest";
  EXPECT_EQ(*store->LoadRestoring(), std::optional<Index>(Index(20)));
  EXPECT_EQ(store->LoadHardState()->term, Term(4)) << "the raft family is not broker state";

  MetaWriteBatch done = store->NewBatch();
  ASSERT_TRUE(done.DeleteRestoring().ok());
  ASSERT_TRUE(store->Write(std::move(done)).ok());
  EXPECT_EQ(*store->LoadRestoring(), std::nullopt);
}

TEST(MetaStore, RefusesNamesThatWouldBreakKeyPrefixes) {
  TempDir dir;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->SaveConsumerOffset({std::string("g\0x", 3), "t", 0}, 1).IsInvalidArgument());
  EXPECT_TRUE(store->SaveConsumerOffset({"", "t", 0}, 1).IsInvalidArgument());
  EXPECT_TRUE(store->ListConsumerOffsets("").status().IsInvalidArgument());
  EXPECT_TRUE(store->ListConsumerOffsets("g")->empty()) << "a refused write changes nothing";
}

TEST(MetaStore, SecondOpenOfTheSameDirectoryFails) {
  TempDir dir;
  std::unique_ptr<MetaStore> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  // A second open of the same directory hits RocksDB's LOCK file.
  Result<std::unique_ptr<MetaStore>> second = MetaStore::Open(dir.path());
  EXPECT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsIoError()) << second.status().ToString();
}

TEST(MetaCodec, ConsumerOffsetKeysRoundTripAndRejectGarbage) {
  const ConsumerOffsetKey key{"group", "topic", 0x01020304};
  Result<ConsumerOffsetKey> decoded = DecodeConsumerOffsetKey(EncodeConsumerOffsetKey(key));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, key);
  EXPECT_TRUE(DecodeConsumerOffsetKey("no-separator").status().IsCorruption());
  EXPECT_TRUE(DecodeConsumerOffsetKey(std::string("g\0t", 3)).status().IsCorruption());
  EXPECT_TRUE(DecodeHardState("short").status().IsCorruption());
  EXPECT_TRUE(DecodeUint64("1234567").status().IsCorruption());
}

}  // namespace
}  // namespace raftmq::storage
