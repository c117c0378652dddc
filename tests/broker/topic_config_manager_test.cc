#include "broker/topic_config_manager.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

admin::TopicConfig Topic(const std::string& name, int32_t queues = 8, int32_t perm = kPermReadWrite) {
  admin::TopicConfig config;
  config.set_name(name);
  config.set_read_queue_nums(queues);
  config.set_write_queue_nums(queues);
  config.set_perm(perm);
  return config;
}

class TopicConfigManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    manager_.reset();
    store_.reset();
    auto store = storage::MetaStore::Open(dir_.Sub("meta"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    manager_ = std::make_unique<TopicConfigManager>(store_.get());
    ASSERT_TRUE(manager_->Load().ok());
  }
  grpc::Status Create(const admin::TopicConfig& config, bool if_absent = false) {
    CreateTopicCommand command;
    *command.mutable_topic() = config;
    command.set_if_absent(if_absent);
    auto batch = store_->NewBatch();
    admin::TopicConfig result;
    grpc::Status status = manager_->ApplyCreate(command, &batch, &result);
    EXPECT_TRUE(store_->Write(std::move(batch)).ok());
    return status;
  }

  test_support::TempDir dir_;
  std::unique_ptr<storage::MetaStore> store_;
  std::unique_ptr<TopicConfigManager> manager_;
};

TEST_F(TopicConfigManagerTest, CreatedTopicIsFoundAndSurvivesReload) {
  ASSERT_TRUE(Create(Topic("orders", 4)).ok());
  Reopen();
  auto found = manager_->Find("orders");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->write_queue_nums(), 4);
  EXPECT_EQ(manager_->List().size(), 1u);
}

TEST_F(TopicConfigManagerTest, CreatingAnExistingTopicAnswersAlreadyExistsAndKeepsIt) {
  ASSERT_TRUE(Create(Topic("orders", 4)).ok());
  EXPECT_EQ(Create(Topic("orders", 2)).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_TRUE(Create(Topic("orders", 2), /*if_absent=*/true).ok());
  EXPECT_EQ(manager_->Find("orders")->write_queue_nums(), 4);
}

TEST_F(TopicConfigManagerTest, UpdateAndDeleteOfAnUnknownTopicAnswerNotFound) {
  auto batch = store_->NewBatch();
  admin::TopicConfig result;
  UpdateTopicCommand update;
  *update.mutable_topic() = Topic("nope");
  EXPECT_EQ(manager_->ApplyUpdate(update, &batch, &result).error_code(), grpc::StatusCode::NOT_FOUND);
  DeleteTopicCommand del;
  del.set_name("nope");
  EXPECT_EQ(manager_->ApplyDelete(del, &batch, &result).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(batch.Count(), 0u);
  EXPECT_EQ(manager_->Count(), 0u);
}

TEST_F(TopicConfigManagerTest, UpdateChangesPermAndDeleteRemovesDurably) {
  ASSERT_TRUE(Create(Topic("orders")).ok());
  auto batch = store_->NewBatch();
  admin::TopicConfig result;
  UpdateTopicCommand update;
  *update.mutable_topic() = Topic("orders", 8, kPermRead);
  ASSERT_TRUE(manager_->ApplyUpdate(update, &batch, &result).ok());
  EXPECT_EQ(manager_->Find("orders")->perm(), kPermRead);
  DeleteTopicCommand del;
  del.set_name("orders");
  ASSERT_TRUE(manager_->ApplyDelete(del, &batch, &result).ok());
  ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  Reopen();
  EXPECT_FALSE(manager_->Find("orders").has_value());
}

TEST(TopicConfigCheck, RefusesBadNamesQueueCountsAndPermBits) {
  BrokerOptions options;
  EXPECT_TRUE(TopicConfigManager::CheckConfig(Topic("ok"), options).ok());
  EXPECT_EQ(TopicConfigManager::CheckConfig(Topic("bad name"), options).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(TopicConfigManager::CheckConfig(Topic("t", 0), options).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(TopicConfigManager::CheckConfig(Topic("t", options.topic_queue_nums_max + 1), options).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(TopicConfigManager::CheckConfig(Topic("t", 8, 1), options).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace raftmq::broker
