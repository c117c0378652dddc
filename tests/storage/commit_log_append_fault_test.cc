// A CommitLog whose writes fail (FaultFs): after a failed append it is left as it was, so a
// later append succeeds once the cause is gone; after a failed fsync it asks to be reopened,
// because what the page cache still holds is unknown then (Postgres' "fsyncgate").
#include <gtest/gtest.h>

#include "storage/commit_log.h"
#include "storage/commit_log_format.h"
#include "storage/fault_fs.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

constexpr uint64_t kIndexEntriesPerFile = 16;
constexpr uint64_t kPayloadBytes = 20;

class CommitLogAppendFault : public ::testing::Test {
 protected:
  std::unique_ptr<CommitLog> Open() {
    return testing::OpenedOrNull(CommitLog::Open(&fs_, CommitLogOptions{.dir = dir_.path() + "/log",
                                                                         .flush_interval_ms = 60'000,
                                                                         .index_entries_per_file = kIndexEntriesPerFile}));
  }

  TempDir dir_;
  FaultFs fs_{DefaultFs()};
};

TEST_F(CommitLogAppendFault, AnAppendTheEntryIndexRefusesForLackOfSpaceIsUndoneAndTheNextSucceeds) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, kIndexEntriesPerFile, 1, kPayloadBytes)).ok());
  const uint64_t end = log->EndPosition();
  // Room for the next record in the segment, none for the entry index, which starts its next
  // file with that record (writing out the previous one first).
  fs_.SetAppendBudgetBytes(commit_log_format::kHeaderBytes + kPayloadBytes);
  const Index next(kIndexEntriesPerFile + 1);
  EXPECT_TRUE(log->Append(MakeEntries(next.value(), 1, 1, kPayloadBytes)).IsNoSpace());
  EXPECT_EQ(log->LastIndex(), next - 1);
  EXPECT_EQ(log->EndPosition(), end);
  EXPECT_FALSE(log->NeedsReopen()) << "a full disk is no reason to refuse every later write";

  fs_.SetAppendBudgetBytes(std::nullopt);
  ASSERT_TRUE(log->Append(MakeEntries(next.value(), 2, 1, kPayloadBytes)).ok());
  log.reset();
  log = Open();
  EXPECT_EQ(MakeEntries(1, next.value() + 1, 1, kPayloadBytes), *log->Entries(Index(1), next + 2, UINT64_MAX));
}

TEST_F(CommitLogAppendFault, AFailedFsyncAsksForAReopenWhichRecoversTheLog) {
  auto log = Open();
  ASSERT_TRUE(log->Append(MakeEntries(1, 3, 1, kPayloadBytes)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->Append(MakeEntries(4, 1, 1, kPayloadBytes)).ok());
  fs_.InjectSyncErrors(1);
  EXPECT_TRUE(log->Flush().IsIoError());
  EXPECT_TRUE(log->NeedsReopen());
  EXPECT_FALSE(log->Append(MakeEntries(5, 1, 1, kPayloadBytes)).ok()) << "no write after a failed fsync";

  log.reset();
  log = Open();
  EXPECT_FALSE(log->NeedsReopen());
  ASSERT_TRUE(log->Append(MakeEntries(log->LastIndex().value() + 1, 1, 1, kPayloadBytes)).ok());
}

}  // namespace
}  // namespace raftmq::storage
