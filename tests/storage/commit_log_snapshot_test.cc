// CommitLog::ResetToSnapshot: the empty log after a snapshot, appends after it, restarts, and
// a crash at each durability step of the reset (FaultFs).
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "storage/commit_log.h"
#include "storage/commit_log_format.h"
#include "storage/fault_fs.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

const SnapshotMeta kSnapshot{.index = Index(50), .term = Term(7)};

class CommitLogSnapshot : public ::testing::Test {
 protected:
  CommitLogOptions Options() const {
    return CommitLogOptions{.dir = dir_.path() + "/" + log_name_, .segment_size_bytes = 512, .flush_policy = FlushPolicy::kSync,
                            .flush_interval_ms = 60'000, .index_entries_per_file = 8, .read_chunk_bytes = 256};
  }
  std::unique_ptr<CommitLog> Open() { return testing::OpenedOrNull(CommitLog::Open(&fs_, Options())); }
  // A log of entries 1..20 over several segments, all of it durable.
  std::unique_ptr<CommitLog> OpenFilled() {
    std::unique_ptr<CommitLog> log = Open();
    if (log == nullptr) return nullptr;
    EXPECT_TRUE(log->Append(MakeEntries(1, 20, 3, 40)).ok());
    EXPECT_TRUE(log->Sync().ok());
    EXPECT_TRUE(log->Flush().ok());
    EXPECT_GT(log->SegmentCount(), 2u);
    return log;
  }
  // The log as the reset leaves it: nothing up to the snapshot, its term at its index.
  static void ExpectResetTo(const CommitLog& log, SnapshotMeta snapshot) {
    EXPECT_EQ(log.FirstIndex(), snapshot.index + 1);
    EXPECT_EQ(log.LastIndex(), snapshot.index);
    Result<Term> term = log.TermAt(snapshot.index);
    ASSERT_TRUE(term.ok()) << term.status().ToString();
    EXPECT_EQ(*term, snapshot.term);
    EXPECT_TRUE(log.TermAt(snapshot.index - 1).status().IsNotFound());
    EXPECT_TRUE(log.TermAt(Index(1)).status().IsNotFound());
    EXPECT_TRUE(log.Entries(Index(1), Index(2), 1024).status().IsNotFound());
  }
  void ExpectHoldsEntries(const CommitLog& log, uint64_t first, size_t count, uint64_t term) {
    Result<std::vector<LogEntry>> read = log.Entries(Index(first), Index(first + count), UINT64_MAX);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, MakeEntries(first, count, term, 40));
  }

  TempDir dir_;
  std::string log_name_ = "log";
  FaultFs fs_{DefaultFs()};
};

TEST_F(CommitLogSnapshot, ResetLeavesAnEmptyLogAfterTheSnapshotAndAppendsContinueAtPositionZero) {
  std::unique_ptr<CommitLog> log = OpenFilled();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->ResetToSnapshot(kSnapshot).ok());
  ExpectResetTo(*log, kSnapshot);
  EXPECT_EQ(log->SegmentCount(), 1u);
  EXPECT_EQ(log->EndPosition(), 0u);
  EXPECT_EQ(log->DurableIndex(), kSnapshot.index);

  ASSERT_TRUE(log->Append(MakeEntries(51, 12, 8, 40)).ok());
  ASSERT_TRUE(log->Sync().ok());
  ExpectHoldsEntries(*log, 51, 12, 8);
  Result<EntryLocation> first = log->Locate(Index(51));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->payload_position, commit_log_format::kHeaderBytes) << "the reset log starts at position 0";
  EXPECT_EQ(*log->TermAt(kSnapshot.index), kSnapshot.term) << "the snapshot's term answers while it is the log's start";

  log.reset();
  log = Open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->FirstIndex(), Index(51));
  EXPECT_EQ(log->LastIndex(), Index(62));
  EXPECT_EQ(*log->TermAt(kSnapshot.index), kSnapshot.term);
  ExpectHoldsEntries(*log, 51, 12, 8);
}

