#include "storage/commit_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "storage/commit_log_format.h"
#include "storage/fault_fs.h"
#include "storage_test_util.h"
#include "tests/storage/entry_kinds.h"

namespace raftmq::storage {
namespace {

using testing::kNoopKind;

class CommitLogTest : public ::testing::Test {
 protected:
  CommitLogOptions Options(FlushPolicy policy = FlushPolicy::kAsync) const {
    return CommitLogOptions{.dir = dir_.path() + "/log", .segment_size_bytes = 1024, .flush_policy = policy,
                            .flush_interval_ms = 60'000, .index_entries_per_file = 16, .read_chunk_bytes = 256};
  }
  std::unique_ptr<CommitLog> Open(FlushPolicy policy = FlushPolicy::kAsync) {
    return testing::OpenedOrNull(CommitLog::Open(&fs_, Options(policy)));
  }

  TempDir dir_;
  FaultFs fs_{DefaultFs()};
};

TEST_F(CommitLogTest, StartsEmptyAtIndexOne) {
  auto log = Open();
  EXPECT_EQ(Index(1), log->FirstIndex());
  EXPECT_EQ(Index(0), log->LastIndex());
  EXPECT_TRUE(log->TermAt(Index(1)).status().IsNotFound());
  EXPECT_TRUE(log->Entries(Index(1), Index(2), 100).status().IsNotFound());
}

TEST_F(CommitLogTest, ReadsBackWhatWasAppended) {
  auto log = Open();
  auto entries = MakeEntries(1, 10, 3, 50);
  entries[4].kind = kNoopKind;
  ASSERT_TRUE(log->Append(entries).ok());
  EXPECT_EQ(Index(10), log->LastIndex());
  EXPECT_EQ(Term(3), *log->TermAt(Index(7)));
  auto read = log->Entries(Index(1), Index(11), UINT64_MAX);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(entries, *read);
}

TEST_F(CommitLogTest, EntriesStopAtBytesMaxButReturnAtLeastOne) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 10, 1, 100)).ok());
  EXPECT_EQ(3u, log->Entries(Index(2), Index(11), 350)->size());
  EXPECT_EQ(1u, log->Entries(Index(2), Index(11), 0)->size());
  EXPECT_EQ(9u, log->Entries(Index(2), Index(100), UINT64_MAX)->size());  // `to` is clamped
}

TEST_F(CommitLogTest, RollsSegmentsNamedByTheirFirstAbsolutePosition) {
  auto log = Open();
  // 32-byte header + 200 = 232 bytes per record: four fit in 1024, the fifth rolls.
  ASSERT_TRUE(log->Append(MakeEntries(1, 9, 1, 200)).ok());
  EXPECT_EQ(3u, log->SegmentCount());
  EXPECT_TRUE(fs_.Exists(Options().dir + "/00000000000000000000"));
  EXPECT_TRUE(fs_.Exists(Options().dir + "/00000000000000000928"));
  EXPECT_TRUE(fs_.Exists(Options().dir + "/00000000000000001856"));
  auto location = log->Locate(Index(5));
  ASSERT_TRUE(location.ok());
  EXPECT_EQ(928u + commit_log_format::kHeaderBytes, location->payload_position);
  EXPECT_EQ(MakeEntries(1, 9, 1, 200), *log->Entries(Index(1), Index(10), UINT64_MAX));
}

TEST_F(CommitLogTest, ReadAtServesPayloadBytesByPositionWithinASegment) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 6, 2, 200)).ok());
  auto location = log->Locate(Index(5));
  ASSERT_TRUE(location.ok());
  auto payload = log->ReadAt(location->payload_position, location->payload_size);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(MakeEntry(5, 2, 200).payload, *payload);
  EXPECT_TRUE(log->ReadAt(location->payload_position, 5000).status().IsInvalidArgument());
}

