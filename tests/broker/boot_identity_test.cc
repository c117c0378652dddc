// The boot id recorded with the data tells a process crash (same boot: fast path) from a power
// loss (new boot: under async flush the node recovers before it votes or counts).
#include "broker/boot_identity.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

class BootIdentity : public testing::Test {
 protected:
  void SetUp() override {
    options_.data_dir = dir_.path() + "/data";
    options_.boot_id_file = dir_.path() + "/boot_id";
    ASSERT_TRUE(storage::DefaultFs()->CreateDirs(options_.data_dir).ok());
    SetBootId("boot-1");
  }
  void SetBootId(const std::string& id) { std::ofstream(options_.boot_id_file) << id << "\n"; }
  bool MayHaveLost(bool log_holds_entries) {
    Result<BootCheck> check = CheckBootId(storage::DefaultFs(), options_, log_holds_entries);
    EXPECT_TRUE(check.ok()) << check.status().ToString();
    return check.ok() && check->may_have_lost_acknowledged_entries;
  }

  test_support::TempDir dir_;
  BrokerOptions options_;
};

TEST_F(BootIdentity, SameBootIsAProcessCrashAndANewBootUnderAsyncIsAPowerLoss) {
  EXPECT_FALSE(MayHaveLost(/*log_holds_entries=*/false));  // a new data dir
  ASSERT_TRUE(RecordBootId(storage::DefaultFs(), options_, "boot-1").ok());
  EXPECT_FALSE(MayHaveLost(true));  // kill -9: same boot, page cache kept
  SetBootId("boot-2");
  EXPECT_TRUE(MayHaveLost(true));   // power loss
  EXPECT_TRUE(MayHaveLost(true));   // still, until the node records the new id once caught up
  ASSERT_TRUE(RecordBootId(storage::DefaultFs(), options_, "boot-2").ok());
  EXPECT_FALSE(MayHaveLost(true));
}

TEST_F(BootIdentity, SyncFlushNeverRecovers) {
  options_.flush_disk_type = "sync";
  ASSERT_TRUE(RecordBootId(storage::DefaultFs(), options_, "boot-1").ok());
  SetBootId("boot-2");
  EXPECT_FALSE(MayHaveLost(true));
}

// A wiped node records its boot id only once caught up: restarted before, it holds entries and
// no boot id, and must go on recovering as one that forgot its term, under either flush.
TEST_F(BootIdentity, EntriesWithoutARecordedBootIdAreAWipeNotYetRecovered) {
  for (const char* flush : {"async", "sync"}) {
    SCOPED_TRACE(flush);
    options_.flush_disk_type = flush;
    Result<BootCheck> check = CheckBootId(storage::DefaultFs(), options_, /*log_holds_entries=*/true);
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_TRUE(check->may_have_lost_acknowledged_entries);
    EXPECT_TRUE(check->may_have_forgotten_term);
  }
  EXPECT_FALSE(MayHaveLost(/*log_holds_entries=*/false)) << "an empty dir: Raft sees the wipe itself";
}

TEST_F(BootIdentity, UnreadableBootIdFileIsAnError) {
  options_.boot_id_file = dir_.path() + "/missing";
  EXPECT_FALSE(CheckBootId(storage::DefaultFs(), options_, false).ok());
}

}  // namespace
}  // namespace raftmq::broker