TEST_F(CommitLogSnapshot, AnEmptyResetLogReopensAtTheSnapshotEvenWithoutItsCheckpoint) {
  std::unique_ptr<CommitLog> log = OpenFilled();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->ResetToSnapshot(kSnapshot).ok());
  log.reset();
  ASSERT_TRUE(fs_.RemoveFile(Options().dir + "/" + std::string(commit_log_format::kCheckpointFileName)).ok());
  log = Open();
  ASSERT_NE(log, nullptr);
  ExpectResetTo(*log, kSnapshot);
  ASSERT_TRUE(log->Append(MakeEntries(51, 1, 8, 40)).ok()) << "appends go on at the snapshot's next index";
  ExpectHoldsEntries(*log, 51, 1, 8);
}

TEST_F(CommitLogSnapshot, ResetsTwiceAndToAPointBehindTheOldLogsEnd) {
  std::unique_ptr<CommitLog> log = OpenFilled();
  ASSERT_NE(log, nullptr);
  const SnapshotMeta behind{.index = Index(10), .term = Term(3)};  // the old log held 11..20
  ASSERT_TRUE(log->ResetToSnapshot(behind).ok());
  ExpectResetTo(*log, behind);
  ASSERT_TRUE(log->Append(MakeEntries(11, 5, 4, 40)).ok());
  ASSERT_TRUE(log->ResetToSnapshot(kSnapshot).ok());
  ExpectResetTo(*log, kSnapshot);
  log.reset();
  log = Open();
  ASSERT_NE(log, nullptr);
  ExpectResetTo(*log, kSnapshot);
}

TEST_F(CommitLogSnapshot, AFreshLogAnswersTermZeroAtIndexZero) {
  std::unique_ptr<CommitLog> log = Open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(*log->TermAt(Index(0)), Term(0));
  EXPECT_TRUE(log->TermAt(Index(1)).status().IsNotFound());
}

// Crashes the reset at each of its syncs in turn: the log reopens either as it was or reset,
// never in between, and a reset log takes appends at the snapshot's next index.
TEST_F(CommitLogSnapshot, ACrashAtEveryStepOfAResetLeavesTheOldLogOrTheResetOne) {
  bool saw_old = false;
  bool saw_reset = false;
  for (uint64_t syncs_ok = 0;; ++syncs_ok) {
    SCOPED_TRACE("crash after " + std::to_string(syncs_ok) + " syncs of the reset");
    log_name_ = "log" + std::to_string(syncs_ok);
    std::unique_ptr<CommitLog> log = OpenFilled();
    ASSERT_NE(log, nullptr);
    fs_.CrashAtSync(syncs_ok);
    Status reset = log->ResetToSnapshot(kSnapshot);
    if (reset.ok()) break;  // the reset needed fewer syncs: each of its steps crashed once
    {
      auto quiet = spdlog::default_logger()->level();
      spdlog::set_level(spdlog::level::off);  // the dying log's complaints are expected
      log.reset();
      spdlog::set_level(quiet);
    }
    fs_.Restart();
    log = Open();
    ASSERT_NE(log, nullptr);
    if (log->FirstIndex() == Index(1)) {
      saw_old = true;
      EXPECT_EQ(log->LastIndex(), Index(20));
      ExpectHoldsEntries(*log, 1, 20, 3);
    } else {
      saw_reset = true;
      ExpectResetTo(*log, kSnapshot);
      ASSERT_TRUE(log->Append(MakeEntries(51, 3, 8, 40)).ok());
      ExpectHoldsEntries(*log, 51, 3, 8);
    }
  }
  EXPECT_TRUE(saw_old) << "a crash before the snapshot point is durable keeps the old log";
  EXPECT_TRUE(saw_reset) << "a crash after it finishes the reset at the next open";
}

TEST_F(CommitLogSnapshot, ADamagedSnapshotPointRefusesToOpenNamingTheFile) {
  std::unique_ptr<CommitLog> log = OpenFilled();
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->ResetToSnapshot(kSnapshot).ok());
  log.reset();
  const std::string path = Options().dir + "/" + std::string(commit_log_format::kSnapshotPointFileName);
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(commit_log_format::kSnapshotPointIndexOffset));
    file.put('\x7f');
  }
  Result<std::unique_ptr<CommitLog>> opened = CommitLog::Open(&fs_, Options());
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(opened.status().IsCorruption());
  EXPECT_NE(opened.status().ToString().find(path), std::string::npos) << opened.status().ToString();
}

}  // namespace
}  // namespace raftmq::storage
