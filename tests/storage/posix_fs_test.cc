#include <gtest/gtest.h>

#include <algorithm>

#include "storage/fs.h"
#include "storage_test_util.h"

namespace raftmq::storage {
namespace {

TEST(PosixFs, AppendsAndReadsBackWhatWasWritten) {
  TempDir dir;
  Fs* fs = DefaultFs();
  std::string path = dir.path() + "/file";
  auto file = fs->OpenAppendable(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  EXPECT_EQ(11u, (*file)->Size());
  auto reader = fs->OpenReadable(path);
  ASSERT_TRUE(reader.ok());
  char scratch[32];
  auto got = (*reader)->Read(6, 32, scratch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ("world", *got);  // short at EOF
  EXPECT_EQ(11u, *fs->FileSize(path));
}

TEST(PosixFs, StartWritebackSucceedsAndLeavesTheContentAlone) {
  TempDir dir;
  std::string path = dir.path() + "/file";
  auto file = DefaultFs()->OpenAppendable(path);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(std::string(10000, 'x')).ok());
  Status started = (*file)->StartWriteback(4096, 5904);
  EXPECT_TRUE(started.ok()) << started.ToString();
  EXPECT_EQ(10000u, *DefaultFs()->FileSize(path));
  ASSERT_TRUE((*file)->Sync().ok());
}

TEST(PosixFs, ReopeningForAppendKeepsTheContent) {
  TempDir dir;
  Fs* fs = DefaultFs();
  std::string path = dir.path() + "/file";
  ASSERT_TRUE((*fs->OpenAppendable(path))->Append("abc").ok());
  auto file = fs->OpenAppendable(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(3u, (*file)->Size());
  ASSERT_TRUE((*file)->Append("d").ok());
  EXPECT_EQ(4u, *fs->FileSize(path));
}

TEST(PosixFs, ListsRenamesTruncatesAndRemoves) {
  TempDir dir;
  Fs* fs = DefaultFs();
  ASSERT_TRUE(fs->CreateDirs(dir.path() + "/a/b").ok());
  ASSERT_TRUE(fs->CreateDirs(dir.path() + "/a/b").ok());
  ASSERT_TRUE((*fs->OpenAppendable(dir.path() + "/a/x"))->Append("123456").ok());
  ASSERT_TRUE(fs->Rename(dir.path() + "/a/x", dir.path() + "/a/y").ok());
  auto names = fs->ListDir(dir.path() + "/a");
  ASSERT_TRUE(names.ok());
  std::sort(names->begin(), names->end());
  EXPECT_EQ((std::vector<std::string>{"b", "y"}), *names);
  ASSERT_TRUE(fs->Truncate(dir.path() + "/a/y", 2).ok());
  EXPECT_EQ(2u, *fs->FileSize(dir.path() + "/a/y"));
  ASSERT_TRUE(fs->SyncDir(dir.path() + "/a").ok());
  ASSERT_TRUE(fs->RemoveFile(dir.path() + "/a/y").ok());
  EXPECT_FALSE(fs->Exists(dir.path() + "/a/y"));
}

TEST(PosixFs, ReportsMissingFilesAsNotFoundAndOtherErrorsWithPathAndReason) {
  TempDir dir;
  Fs* fs = DefaultFs();
  EXPECT_TRUE(fs->OpenReadable(dir.path() + "/missing").status().IsNotFound());
  EXPECT_TRUE(fs->FileSize(dir.path() + "/missing").status().IsNotFound());
  Status removed = fs->RemoveFile(dir.path() + "/missing");
  EXPECT_TRUE(removed.IsIoError());
  EXPECT_NE(std::string::npos, removed.message().find(dir.path() + "/missing"));
  EXPECT_NE(std::string::npos, removed.message().find("No such file"));
}

TEST(PosixFs, ReportsDiskSpaceAndModificationTime) {
  TempDir dir;
  Fs* fs = DefaultFs();
  auto space = fs->SpaceOf(dir.path());
  ASSERT_TRUE(space.ok());
  EXPECT_GT(space->total_bytes, 0u);
  EXPECT_LE(space->available_bytes, space->total_bytes);
  ASSERT_TRUE((*fs->OpenAppendable(dir.path() + "/f"))->Append("x").ok());
  auto modified = fs->ModifiedTimeSeconds(dir.path() + "/f");
  ASSERT_TRUE(modified.ok());
  EXPECT_GT(*modified, 1'600'000'000);
}

}  // namespace
}  // namespace raftmq::storage
