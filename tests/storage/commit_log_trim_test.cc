// TruncateSuffix (a follower's divergent tail) and retention (RetentionCutoff, DeleteSegmentsBefore).
#include <gtest/gtest.h>

#include <ctime>

#include "storage/commit_log.h"
#include "storage/fault_fs.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

constexpr int64_t kHourSeconds = 3600;

class CommitLogTrim : public ::testing::Test {
 protected:
  CommitLogOptions Options() const {
    // 200-byte payloads make 232-byte records: four per 1 KiB segment.
    return CommitLogOptions{.dir = dir_.path() + "/log", .segment_size_bytes = 1024, .flush_interval_ms = 60'000,
                            .retention_hours = 72, .disk_usage_watermark_percent = 85,
                            .index_entries_per_file = 4, .read_chunk_bytes = 256};
  }
  std::unique_ptr<CommitLog> Open() {
    return testing::OpenedOrNull(CommitLog::Open(&fs_, Options()));
  }
  std::unique_ptr<CommitLog> Reopen(std::unique_ptr<CommitLog>& log) {
    log.reset();
    return Open();
  }
  static int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

  TempDir dir_;
  FaultFs fs_{DefaultFs()};
};

TEST_F(CommitLogTrim, TruncateSuffixWithinTheActiveSegmentThenAppendsTheNewTail) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, 50)).ok());
  ASSERT_TRUE(log->TruncateSuffix(Index(1)).ok());
  EXPECT_EQ(Index(1), log->LastIndex());
  EXPECT_TRUE(log->TermAt(Index(2)).status().IsNotFound());
  ASSERT_TRUE(log->Append(MakeEntries(2, 2, 2, 70)).ok());
  log = Reopen(log);
  auto expected = MakeEntries(1, 1, 1, 50);
  for (const auto& entry : MakeEntries(2, 2, 2, 70)) expected.push_back(entry);
  EXPECT_EQ(expected, *log->Entries(Index(1), Index(4), UINT64_MAX));
}

TEST_F(CommitLogTrim, TruncateSuffixAcrossSegmentsRemovesTheirFiles) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 12, 1, 200)).ok());
  EXPECT_EQ(3u, log->SegmentCount());
  ASSERT_TRUE(log->TruncateSuffix(Index(2)).ok());
  EXPECT_EQ(1u, log->SegmentCount());
  EXPECT_EQ(464u, log->EndPosition());
  EXPECT_FALSE(fs_.Exists(Options().dir + "/00000000000000000928"));
  ASSERT_TRUE(log->Append(MakeEntries(3, 6, 2, 200)).ok());  // rolls again at 928
  EXPECT_TRUE(fs_.Exists(Options().dir + "/00000000000000000928"));
  log = Reopen(log);
  EXPECT_EQ(Index(8), log->LastIndex());
  EXPECT_EQ(MakeEntries(3, 6, 2, 200), *log->Entries(Index(3), Index(9), UINT64_MAX));
}

TEST_F(CommitLogTrim, TruncateSuffixAtASegmentBoundaryKeepsTheSegmentBefore) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 6, 1, 200)).ok());
  ASSERT_TRUE(log->TruncateSuffix(Index(4)).ok());
  EXPECT_EQ(1u, log->SegmentCount());
  ASSERT_TRUE(log->Append(MakeEntries(5, 1, 3, 200)).ok());
  EXPECT_EQ(2u, log->SegmentCount());
  EXPECT_EQ(Term(3), *log->TermAt(Index(5)));
}

TEST_F(CommitLogTrim, TruncateSuffixToZeroEmptiesTheLog) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 6, 1, 200)).ok());
  ASSERT_TRUE(log->TruncateSuffix(Index(0)).ok());
  EXPECT_EQ(Index(0), log->LastIndex());
  log = Reopen(log);
  EXPECT_EQ(Index(1), log->FirstIndex());
  EXPECT_EQ(Index(0), log->LastIndex());
  ASSERT_TRUE(log->Append(MakeEntries(1, 1, 4, 10)).ok());
}

TEST_F(CommitLogTrim, TruncationSurvivesACrashAndTheOldTailNeverReturns) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 10, 1, 200)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->TruncateSuffix(Index(5)).ok());
  ASSERT_TRUE(log->Append(MakeEntries(6, 2, 2, 10)).ok());
  fs_.Crash({.unsynced_bytes_kept = UINT64_MAX});
  log.reset();
  fs_.Restart();
  log = Open();
  EXPECT_EQ(Index(7), log->LastIndex());
  EXPECT_EQ(MakeEntries(6, 2, 2, 10), *log->Entries(Index(6), Index(8), UINT64_MAX));
}

