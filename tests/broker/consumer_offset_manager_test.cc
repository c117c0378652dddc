#include "broker/consumer_offset_manager.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

OffsetCommit Commit(const std::string& group, const std::string& topic, int32_t queue, int64_t offset) {
  OffsetCommit commit;
  commit.set_consumer_group(group);
  commit.set_topic(topic);
  commit.set_queue_id(queue);
  commit.set_offset(offset);
  return commit;
}

class ConsumerOffsetManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::MetaStore::Open(dir_.Sub("meta"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    manager_ = std::make_unique<ConsumerOffsetManager>(store_.get());
  }
  void Apply(const CommitOffsetsCommand& command) {
    auto batch = store_->NewBatch();
    manager_->Apply(command, &batch);
    ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  }

  test_support::TempDir dir_;
  std::unique_ptr<storage::MetaStore> store_;
  std::unique_ptr<ConsumerOffsetManager> manager_;
};

TEST_F(ConsumerOffsetManagerTest, UnknownQueueHasNoOffset) {
  auto offset = manager_->Query("g", "t", 0);
  ASSERT_TRUE(offset.ok());
  EXPECT_FALSE(offset->has_value());
}

TEST_F(ConsumerOffsetManagerTest, LastCommitOfABatchWinsAndListIsOrdered) {
  CommitOffsetsCommand command;
  *command.add_commits() = Commit("g", "t", 1, 5);
  *command.add_commits() = Commit("g", "t", 0, 3);
  *command.add_commits() = Commit("g", "t", 1, 7);
  *command.add_commits() = Commit("other", "t", 0, 9);
  Apply(command);
  EXPECT_EQ(**manager_->Query("g", "t", 1), 7);
  auto list = manager_->List("g");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].queue_id, 0u);
  EXPECT_EQ((*list)[1].offset, 7u);
}

TEST_F(ConsumerOffsetManagerTest, InvalidCommitsInAnEntryAreSkipped) {
  CommitOffsetsCommand command;
  *command.add_commits() = Commit("bad group", "t", 0, 1);
  *command.add_commits() = Commit("g", "t", -1, 1);
  *command.add_commits() = Commit("g", "t", 0, -1);
  *command.add_commits() = Commit("g", "t", 2, 4);
  Apply(command);
  EXPECT_FALSE(manager_->Query("g", "t", 0)->has_value());
  EXPECT_EQ(**manager_->Query("g", "t", 2), 4);
}

TEST(ConsumerOffsetCheck, NamesWhatIsWrong) {
  EXPECT_TRUE(ConsumerOffsetManager::CheckCommit(Commit("g", "t", 0, 0)).ok());
  grpc::Status status = ConsumerOffsetManager::CheckCommit(Commit("g", "t", 0, -5));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("offset"), std::string::npos);
}

}  // namespace
}  // namespace raftmq::broker
