#include "storage/consume_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "storage_test_util.h"
#include "storage/consume_queue_format.h"
#include "storage/fault_fs.h"

namespace raftmq::storage {
namespace {

namespace format = consume_queue_format;

constexpr uint64_t kEntriesPerFile = 4;

// Entry `offset` of every test queue: positions grow with the offset, as in a real CommitLog.
ConsumeQueueEntry EntryAt(uint64_t offset) {
  return ConsumeQueueEntry{1000 + offset * 100, static_cast<uint32_t>(50 + offset % 7), TagHash("tag")};
}

std::vector<ConsumeQueueEntry> EntriesFrom(uint64_t first, size_t count) {
  std::vector<ConsumeQueueEntry> entries;
  for (uint64_t offset = first; offset < first + count; ++offset) entries.push_back(EntryAt(offset));
  return entries;
}

class ConsumeQueueTest : public ::testing::Test {
 protected:
  std::unique_ptr<ConsumeQueue> OpenQueue(Fs* fs, uint64_t entries_per_file = kEntriesPerFile) {
    Result<std::unique_ptr<ConsumeQueue>> queue =
        ConsumeQueue::Open(fs, dir_.path() + "/q", ConsumeQueueOptions{.entries_per_file = entries_per_file});
    EXPECT_TRUE(queue.ok()) << queue.status().ToString();
    return queue.ok() ? std::move(queue).value() : nullptr;
  }
  std::string FilePath(uint64_t first_offset) const {
    std::string name = std::to_string(first_offset);
    return dir_.path() + "/q" + "/" + std::string(format::kFileNameDigits - name.size(), '0') + name;
  }
  void ExpectHolds(const ConsumeQueue& queue, uint64_t min, uint64_t max) {
    EXPECT_EQ(queue.MinOffset(), min);
    EXPECT_EQ(queue.MaxOffset(), max);
    for (uint64_t offset = min; offset < max; ++offset) {
      Result<ConsumeQueueEntry> entry = queue.Get(offset);
      ASSERT_TRUE(entry.ok()) << "offset " << offset << ": " << entry.status().ToString();
      EXPECT_EQ(*entry, EntryAt(offset)) << "offset " << offset;
    }
    EXPECT_TRUE(queue.Get(max).status().IsNotFound());
  }

  TempDir dir_;
};

TEST_F(ConsumeQueueTest, AppendsAndReadsBackAcrossFiles) {
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(queue->MaxOffset(), 0u);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 3)).ok());
  ASSERT_TRUE(queue->Append(3, EntriesFrom(3, 7)).ok());  // crosses two file boundaries
  ExpectHolds(*queue, 0, 10);
  EXPECT_TRUE(DefaultFs()->Exists(FilePath(8)));

  Result<std::vector<ConsumeQueueEntry>> read = queue->Read(2, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, EntriesFrom(2, 8));
  EXPECT_TRUE(queue->Read(10, 5)->empty()) << "reading at MaxOffset finds nothing yet";
  EXPECT_TRUE(queue->Read(11, 5).status().IsNotFound());
}

TEST_F(ConsumeQueueTest, RefusesAnAppendAtAnyOffsetButTheNext) {
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 2)).ok());
  EXPECT_TRUE(queue->Append(1, EntriesFrom(1, 1)).IsInvalidArgument());
  EXPECT_TRUE(queue->Append(3, EntriesFrom(3, 1)).IsInvalidArgument());
  ExpectHolds(*queue, 0, 2);
}

TEST_F(ConsumeQueueTest, ReopenFindsEveryEntry) {
  {
    std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 9)).ok());
    ASSERT_TRUE(queue->Sync().ok());
  }
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ExpectHolds(*queue, 0, 9);
  ASSERT_TRUE(queue->Append(9, EntriesFrom(9, 1)).ok());
  ExpectHolds(*queue, 0, 10);
}