TEST_F(CommitLogTrim, RetentionCutoffCountsExpiredSegmentsBelowTheBoundButNeverTheNewestWithEntries) {
  // An empty disk, not the test machine's: a build machine above the watermark deleted by use.
  fs_.SetDiskSpace(DiskSpace{.total_bytes = 100'000'000, .available_bytes = 100'000'000});
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 9, 1, 200)).ok());  // segments [1-4] [5-8] [9]
  const int64_t later = Now() + 73 * kHourSeconds;
  EXPECT_EQ(Index(1), *log->RetentionCutoff(Now(), Index(100), true)) << "young, disk not full";
  EXPECT_EQ(Index(1), *log->RetentionCutoff(later, Index(100), false)) << "age not asked for";
  EXPECT_EQ(Index(1), *log->RetentionCutoff(later, Index(4), true)) << "entry 4 must stay";
  EXPECT_EQ(Index(5), *log->RetentionCutoff(later, Index(6), true));
  EXPECT_EQ(Index(9), *log->RetentionCutoff(later, Index(100), true)) << "the newest segment with entries stays";
  EXPECT_EQ(3u, log->SegmentCount()) << "a query deletes nothing";
  EXPECT_EQ(Index(1), log->FirstIndex());
}

TEST_F(CommitLogTrim, RetentionCutoffCountsYoungSegmentsUntilTheDiskIsProjectedBelowTheWatermark) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 13, 1, 200)).ok());  // [1-4] [5-8] [9-12] [13], 928 B each
  fs_.SetDiskSpace(DiskSpace{.total_bytes = 100'000, .available_bytes = 20'000});  // 80 %: below 85 %
  EXPECT_EQ(Index(1), *log->RetentionCutoff(Now(), Index(100), true));
  fs_.SetDiskSpace(DiskSpace{.total_bytes = 100'000, .available_bytes = 14'000});  // 1,000 B over
  EXPECT_EQ(Index(9), *log->RetentionCutoff(Now(), Index(100), false)) << "two segments make up the 1,000 B";
  EXPECT_EQ(Index(5), *log->RetentionCutoff(Now(), Index(8), false)) << "the bound protects [5-8]";
  fs_.SetDiskSpace(DiskSpace{.total_bytes = 100'000, .available_bytes = 0});
  EXPECT_EQ(Index(13), *log->RetentionCutoff(Now(), Index(100), false));
}

TEST_F(CommitLogTrim, DeleteSegmentsBeforeDeletesWholeSegmentsBelowTheIndexAndIsIdempotent) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 9, 1, 200)).ok());  // segments [1-4] [5-8] [9]
  EXPECT_EQ(0u, log->DeleteSegmentsBefore(Index(4))->segments) << "entry 4 shares its segment with 1-3";
  SegmentsDeleted deleted = *log->DeleteSegmentsBefore(Index(7));
  EXPECT_EQ(1u, deleted.segments);
  EXPECT_EQ(928u, deleted.bytes);
  EXPECT_EQ(Index(5), log->FirstIndex());
  EXPECT_TRUE(log->Entries(Index(4), Index(5), 0).status().IsNotFound());
  EXPECT_TRUE(log->ReadAt(10, 10).status().IsNotFound());
  EXPECT_EQ(0u, log->DeleteSegmentsBefore(Index(7))->segments) << "idempotent";
  EXPECT_EQ(0u, log->DeleteSegmentsBefore(Index(1))->segments);
  EXPECT_EQ(1u, log->DeleteSegmentsBefore(Index(100))->segments) << "never the newest segment with entries";
  EXPECT_EQ(Index(9), log->FirstIndex());
  EXPECT_EQ(1u, log->SegmentCount());
  log = Reopen(log);
  EXPECT_EQ(Index(9), log->FirstIndex());
  EXPECT_EQ(Index(9), log->LastIndex());
  EXPECT_EQ(MakeEntries(9, 1, 1, 200), *log->Entries(Index(9), Index(10), 0));
  EXPECT_TRUE(log->TruncateSuffix(Index(7)).IsInvalidArgument());
  ASSERT_TRUE(log->Append(MakeEntries(10, 1, 1, 200)).ok()) << "appends go on after the deleted prefix";
}

