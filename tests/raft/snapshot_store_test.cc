// SnapshotStore (raft/snapshot_store.h) on a real directory: what it keeps, what Open cleans,
// and how a received snapshot becomes the node's own.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "raft/snapshot_store.h"
#include "tests/support/temp_dir.h"

namespace raftmq::raft {
namespace {

using storage::SnapshotMeta;
const storage::ConfState kConfiguration{.voters = {1, 2, 3}};

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

// Writes one file named after the snapshot.
Status WriteOneFile(const std::string& dir, const std::string& content) {
  std::ofstream(dir + "/state") << content;
  return Status::Ok();
}

class SnapshotStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SnapshotStore> Open() {
    auto store = SnapshotStore::Open(storage::DefaultFs(), root_.path(), kConfiguration);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  Status Save(SnapshotStore& store, SnapshotMeta meta) {
    return store.Save(meta, [&](const std::string& dir) { return WriteOneFile(dir, std::to_string(meta.index.value())); });
  }

  test_support::TempDir root_{"raftmq_snapshot_store"};
};

TEST_F(SnapshotStoreTest, KeepsTheNewestSnapshotsAndFindsThemAfterAReopen) {
  auto store = Open();
  EXPECT_FALSE(store->Latest().value().has_value());
  for (uint64_t index : {10, 20, 30}) ASSERT_TRUE(Save(*store, {Index(index), Term(2)}).ok());
  EXPECT_EQ(SnapshotMeta({Index(30), Term(2), kConfiguration}), store->Latest().value());
  EXPECT_TRUE(store->DirOf({Index(10), Term(2)}).status().IsNotFound()) << "beyond kSnapshotsKept";
  EXPECT_FALSE(Exists(root_.Sub("snapshot-2-10")));
  ASSERT_TRUE(store->DirOf({Index(20), Term(2)}).ok());
  EXPECT_TRUE(store->DirOf({Index(20), Term(1)}).status().IsNotFound());
  ASSERT_TRUE(Save(*store, {Index(30), Term(2)}).ok()) << "saving what it holds writes nothing";

  store = Open();
  EXPECT_EQ(SnapshotMeta({Index(30), Term(2), kConfiguration}), store->Latest().value());
  EXPECT_TRUE(store->Holds({Index(20), Term(2)}));
}

TEST_F(SnapshotStoreTest, AFailedSaveLeavesNothingAndOpenRemovesWhatACrashLeft) {
  auto store = Open();
  const Status failed = store->Save({Index(5), Term(1)}, [](const std::string& dir) {
    (void)WriteOneFile(dir, "half");
    return Status::NoSpace("disk full");
  });
  EXPECT_TRUE(failed.IsNoSpace()) << failed.ToString();
  EXPECT_FALSE(store->Latest().value().has_value());
  EXPECT_FALSE(Exists(root_.Sub("saving-5")));

  std::filesystem::create_directory(root_.Sub("saving-7"));  // a crash mid-save
  store = Open();
  EXPECT_FALSE(Exists(root_.Sub("saving-7")));
  EXPECT_FALSE(store->Latest().value().has_value());
}

TEST_F(SnapshotStoreTest, AdoptsTheNewestReceivedCopyAndDropsOlderReceivedOnes) {
  auto store = Open();
  const SnapshotMeta meta{Index(40), Term(3)};  // as a kSnapshot names it: by index and term
  EXPECT_FALSE(store->Holds(meta));
  EXPECT_TRUE(store->Adopt(meta).status().IsNotFound());
  for (const char* name : {"received-3-40-1", "received-3-40-4", "received-2-35-0", "received-3-50-2"}) {
    std::filesystem::create_directory(root_.Sub(name));
    ASSERT_TRUE(WriteOneFile(root_.Sub(name), name).ok());
  }
  EXPECT_TRUE(store->Holds(meta));
  auto dir = store->Adopt(meta);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(root_.Sub("snapshot-3-40"), *dir);
  std::ifstream state(*dir + "/state");
  std::string content;
  state >> content;
  EXPECT_EQ("received-3-40-4", content) << "the newest transfer of it";
  EXPECT_EQ(SnapshotMeta({meta.index, meta.term, kConfiguration}), store->Latest().value());
  EXPECT_FALSE(Exists(root_.Sub("received-3-40-1")));
  EXPECT_FALSE(Exists(root_.Sub("received-2-35-0")));
  EXPECT_TRUE(Exists(root_.Sub("received-3-50-2"))) << "newer than what it holds: may still be installed";
  EXPECT_EQ(*dir, store->Adopt(meta).value()) << "adopting again finds its own";
}

TEST_F(SnapshotStoreTest, ASnapshotCarriesTheConfigurationAsOfItsIndexAcrossAReopen) {
  const storage::ConfState four{.voters = {1, 2, 3}, .learners = {4}};
  const storage::ConfState promoted{.voters = {1, 2, 3, 4}};
  auto store = Open();
  store->NoteConfiguration({Index(12), four});
  store->NoteConfiguration({Index(20), promoted});
  ASSERT_TRUE(Save(*store, {Index(10), Term(1)}).ok());
  EXPECT_EQ(store->Latest().value()->conf_state, kConfiguration) << "before the first change: the bootstrap one";
  ASSERT_TRUE(Save(*store, {Index(15), Term(1)}).ok());
  EXPECT_EQ(store->Latest().value()->conf_state, four);

  // Reopened with other bootstrap voters and nothing noted: the files answer.
  auto reopened = SnapshotStore::Open(storage::DefaultFs(), root_.path(), storage::ConfState{.voters = {7}});
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->Latest().value()->conf_state, four);

  // A received snapshot takes the leader's configuration, kept across a reopen too.
  std::filesystem::create_directory(root_.Sub("received-2-30-0"));
  ASSERT_TRUE(WriteOneFile(root_.Sub("received-2-30-0"), "30").ok());
  ASSERT_TRUE((*reopened)->Adopt({Index(30), Term(2), promoted}).ok());
  reopened = SnapshotStore::Open(storage::DefaultFs(), root_.path(), kConfiguration);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->Latest().value(), SnapshotMeta({Index(30), Term(2), promoted}));
}

TEST_F(SnapshotStoreTest, ASnapshotBelowEveryNotedConfigurationCarriesNone) {
  auto store = Open();
  for (uint64_t index = 1; index <= SnapshotStore::kConfigurationsKept + 1; ++index) {
    store->NoteConfiguration({Index(index * 10), storage::ConfState{.voters = {index}}});
  }
  ASSERT_TRUE(Save(*store, {Index(5), Term(1)}).ok());
  EXPECT_TRUE(store->Latest().value()->conf_state.voters.empty()) << "Raft never sends it";
  EXPECT_FALSE(Exists(root_.Sub("snapshot-1-5/configuration")));
}

}  // namespace
}  // namespace raftmq::raft
