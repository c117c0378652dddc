// MetaStore on a full disk (a small tmpfs, so the test needs root; skipped otherwise): writes fail
// with NoSpace and change nothing, reads go on, and once space returns writes succeed again without
// a restart. RocksDB 7.8 (Debian 12) aborts the process when a write follows DB::Resume() after a
// failed WAL write (the retry goes through the failed WAL writer, facebook/rocksdb#12448): this
// test is what catches a store that resumes that way.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "storage/meta_store.h"
#include "storage_test_util.h"
#include "tests/support/small_filesystem.h"

namespace raftmq::storage {
namespace {

constexpr uint64_t kFilesystemMb = 16;
// Incompressible values, far above the WAL space RocksDB may have preallocated, and in all four
// times the file system: some write must fail.
constexpr size_t kValueBytes = 1 << 20;
constexpr int kWritesMax = 64;

std::string IncompressibleValue(int seed) {
  std::mt19937_64 random(static_cast<uint64_t>(seed));
  std::string value(kValueBytes, '\0');
  for (char& byte : value) byte = static_cast<char>(random());
  return value;
}

TEST(MetaStoreDiskFull, WritesFailWithNoSpaceWhileFullAndSucceedOnceSpaceReturns) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: the test mounts a small tmpfs";
  TempDir dir;
  test_support::SmallFilesystems filesystems(kFilesystemMb);
  if (Status mounted = filesystems.Mount(dir.path()); !mounted.ok()) GTEST_SKIP() << mounted.ToString();
  const std::string store_dir = dir.path() + "/meta";
  auto opened = MetaStore::Open(store_dir);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<MetaStore> store = std::move(opened).value();
  ASSERT_TRUE(store->SaveConsumerOffset({"group", "topic", 0}, 7).ok());

  const std::string filler = test_support::FillUp(dir.path());
  Status failed = Status::Ok();
  for (int write = 0; write < kWritesMax && failed.ok(); ++write) {
    failed = store->Write([&] {
      MetaWriteBatch batch = store->NewBatch();
      EXPECT_TRUE(batch.PutTopic("full-" + std::to_string(write), IncompressibleValue(write)).ok());
      return batch;
    }());
  }
  ASSERT_TRUE(failed.IsNoSpace()) << "no write failed with NoSpace on a full disk: " << failed.ToString();
  // More writes while full: refused alike (the process must not abort), reads
  // go on.
  for (int write = 0; write < 3; ++write) {
    Status again = store->SaveConsumerOffset({"group", "topic", 0}, 100 + write, Durability::kSync);
    EXPECT_FALSE(again.ok()) << "write " << write << " succeeded on a full disk";
  }
  auto offset = store->LoadConsumerOffset({"group", "topic", 0});
  ASSERT_TRUE(offset.ok()) << "a read failed while the disk was full: " << offset.status().ToString();
  EXPECT_EQ(*offset, 7u);

  std::filesystem::remove(filler);
  Status resumed = store->SaveConsumerOffset({"group", "topic", 0}, 8, Durability::kSync);
  ASSERT_TRUE(resumed.ok()) << "a write failed once space returned: " << resumed.ToString();
  store.reset();
  auto reopened = MetaStore::Open(store_dir);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto durable = (*reopened)->LoadConsumerOffset({"group", "topic", 0});
  ASSERT_TRUE(durable.ok()) << durable.status().ToString();
  EXPECT_EQ(*durable, 8u);
}

}  // namespace
}  // namespace raftmq::storage