TEST_F(CommitLogTrim, AfterRetentionTheTermBeforeTheFirstEntryAnswersAcrossRestarts) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 4, 1, 200)).ok());  // segments [1-4] [5-8] [9]
  ASSERT_TRUE(log->Append(MakeEntries(5, 4, 2, 200)).ok());
  ASSERT_TRUE(log->Append(MakeEntries(9, 1, 3, 200)).ok());
  ASSERT_EQ(1u, log->DeleteSegmentsBefore(Index(7))->segments);
  EXPECT_EQ(Term(1), *log->TermAt(Index(4))) << "a leader's append after its first entry names this term";
  ASSERT_EQ(1u, log->DeleteSegmentsBefore(Index(100))->segments);
  EXPECT_EQ(Term(2), *log->TermAt(Index(8)));
  EXPECT_TRUE(log->TermAt(Index(4)).status().IsNotFound()) << "only the entry right before the first";
  log = Reopen(log);
  ASSERT_EQ(Index(9), log->FirstIndex());
  EXPECT_EQ(Term(2), *log->TermAt(Index(8)));
  EXPECT_TRUE(log->TermAt(Index(7)).status().IsNotFound());
}

TEST_F(CommitLogTrim, DeleteSegmentsBeforeDropsOldEntryIndexFilesToo) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 9, 1, 200)).ok());
  EXPECT_TRUE(fs_.Exists(Options().dir + "/index/00000000000000000001"));
  EXPECT_EQ(2u, log->DeleteSegmentsBefore(Index(100))->segments);
  EXPECT_FALSE(fs_.Exists(Options().dir + "/index/00000000000000000001"));
  EXPECT_TRUE(fs_.Exists(Options().dir + "/index/00000000000000000009"));
  EXPECT_EQ(Term(1), *log->TermAt(Index(9)));
}

TEST_F(CommitLogTrim, DeleteSegmentsBeforeSurvivesACrashRightAfterIt) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 9, 1, 200)).ok());
  ASSERT_EQ(1u, log->DeleteSegmentsBefore(Index(5))->segments);
  fs_.Crash({.unsynced_bytes_kept = 0});
  log.reset();
  fs_.Restart();
  log = Open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(Index(5), log->FirstIndex());
  EXPECT_EQ(Index(9), log->LastIndex()) << "retention flushed the log first";
  EXPECT_EQ(MakeEntries(5, 5, 1, 200), *log->Entries(Index(5), Index(10), UINT64_MAX));
}

// A crash at each durability step of a deletion: the log is either as before or as after,
// and once its first entries are gone the term before the first entry still answers (a
// leader's append after it, and its snapshot there, name it).
TEST_F(CommitLogTrim, ACrashAtAnyStepOfADeletionKeepsTheTermBeforeTheFirstEntry) {
  for (uint64_t syncs_ok = 0;; ++syncs_ok) {
    SCOPED_TRACE("crash after " + std::to_string(syncs_ok) + " syncs");
    CommitLogOptions options = Options();
    options.dir += std::to_string(syncs_ok);  // a fresh log each round
    auto open = [&] { return testing::OpenedOrNull(CommitLog::Open(&fs_, options)); };
    auto log = open();
    ASSERT_TRUE(log->Append(MakeEntries(1, 4, 1, 200)).ok());  // segments [1-4] [5-8] [9]
    ASSERT_TRUE(log->Append(MakeEntries(5, 4, 2, 200)).ok());
    ASSERT_TRUE(log->Append(MakeEntries(9, 1, 3, 200)).ok());
    ASSERT_TRUE(log->Flush().ok());  // what the crash may take is the deletion's, not the entries'
    const uint64_t syncs_before = fs_.SyncCount();
    fs_.CrashAtSync(syncs_ok);
    const bool finished = log->DeleteSegmentsBefore(Index(100)).ok();
    log.reset();
    if (finished) {
      EXPECT_GT(syncs_ok, 0u);
      fs_.Crash();  // the crash that did not come during the deletion comes now
    }
    fs_.Restart();
    log = open();
    ASSERT_NE(log, nullptr);
    ASSERT_TRUE(log->FirstIndex() == Index(1) || log->FirstIndex() == Index(9)) << log->FirstIndex().value();
    EXPECT_EQ(Index(9), log->LastIndex());
    if (log->FirstIndex() == Index(9)) {
      Result<Term> term = log->TermAt(Index(8));
      ASSERT_TRUE(term.ok()) << term.status().ToString();
      EXPECT_EQ(Term(2), *term);
    }
    EXPECT_EQ(MakeEntries(9, 1, 3, 200), *log->Entries(Index(9), Index(10), UINT64_MAX));
    if (finished) {
      EXPECT_EQ(Index(9), log->FirstIndex());
      EXPECT_GT(fs_.SyncCount(), syncs_before);
      break;
    }
  }
}

}  // namespace
}  // namespace raftmq::storage
