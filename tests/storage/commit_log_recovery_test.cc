// Recovery through FaultFs: torn tails, corrupt records, fsync errors, ENOSPC, a lost index.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "storage/commit_log.h"
#include "storage/commit_log_format.h"
#include "storage/fault_fs.h"
#include "storage_test_util.h"
#include "tests/support/log_capture.h"

namespace raftmq::storage {
namespace {

using test_support::LogCapture;

class CommitLogRecovery : public ::testing::Test {
 protected:
  CommitLogOptions Options(FlushPolicy policy = FlushPolicy::kAsync) const {
    return CommitLogOptions{.dir = dir_.path() + "/log", .segment_size_bytes = segment_size_bytes_,
                            .flush_policy = policy, .flush_interval_ms = 60'000, .index_entries_per_file = 16,
                            .read_chunk_bytes = 256};
  }
  Result<std::unique_ptr<CommitLog>> TryOpen(FlushPolicy policy = FlushPolicy::kAsync) {
    return CommitLog::Open(&fs_, Options(policy));
  }
  std::unique_ptr<CommitLog> Open(FlushPolicy policy = FlushPolicy::kAsync) {
    return testing::OpenedOrNull(TryOpen(policy));
  }
  // The process dies: nothing it does afterwards reaches the disk.
  void Crash(std::unique_ptr<CommitLog>& log, uint64_t unsynced_bytes_kept) {
    fs_.Crash({.unsynced_bytes_kept = unsynced_bytes_kept});
    {
      LogCapture quiet;  // the dying log's complaints are expected
      log.reset();
    }
    fs_.Restart();
  }
  std::string SegmentPath(uint64_t base) const {
    char name[21];
    std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(base));
    return Options().dir + "/" + name;
  }
  void FlipByte(const std::string& path, uint64_t offset) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    file.read(&c, 1);
    c = static_cast<char>(c ^ 0x40);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(&c, 1);
  }

  TempDir dir_;
  FaultFs fs_{DefaultFs()};
  uint64_t segment_size_bytes_ = 1024;
};

// A cut anywhere in a batch (a torn write, a partly written-back page cache) must recover a
// prefix of what was appended: never garbage, never a hole, never less than was synced.
TEST_F(CommitLogRecovery, EveryCutPointOfAMultiEntryAppendRecoversAPrefix) {
  constexpr uint64_t kRecordBytes = commit_log_format::kHeaderBytes + 4;
  const auto synced = MakeEntries(1, 3, 1, 4);
  const auto batch = MakeEntries(4, 4, 2, 4);
  auto all = synced;
  all.insert(all.end(), batch.begin(), batch.end());
  for (uint64_t segment_size_bytes : {uint64_t{4096}, uint64_t{200}}) {  // 200: the batch rolls
    for (uint64_t cut = 0; cut <= batch.size() * kRecordBytes; ++cut) {
      SCOPED_TRACE("segment_size_bytes=" + std::to_string(segment_size_bytes) + " cut=" + std::to_string(cut));
      std::filesystem::remove_all(Options().dir);
      segment_size_bytes_ = segment_size_bytes;
      auto log = Open();
      ASSERT_TRUE(log->Append(synced).ok());
      ASSERT_TRUE(log->Flush().ok());
      ASSERT_TRUE(log->Append(batch).ok());
      Crash(log, cut);
      LogCapture capture;
      log = Open();
      ASSERT_NE(nullptr, log);
      Index last = log->LastIndex();
      ASSERT_GE(last, Index(3));
      ASSERT_LE(last, Index(7));
      auto read = log->Entries(Index(1), last + 1, UINT64_MAX);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      ASSERT_EQ(std::vector<LogEntry>(all.begin(), all.begin() + static_cast<long>(last.value())), *read);
      auto next = MakeEntries(last.value() + 1, 1, 3, 7);
      ASSERT_TRUE(log->Append(next).ok());
      ASSERT_EQ(next, *log->Entries(last + 1, last + 2, 0));
    }
  }
}