TEST_F(ConsumeQueueTest, TruncateFromRemovesLaterFilesAndAppendsGoOn) {
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 11)).ok());
  ASSERT_TRUE(queue->TruncateFrom(5).ok());
  ExpectHolds(*queue, 0, 5);
  EXPECT_FALSE(DefaultFs()->Exists(FilePath(8)));
  ASSERT_TRUE(queue->Append(5, EntriesFrom(5, 6)).ok());
  ExpectHolds(*queue, 0, 11);

  ASSERT_TRUE(queue->TruncateFrom(8).ok());  // exactly at a file boundary
  ASSERT_TRUE(queue->Append(8, EntriesFrom(8, 1)).ok());
  ExpectHolds(*queue, 0, 9);
  EXPECT_TRUE(queue->TruncateFrom(10).IsInvalidArgument());
}

TEST_F(ConsumeQueueTest, ResetToStartsEmptyAtTheOffsetAndKeepsItAcrossAReopen) {
  {
    std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 10)).ok());
    ASSERT_TRUE(queue->ResetTo(21).ok());
    ExpectHolds(*queue, 21, 21);
    Result<std::vector<ConsumeQueueEntry>> read = queue->Read(21, 8);
    ASSERT_TRUE(read.ok());
    EXPECT_TRUE(read->empty());
    EXPECT_TRUE(queue->Read(5, 1).status().IsNotFound()) << "the old entries are gone";
    EXPECT_FALSE(DefaultFs()->Exists(FilePath(0)));
    EXPECT_TRUE(queue->Append(20, EntriesFrom(20, 1)).IsInvalidArgument());
    ASSERT_TRUE(queue->Sync().ok());
  }
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ExpectHolds(*queue, 21, 21);
  ASSERT_TRUE(queue->Append(21, EntriesFrom(21, 6)).ok()) << "appends go on at the offset, across files";
  ExpectHolds(*queue, 21, 27);
  queue.reset();
  queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ExpectHolds(*queue, 21, 27);
}

TEST_F(ConsumeQueueTest, OpenCutsAPartialLastEntry) {
  {
    std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 6)).ok());
  }
  {
    Result<std::unique_ptr<WritableFile>> file = DefaultFs()->OpenAppendable(FilePath(4));
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append("torn-entry").ok());  // 10 of 20 bytes
  }
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ExpectHolds(*queue, 0, 6);
  EXPECT_EQ(*DefaultFs()->FileSize(FilePath(4)), 2 * format::kEntrySize);
  ASSERT_TRUE(queue->Append(6, EntriesFrom(6, 1)).ok());
  ExpectHolds(*queue, 0, 7);
}

TEST_F(ConsumeQueueTest, OpenCutsZeroFilledEntriesAndFilesAfterAGap) {
  {
    std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 5)).ok());
    Result<std::unique_ptr<WritableFile>> file = DefaultFs()->OpenAppendable(FilePath(4));
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(std::string(2 * format::kEntrySize, '\0')).ok());
    Result<std::unique_ptr<WritableFile>> stray = DefaultFs()->OpenAppendable(FilePath(12));  // 8 is missing
    ASSERT_TRUE(stray.ok());
    ASSERT_TRUE((*stray)->Append(std::string(format::kEntrySize, 'x')).ok());
  }
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ExpectHolds(*queue, 0, 5);
  EXPECT_FALSE(DefaultFs()->Exists(FilePath(12)));
}