TEST_F(CommitLogTest, GivesALoneRecordBiggerThanASegmentItsOwnSegment) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 1, 1, 100)).ok());
  ASSERT_TRUE(log->Append(MakeEntries(2, 1, 1, 3000)).ok());
  ASSERT_TRUE(log->Append(MakeEntries(3, 1, 1, 100)).ok());
  EXPECT_EQ(3u, log->SegmentCount());
  EXPECT_EQ(MakeEntry(2, 1, 3000), (*log->Entries(Index(2), Index(3), 0))[0]);
}

TEST_F(CommitLogTest, ReopenKeepsEverything) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 20, 1, 100)).ok());
  ASSERT_TRUE(log->Append(MakeEntries(21, 5, 2, 10)).ok());
  log.reset();
  log = Open();
  EXPECT_EQ(Index(25), log->LastIndex());
  EXPECT_EQ(Term(2), *log->TermAt(Index(21)));
  ASSERT_TRUE(log->Append(MakeEntries(26, 1, 2, 10)).ok());
  EXPECT_EQ(MakeEntries(21, 6, 2, 10)[5], (*log->Entries(Index(26), Index(27), 0))[0]);
}

TEST_F(CommitLogTest, SyncPolicyCoversManyAppendsWithOneFsync) {
  auto log = Open(FlushPolicy::kSync);
  uint64_t syncs_before = fs_.SyncCount();
  for (uint64_t i = 1; i <= 10; ++i) ASSERT_TRUE(log->Append(MakeEntries(i, 1, 1, 10)).ok());
  EXPECT_EQ(Index(0), log->DurableIndex());
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(syncs_before + 1, fs_.SyncCount());
  EXPECT_EQ(Index(10), log->DurableIndex());
  ASSERT_TRUE(log->Sync().ok());  // nothing new: no fsync
  EXPECT_EQ(syncs_before + 1, fs_.SyncCount());
}

TEST_F(CommitLogTest, AsyncPolicySyncReturnsWithoutFsyncAndFlushMakesDurable) {
  auto log = Open(FlushPolicy::kAsync);
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, 10)).ok());
  uint64_t syncs_before = fs_.SyncCount();
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_EQ(syncs_before, fs_.SyncCount());
  EXPECT_EQ(Index(0), log->DurableIndex());
  ASSERT_TRUE(log->Flush().ok());
  EXPECT_EQ(Index(3), log->DurableIndex());
}

TEST_F(CommitLogTest, BackgroundFlushMakesAsyncAppendsDurable) {
  CommitLogOptions options = Options();
  options.flush_interval_ms = 5;
  auto log = CommitLog::Open(&fs_, options);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Append(MakeEntries(1, 3, 1, 10)).ok());
  for (int i = 0; i < 2000 && (*log)->DurableIndex() < Index(3); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling an observable, bounded
  }
  EXPECT_EQ(Index(3), (*log)->DurableIndex()) << "the flusher did not run within 2 s";
}

TEST_F(CommitLogTest, ReadersSeeCompleteEntriesWhileTheWriterAppends) {
  auto log = Open();
  constexpr uint64_t kLast = 400;
  std::atomic<bool> failed{false};
  std::thread reader([&] {
    uint64_t seen = 0;
    while (seen < kLast && !failed) {
      Index last = log->LastIndex();
      if (last.value() == seen) {
        std::this_thread::yield();
        continue;
      }
      auto entries = log->Entries(Index(seen + 1), last + 1, UINT64_MAX);
      if (!entries.ok() || entries->empty()) {
        failed = true;
        break;
      }
      for (const LogEntry& entry : *entries) {
        if (entry != MakeEntry(entry.index.value(), 1, 60)) failed = true;
        seen = entry.index.value();
      }
    }
  });
  for (uint64_t i = 1; i <= kLast; i += 4) ASSERT_TRUE(log->Append(MakeEntries(i, 4, 1, 60)).ok());
  reader.join();
  EXPECT_FALSE(failed);
}

}  // namespace
}  // namespace raftmq::storage
