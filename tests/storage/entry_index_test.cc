#include "storage/entry_index.h"

#include <gtest/gtest.h>

#include "storage/fault_fs.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

EntryLocation LocationOf(uint64_t index) {
  return EntryLocation{.payload_position = index * 100, .payload_size = static_cast<uint32_t>(index), .term = Term(index / 10)};
}

class EntryIndexTest : public ::testing::Test {
 protected:
  std::unique_ptr<EntryIndex> Open() {
    auto index = EntryIndex::Open(&fs_, EntryIndexOptions{.dir = dir_.path() + "/index", .entries_per_file = 8,
                                                          .buffer_bytes_max = 5 * EntryIndex::kRecordBytes});
    RMQ_ASSERT(index.ok());
    return std::move(index).value();
  }
  void AppendRange(EntryIndex& index, uint64_t from, uint64_t to) {
    for (uint64_t i = from; i <= to; ++i) ASSERT_TRUE(index.Append(Index(i), LocationOf(i)).ok());
  }
  void ExpectRange(const EntryIndex& index, uint64_t from, uint64_t to) {
    ASSERT_FALSE(index.Empty());
    EXPECT_EQ(Index(from), index.FirstIndex());
    EXPECT_EQ(Index(to), index.LastIndex());
    for (uint64_t i = from; i <= to; ++i) {
      auto location = index.Get(Index(i));
      ASSERT_TRUE(location.ok()) << i << ": " << location.status().ToString();
      EXPECT_EQ(LocationOf(i).payload_position, location->payload_position);
      EXPECT_EQ(LocationOf(i).term, location->term);
    }
    EXPECT_TRUE(index.Get(Index(to + 1)).status().IsNotFound());
  }

  TempDir dir_;
  FaultFs fs_{DefaultFs()};
};

TEST_F(EntryIndexTest, ServesBufferedAndWrittenRecordsAcrossFiles) {
  auto index = Open();
  EXPECT_TRUE(index->Empty());
  AppendRange(*index, 1, 30);
  ExpectRange(*index, 1, 30);
  ASSERT_TRUE(index->Sync().ok());
  auto reopened = (index.reset(), Open());
  ExpectRange(*reopened, 1, 30);
}

TEST_F(EntryIndexTest, MayStartAtAnyIndex) {
  auto index = Open();
  AppendRange(*index, 13, 20);
  ExpectRange(*index, 13, 20);
  EXPECT_TRUE(index->Get(Index(12)).status().IsNotFound());
}

TEST_F(EntryIndexTest, TruncateAfterCutsBufferFilesAndWholeFiles) {
  auto index = Open();
  AppendRange(*index, 1, 30);
  ASSERT_TRUE(index->TruncateAfter(Index(28)).ok());  // inside the buffer
  ExpectRange(*index, 1, 28);
  ASSERT_TRUE(index->TruncateAfter(Index(11)).ok());  // inside a written file, dropping two files
  ExpectRange(*index, 1, 11);
  AppendRange(*index, 12, 20);
  ExpectRange(*index, 1, 20);
  ASSERT_TRUE(index->Sync().ok());
  auto reopened = (index.reset(), Open());
  ExpectRange(*reopened, 1, 20);
  ASSERT_TRUE(reopened->TruncateAfter(Index(0)).ok());
  EXPECT_TRUE(reopened->Empty());
}

TEST_F(EntryIndexTest, TruncateBeforeDropsOnlyWholeOldFiles) {
  auto index = Open();
  AppendRange(*index, 1, 30);
  ASSERT_TRUE(index->TruncateBefore(Index(20)).ok());
  ExpectRange(*index, 17, 30);  // files start at 1, 9, 17, 25
}

TEST_F(EntryIndexTest, ReopenCutsATornTailRecord) {
  auto index = Open();
  AppendRange(*index, 1, 6);
  ASSERT_TRUE(index->Sync().ok());
  AppendRange(*index, 7, 7);
  ASSERT_TRUE(index->Flush().ok());
  index.reset();
  fs_.Crash({.unsynced_bytes_kept = EntryIndex::kRecordBytes / 2});
  fs_.Restart();
  auto reopened = Open();
  ExpectRange(*reopened, 1, 6);
}

TEST_F(EntryIndexTest, ReopenCutsCorruptRecordsOffTheLastFile) {
  auto index = Open();
  AppendRange(*index, 1, 3);
  ASSERT_TRUE(index->Sync().ok());
  index.reset();
  std::string path = dir_.path() + "/index/00000000000000000001";
  ASSERT_TRUE(fs_.Truncate(path, EntryIndex::kRecordBytes).ok());
  auto file = fs_.OpenAppendable(path);
  std::string bad(EntryIndex::kRecordBytes, 'z');
  ASSERT_TRUE((*file)->Append(bad).ok());
  ASSERT_TRUE((*file)->Append(bad).ok());
  auto reopened = Open();  // the last file's bad records are cut at open
  ExpectRange(*reopened, 1, 1);
}

}  // namespace
}  // namespace raftmq::storage