TEST_F(ConsumeQueueTest, CrashKeepsOnlySyncedEntries) {
  FaultFs fs(DefaultFs());
  {
    std::unique_ptr<ConsumeQueue> queue = OpenQueue(&fs);
    ASSERT_NE(queue, nullptr);
    ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 6)).ok());
    ASSERT_TRUE(queue->Sync().ok());
    // 6 and 7 fill file 4, which is synced before file 8 starts; file 8 (8..10) is never
    // synced, nor is its creation.
    ASSERT_TRUE(queue->Append(6, EntriesFrom(6, 5)).ok());
    fs.Crash(FaultFs::CrashOptions{.unsynced_bytes_kept = 7});
  }
  fs.Restart();  // the crashed objects are gone; the machine boots
  {
    std::unique_ptr<ConsumeQueue> queue = OpenQueue(&fs);
    ASSERT_NE(queue, nullptr);
    ExpectHolds(*queue, 0, 8);
    EXPECT_FALSE(fs.Exists(FilePath(8)));
    ASSERT_TRUE(queue->Append(8, EntriesFrom(8, 1)).ok());
    ASSERT_TRUE(queue->Sync().ok());
    ASSERT_TRUE(queue->Append(9, EntriesFrom(9, 1)).ok());
    fs.Crash(FaultFs::CrashOptions{.unsynced_bytes_kept = 7});  // 7 bytes of entry 9 stay
  }
  fs.Restart();  // the crashed objects are gone; the machine boots
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(&fs);
  ASSERT_NE(queue, nullptr);
  ExpectHolds(*queue, 0, 9);
}

TEST_F(ConsumeQueueTest, TheAppendAfterATornOneCutsItsBytesAndGoesOn) {
  FaultFs fs(DefaultFs());
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(&fs);
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 2)).ok());
  fs.InjectTornAppend(5);
  EXPECT_FALSE(queue->Append(2, EntriesFrom(2, 1)).ok());
  EXPECT_EQ(queue->MaxOffset(), 2u) << "a failed append publishes nothing";
  ASSERT_TRUE(queue->Append(2, EntriesFrom(2, 3)).ok()) << "the 5 torn bytes were not cut";
  ExpectHolds(*queue, 0, 5);
  ASSERT_TRUE(queue->Sync().ok());
  queue.reset();
  std::unique_ptr<ConsumeQueue> reopened = OpenQueue(&fs);
  ASSERT_NE(reopened, nullptr);
  ExpectHolds(*reopened, 0, 5);
}

TEST_F(ConsumeQueueTest, AppendsRefusedForLackOfSpaceGoOnOnceSpaceReturns) {
  FaultFs fs(DefaultFs());
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(&fs);
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 2)).ok());
  fs.SetAppendBudgetBytes(0);
  EXPECT_TRUE(queue->Append(2, EntriesFrom(2, 1)).IsNoSpace());
  EXPECT_TRUE(queue->Append(2, EntriesFrom(2, 1)).IsNoSpace()) << "refused alike while the disk is full";
  fs.SetAppendBudgetBytes(std::nullopt);
  ASSERT_TRUE(queue->Append(2, EntriesFrom(2, 2)).ok());
  ExpectHolds(*queue, 0, 4);
}

TEST_F(ConsumeQueueTest, DeleteBeforeRemovesWholeFilesBelowThePositionAndRaisesMinOffset) {
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 10)).ok());
  // Files of 4 entries: [0, 4) [4, 8) [8, 10). The log now starts at entry 4's message.
  Result<size_t> removed = queue->DeleteBefore(EntryAt(4).commit_log_position);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1u);
  ExpectHolds(*queue, 4, 10);
  EXPECT_TRUE(queue->Get(3).status().IsNotFound());
  EXPECT_EQ(*queue->DeleteBefore(EntryAt(4).commit_log_position), 0u) << "idempotent";
  ExpectHolds(*queue, 4, 10);
}

TEST_F(ConsumeQueueTest, DeleteBeforeRaisesMinOffsetInsideAKeptFileAndAgainAfterAReopen) {
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 10)).ok());
  // Entry 6 lies inside file [4, 8): the file stays, entries 4 and 5 are out of range.
  EXPECT_EQ(*queue->DeleteBefore(EntryAt(6).commit_log_position), 1u);
  ExpectHolds(*queue, 6, 10);
  EXPECT_TRUE(queue->Read(5, 1).status().IsNotFound());
  queue.reset();
  queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(queue->MinOffset(), 4u) << "a reopened queue starts at its first file";
  EXPECT_EQ(*queue->DeleteBefore(EntryAt(6).commit_log_position), 0u);
  ExpectHolds(*queue, 6, 10);
}

