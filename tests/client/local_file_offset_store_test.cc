#include "client/local_file_offset_store.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace raftmq::client {
namespace {

TEST(LocalFileOffsetStore, PersistsOffsetsAcrossReopen) {
  test_support::TempDir dir("client_offsets");
  const auto path = std::filesystem::path(dir.path()) / "consumer" / "group" / "offsets.json";
  const MessageQueue q0{"t", "g1", 0};
  const MessageQueue q1{"t", "g2", 3};
  {
    auto store = LocalFileOffsetStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_TRUE((*store)->Read(q0).status().IsNotFound());
    (*store)->Update(q0, 17);
    (*store)->Update(q1, 4);
    ASSERT_TRUE((*store)->PersistAll().ok());
    (*store)->Update(q0, 18);  // not persisted: lost with the process
  }
  auto reopened = LocalFileOffsetStore::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(*(*reopened)->Read(q0), 17);
  EXPECT_EQ(*(*reopened)->Read(q1), 4);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp")) << "the temporary file is renamed away";
}

TEST(LocalFileOffsetStore, RefusesACorruptFileNamingIt) {
  test_support::TempDir dir("client_offsets");
  const auto path = dir.WriteFile("offsets.json", R"({"offsets":[{"topic":"t","queue_id":"x"}]})");
  auto store = LocalFileOffsetStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().IsCorruption()) << store.status().ToString();
  EXPECT_NE(store.status().message().find(path), std::string::npos);

  const auto garbage = dir.WriteFile("garbage.json", "not json");
  EXPECT_TRUE(LocalFileOffsetStore::Open(garbage).status().IsCorruption());
}

}  // namespace
}  // namespace raftmq::client