TEST_F(CommitLogRecovery, CutsTornTailOfActiveSegmentAndLogsWhatItCut) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 5, 1, 20)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->Append(MakeEntries(6, 1, 1, 20)).ok());
  Crash(log, 10);
  LogCapture capture;
  log = Open();
  EXPECT_EQ(Index(5), log->LastIndex());
  std::string text = capture.Text();
  EXPECT_NE(std::string::npos, text.find("00000000000000000000")) << text;
  EXPECT_NE(std::string::npos, text.find("10 bytes from position 260")) << text;
  EXPECT_NE(std::string::npos, text.find("torn write")) << text;
}

TEST_F(CommitLogRecovery, RefusesACorruptRecordFollowedBySoundOnesAndCutsNothing) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, 20)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->Append(MakeEntries(4, 3, 1, 20)).ok());
  Crash(log, UINT64_MAX);  // everything reached the disk, but no checkpoint covers 4..6
  FlipByte(SegmentPath(0), 4 * 52 + 40);  // a payload byte of entry 5; entry 6 stays sound
  auto reopened = TryOpen();
  ASSERT_FALSE(reopened.ok());
  const Status& status = reopened.status();
  EXPECT_TRUE(status.IsCorruption()) << status.ToString();
  EXPECT_NE(std::string::npos, status.message().find(SegmentPath(0))) << status.ToString();
  EXPECT_NE(std::string::npos, status.message().find("at position 208")) << status.ToString();
  EXPECT_NE(std::string::npos, status.message().find("CRC mismatch")) << status.ToString();
  EXPECT_NE(std::string::npos, status.message().find("sound record follows it at position 260")) << status.ToString();
  EXPECT_NE(std::string::npos, status.message().find("delete its whole data directory")) << status.ToString();
  EXPECT_EQ(uint64_t{6 * 52}, *fs_.FileSize(SegmentPath(0)));  // entry 6 (maybe acknowledged) is kept
}

TEST_F(CommitLogRecovery, CutsALastRecordWithABadCrcWhenNothingSoundFollows) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, 20)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->Append(MakeEntries(4, 3, 1, 20)).ok());
  Crash(log, UINT64_MAX);
  FlipByte(SegmentPath(0), 5 * 52 + 40);  // a payload byte of entry 6, the last
  LogCapture capture;
  log = Open();
  ASSERT_NE(nullptr, log);
  EXPECT_EQ(Index(5), log->LastIndex());
  EXPECT_NE(std::string::npos, capture.Text().find("52 bytes from position 260")) << capture.Text();
  EXPECT_NE(std::string::npos, capture.Text().find("CRC mismatch")) << capture.Text();
}

TEST_F(CommitLogRecovery, ReportsABadRecordInAClosedSegmentAsCorruption) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 2, 1, 200)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->Append(MakeEntries(3, 8, 1, 200)).ok());  // rolls at 928 and 1856
  Crash(log, UINT64_MAX);
  FlipByte(SegmentPath(928), 300);
  auto reopened = TryOpen();
  ASSERT_FALSE(reopened.ok());
  EXPECT_TRUE(reopened.status().IsCorruption()) << reopened.status().ToString();
  EXPECT_NE(std::string::npos, reopened.status().message().find("00000000000000000928"));
}

TEST_F(CommitLogRecovery, ReportsAClosedSegmentThatLostItsTailAsCorruption) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 6, 1, 200)).ok());
  log.reset();
  ASSERT_TRUE(fs_.Truncate(SegmentPath(0), 900).ok());
  auto reopened = TryOpen();
  ASSERT_FALSE(reopened.ok());
  EXPECT_TRUE(reopened.status().IsCorruption()) << reopened.status().ToString();
}

TEST_F(CommitLogRecovery, ReadingAFlippedRecordBeforeTheCheckpointIsCorruption) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, 20)).ok());
  log.reset();
  FlipByte(SegmentPath(0), 52 + 40);
  log = Open();
  EXPECT_EQ(Index(3), log->LastIndex());  // trusted: it is before the checkpoint
  EXPECT_TRUE(log->Entries(Index(2), Index(3), 0).status().IsCorruption());
  EXPECT_TRUE(log->Entries(Index(1), Index(2), 0).ok());
}

