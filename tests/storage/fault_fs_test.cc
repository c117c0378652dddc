#include "storage/fault_fs.h"

#include <gtest/gtest.h>

#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

class FaultFsTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  std::string Contents(const std::string& name) {
    auto reader = fs_.OpenReadable(Path(name));
    RMQ_ASSERT(reader.ok());
    std::string scratch(1024, '\0');
    return std::string(*(*reader)->Read(0, scratch.size(), scratch.data()));
  }

  TempDir dir_;
  FaultFs fs_{DefaultFs()};
};

TEST_F(FaultFsTest, CrashKeepsSyncedBytesAndDropsTheRest) {
  auto file = fs_.OpenAppendable(Path("f"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE((*file)->Append("durable").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append("-lost").ok());
  fs_.Crash();
  fs_.Restart();
  EXPECT_EQ("durable", Contents("f"));
}

TEST_F(FaultFsTest, CrashCanKeepPartOfTheUnsyncedBytes) {
  auto file = fs_.OpenAppendable(Path("f"));
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE((*file)->Append("abc").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append("defgh").ok());
  fs_.Crash({.unsynced_bytes_kept = 2});
  fs_.Restart();
  EXPECT_EQ("abcde", Contents("f"));
}

TEST_F(FaultFsTest, CrashForgetsAFileWhoseCreationWasNotSynced) {
  auto file = fs_.OpenAppendable(Path("new"));
  ASSERT_TRUE((*file)->Append("x").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  fs_.Crash();
  fs_.Restart();
  EXPECT_FALSE(fs_.Exists(Path("new")));
}

TEST_F(FaultFsTest, HandlesOpenedBeforeACrashFailAfterIt) {
  auto file = fs_.OpenAppendable(Path("f"));
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  fs_.Crash();
  EXPECT_TRUE(fs_.OpenAppendable(Path("g")).status().IsIoError()) << "down until Restart";
  fs_.Restart();
  EXPECT_TRUE((*file)->Append("x").IsIoError());
  EXPECT_TRUE((*file)->Sync().IsIoError());
  EXPECT_EQ(0u, *fs_.FileSize(Path("f")));
}

TEST_F(FaultFsTest, TornAppendWritesOnlyThePrefixAndFails) {
  auto file = fs_.OpenAppendable(Path("f"));
  fs_.InjectTornAppend(3);
  EXPECT_TRUE((*file)->Append("abcdef").IsIoError());
  EXPECT_EQ("abc", Contents("f"));
  EXPECT_TRUE((*file)->Append("g").ok());  // only the next append was torn
  EXPECT_EQ("abcg", Contents("f"));
}

TEST_F(FaultFsTest, FailedSyncMakesNothingDurable) {
  auto file = fs_.OpenAppendable(Path("f"));
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  ASSERT_TRUE((*file)->Append("abc").ok());
  fs_.InjectSyncErrors(1);
  EXPECT_TRUE((*file)->Sync().IsIoError());
  EXPECT_EQ(0u, fs_.SyncedSize(Path("f")));
  fs_.Crash();
  fs_.Restart();
  EXPECT_EQ("", Contents("f"));
}

TEST_F(FaultFsTest, AppendBudgetRunsOutWithNoSpaceAndCanBeLifted) {
  auto file = fs_.OpenAppendable(Path("f"));
  fs_.SetAppendBudgetBytes(5);
  ASSERT_TRUE((*file)->Append("abc").ok());
  EXPECT_TRUE((*file)->Append("defg").IsNoSpace());
  EXPECT_EQ("abcde", Contents("f"));
  EXPECT_TRUE((*file)->Append("x").IsNoSpace());
  fs_.SetAppendBudgetBytes(std::nullopt);
  EXPECT_TRUE((*file)->Append("x").ok());
}

TEST_F(FaultFsTest, CountsSyncsAndReportsInjectedDiskSpace) {
  auto file = fs_.OpenAppendable(Path("f"));
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE(fs_.SyncDir(dir_.path()).ok());
  EXPECT_EQ(2u, fs_.SyncCount());
  fs_.SetDiskSpace(DiskSpace{.total_bytes = 100, .available_bytes = 10});
  EXPECT_EQ(10u, fs_.SpaceOf(dir_.path())->available_bytes);
}

}  // namespace
}  // namespace raftmq::storage
