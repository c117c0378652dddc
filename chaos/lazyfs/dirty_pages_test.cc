// DirtyPages on a real file: unsynced writes are visible through it but not in the file, a
// sync makes them durable, a power cut (DropAll) loses exactly what was not synced.
#include "dirty_pages.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace raftmq::chaos::lazyfs {
namespace {

constexpr uint64_t kPlenty = 1u << 30;

class DirtyPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub("file");
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT, 0644);
    ASSERT_GE(fd_, 0);
    struct stat stats {};
    ASSERT_EQ(::fstat(fd_, &stats), 0);
    ino_ = stats.st_ino;
  }
  void TearDown() override { ::close(fd_); }

  ssize_t Write(const std::string& data, off_t offset, uint64_t free_bytes = kPlenty) {
    struct stat stats {};
    ::fstat(fd_, &stats);
    return pages_.Write(fd_, ino_, stats.st_size, data.data(), data.size(), offset, free_bytes);
  }
  std::string Read(size_t size, off_t offset) {
    std::string out(size, '?');
    ssize_t got = pages_.Read(fd_, ino_, out.data(), size, offset);
    out.resize(got < 0 ? 0 : static_cast<size_t>(got));
    return out;
  }
  std::string OnDisk() {
    std::string out(1 << 16, '\0');
    ssize_t got = ::pread(fd_, out.data(), out.size(), 0);
    out.resize(got < 0 ? 0 : static_cast<size_t>(got));
    return out;
  }

  test_support::TempDir dir_{"raftmq_lazyfs"};
  std::string path_;
  int fd_ = -1;
  ino_t ino_ = 0;
  DirtyPages pages_;
};

TEST_F(DirtyPagesTest, UnsyncedWritesAreReadableButNotInTheFile) {
  ASSERT_EQ(Write("hello", 0), 5);
  EXPECT_EQ(Read(100, 0), "hello");
  EXPECT_EQ(pages_.Size(ino_), 5);
  EXPECT_EQ(OnDisk(), "");
}

TEST_F(DirtyPagesTest, SyncMakesWritesDurableAndAPowerCutKeepsThem) {
  ASSERT_EQ(Write("synced", 0), 6);
  ASSERT_EQ(pages_.Sync(fd_, ino_), 0);
  ASSERT_EQ(Write("+lost", 6), 5);
  EXPECT_EQ(Read(100, 0), "synced+lost");
  EXPECT_GT(pages_.DropAll(), 0u);
  EXPECT_EQ(OnDisk(), "synced");
  EXPECT_EQ(Read(100, 0), "synced");
  EXPECT_EQ(pages_.Size(ino_), -1);
}

TEST_F(DirtyPagesTest, AWriteAcrossPagesOverExistingDataKeepsTheRest) {
  const std::string base(3 * kPageBytes, 'a');
  ASSERT_EQ(Write(base, 0), static_cast<ssize_t>(base.size()));
  ASSERT_EQ(pages_.Sync(fd_, ino_), 0);
  ASSERT_EQ(Write("XY", static_cast<off_t>(kPageBytes - 1)), 2);
  std::string expected = base;
  expected[kPageBytes - 1] = 'X';
  expected[kPageBytes] = 'Y';
  EXPECT_EQ(Read(base.size(), 0), expected);
  ASSERT_EQ(pages_.Sync(fd_, ino_), 0);
  EXPECT_EQ(OnDisk(), expected);
}

TEST_F(DirtyPagesTest, RefusesAWriteTheFileSystemCouldNotHoldWithNoSpace) {
  EXPECT_EQ(Write("x", 0, kPageBytes - 1), -ENOSPC);
  EXPECT_EQ(Write("x", 0, kPageBytes), 1);
}

TEST_F(DirtyPagesTest, TruncateDropsUnsyncedPagesPastTheNewEnd) {
  ASSERT_EQ(Write(std::string(2 * kPageBytes, 'b'), 0), static_cast<ssize_t>(2 * kPageBytes));
  ASSERT_EQ(::ftruncate(fd_, 10), 0);
  pages_.Truncate(ino_, 10);
  EXPECT_EQ(pages_.Size(ino_), 10);
  EXPECT_EQ(Read(100, 0), std::string(10, 'b'));
}

}  // namespace
}  // namespace raftmq::chaos::lazyfs