TEST_F(CommitLogRecovery, FailedFsyncRefusesWritesUntilReopenWhichKeepsTheSyncedPrefix) {
  auto log = Open(FlushPolicy::kSync);
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, 20)).ok());
  ASSERT_TRUE(log->Sync().ok());
  ASSERT_TRUE(log->Append(MakeEntries(4, 1, 1, 20)).ok());
  fs_.InjectSyncErrors(1);
  EXPECT_TRUE(log->Sync().IsIoError());
  EXPECT_EQ(Index(3), log->DurableIndex());
  EXPECT_TRUE(log->Append(MakeEntries(5, 1, 1, 20)).IsIoError());
  EXPECT_TRUE(log->Sync().IsIoError());
  Crash(log, 0);
  log = Open(FlushPolicy::kSync);
  EXPECT_EQ(Index(3), log->LastIndex());
  ASSERT_TRUE(log->Append(MakeEntries(4, 1, 2, 20)).ok());
  ASSERT_TRUE(log->Sync().ok());
}

TEST_F(CommitLogRecovery, NoSpaceRefusesTheAppendLeavesNoGarbageAndRecoversWhenSpaceReturns) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, 20)).ok());
  uint64_t end = log->EndPosition();
  fs_.SetAppendBudgetBytes(70);  // the 104-byte batch gets 70 bytes in, then ENOSPC
  EXPECT_TRUE(log->Append(MakeEntries(4, 2, 1, 20)).IsNoSpace());
  EXPECT_EQ(Index(3), log->LastIndex());
  EXPECT_EQ(end, *fs_.FileSize(SegmentPath(0)));
  EXPECT_TRUE(log->Append(MakeEntries(4, 2, 1, 20)).IsNoSpace());
  fs_.SetAppendBudgetBytes(std::nullopt);
  ASSERT_TRUE(log->Append(MakeEntries(4, 2, 1, 20)).ok());
  log.reset();
  log = Open();
  EXPECT_EQ(MakeEntries(1, 5, 1, 20), *log->Entries(Index(1), Index(6), UINT64_MAX));
}

TEST_F(CommitLogRecovery, TornAppendIsCutBackAndTheNextAppendSucceeds) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 2, 1, 20)).ok());
  fs_.InjectTornAppend(30);
  EXPECT_TRUE(log->Append(MakeEntries(3, 2, 1, 20)).IsIoError());
  EXPECT_EQ(Index(2), log->LastIndex());
  ASSERT_TRUE(log->Append(MakeEntries(3, 2, 1, 20)).ok());
  log.reset();
  log = Open();
  EXPECT_EQ(MakeEntries(1, 4, 1, 20), *log->Entries(Index(1), Index(5), UINT64_MAX));
}

TEST_F(CommitLogRecovery, RebuildsALostEntryIndexFromTheLog) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 40, 1, 60)).ok());  // 3 index files, 5 segments
  std::vector<EntryLocation> before;
  for (uint64_t i = 1; i <= 40; ++i) before.push_back(*log->Locate(Index(i)));
  log.reset();
  std::filesystem::remove_all(Options().dir + "/" + std::string(commit_log_format::kIndexDirName));
  LogCapture capture;
  log = Open();
  ASSERT_EQ(Index(40), log->LastIndex());
  for (uint64_t i = 1; i <= 40; ++i) {
    auto location = log->Locate(Index(i));
    ASSERT_TRUE(location.ok()) << i;
    EXPECT_EQ(before[i - 1].payload_position, location->payload_position) << i;
    EXPECT_EQ(before[i - 1].term, location->term) << i;
  }
  EXPECT_NE(std::string::npos, capture.Text().find("rebuilding")) << capture.Text();
}

TEST_F(CommitLogRecovery, RebuildsAnEntryIndexThatIsBehindTheCheckpoint) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 40, 1, 60)).ok());
  log.reset();
  ASSERT_TRUE(fs_.RemoveFile(Options().dir + "/index/00000000000000000033").ok());
  log = Open();
  ASSERT_EQ(Index(40), log->LastIndex());
  EXPECT_EQ(MakeEntries(30, 11, 1, 60), *log->Entries(Index(30), Index(41), UINT64_MAX));
  EXPECT_EQ(Term(1), *log->TermAt(Index(40)));
}

}  // namespace
}  // namespace raftmq::storage