TEST_F(ConsumeQueueTest, DeleteBeforePastEveryEntryEmptiesTheQueueButKeepsItsLastFileAndOffsets) {
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 10)).ok());
  EXPECT_EQ(*queue->DeleteBefore(UINT64_MAX), 2u) << "the last file always stays";
  EXPECT_EQ(queue->MinOffset(), 10u);
  EXPECT_EQ(queue->MaxOffset(), 10u);
  ASSERT_TRUE(queue->Append(10, EntriesFrom(10, 1)).ok()) << "the queue goes on at its max offset";
  ExpectHolds(*queue, 10, 11);
}

TEST_F(ConsumeQueueTest, FindsTheFirstOffsetAtOrAfterAPosition) {
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs());
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(*queue->FirstOffsetAtOrAfter(0), 0u);
  ASSERT_TRUE(queue->Append(0, EntriesFrom(0, 10)).ok());
  EXPECT_EQ(*queue->FirstOffsetAtOrAfter(0), 0u);
  EXPECT_EQ(*queue->FirstOffsetAtOrAfter(EntryAt(6).commit_log_position), 6u);
  EXPECT_EQ(*queue->FirstOffsetAtOrAfter(EntryAt(6).commit_log_position + 1), 7u);
  EXPECT_EQ(*queue->FirstOffsetAtOrAfter(UINT64_MAX), 10u);
}

TEST_F(ConsumeQueueTest, ReadersSeeOnlyCompleteEntriesWhileTheWriterAppends) {
  // 40 file rolls (each one fsyncs): enough to race readers against new files and retention.
  std::unique_ptr<ConsumeQueue> queue = OpenQueue(DefaultFs(), 50);
  ASSERT_NE(queue, nullptr);
  constexpr uint64_t kTotal = 2000;
  std::atomic<bool> done = false;
  std::atomic<uint64_t> mismatches = 0;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        const uint64_t max = queue->MaxOffset();
        if (max == 0) continue;
        Result<ConsumeQueueEntry> last = queue->Get(max - 1);
        if (!last.ok() || *last != EntryAt(max - 1)) mismatches.fetch_add(1);
        // Retention may raise MinOffset between the two calls: NotFound is fine, a wrong
        // entry is not.
        const uint64_t min = queue->MinOffset();
        Result<std::vector<ConsumeQueueEntry>> batch = queue->Read(min, 16);
        if (batch.ok() ? (batch->empty() || batch->front() != EntryAt(min)) : !batch.status().IsNotFound()) {
          mismatches.fetch_add(1);
        }
      }
    });
  }
  for (uint64_t offset = 0; offset < kTotal; offset += 5) {
    ASSERT_TRUE(queue->Append(offset, EntriesFrom(offset, 5)).ok());
    if (offset % 400 == 0) {
      ASSERT_TRUE(queue->DeleteBefore(EntryAt(offset / 2).commit_log_position).ok());
    }
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(mismatches.load(), 0u);
  EXPECT_EQ(queue->MaxOffset(), kTotal);
}

TEST(TagHash, IsFnv1a64AndKeepsZeroForNoTag) {
  EXPECT_EQ(TagHash(""), 0u);
  EXPECT_EQ(TagHash("a"), 0xaf63dc4c8601ec8cull);  // published FNV-1a 64 test vector
  EXPECT_EQ(TagHash("foobar"), 0x85944171f73967e8ull);
  EXPECT_NE(TagHash("TagA"), TagHash("TagB"));
}

}  // namespace
}  // namespace raftmq::storage
