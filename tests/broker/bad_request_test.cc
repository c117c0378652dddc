// Every bad request gets its documented status and changes nothing (the log does not grow).
#include "tests/broker/service_fixture.h"

namespace raftmq::broker::testing {
namespace {

class BadRequestTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    ASSERT_TRUE(CreateTopic("orders").ok());
    ASSERT_TRUE(CreateTopic("readonly", 4, kPermRead).ok());
    ASSERT_TRUE(Send(Batch("orders", 0, 2)).ok());
    last_ = log_.LastIndex();
  }
  void TearDown() override {
    EXPECT_EQ(log_.LastIndex(), last_) << "a refused request reached the log";
    ServiceFixture::TearDown();
  }
  Index last_;
};

TEST_F(BadRequestTest, MalformedSendsAreInvalidArgument) {
  auto mixed = Batch("orders", 0, 2);
  mixed.mutable_messages(1)->set_topic("other");
  auto empty_body = Batch("orders", 0, 1);
  empty_body.mutable_messages(0)->clear_body();
  auto oversized = Batch("orders", 0, 1);
  oversized.mutable_messages(0)->set_body(std::string(BrokerOptions().max_message_size_bytes + 1, 'x'));
  std::vector<std::pair<std::string, messaging::SendMessageRequest>> cases = {
      {"no messages", messaging::SendMessageRequest()},
      {"bad topic name", Batch("bad topic", 0, 1)},
      {"long topic name", Batch(std::string(128, 't'), 0, 1)},
      {"mixed topics", mixed},
      {"empty body", empty_body},
      {"oversized", oversized},
      {"negative queue", Batch("orders", -1, 1)},
      {"queue past write_queue_nums", Batch("orders", 4, 1)},
      {"too many messages", Batch("orders", 0, static_cast<int>(BrokerOptions().batch_messages_max) + 1)},
  };
  for (const auto& [name, request] : cases) {
    EXPECT_EQ(Send(request).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
  }
}

TEST_F(BadRequestTest, SendToUnknownTopicIsNotFoundAndToReadOnlyTopicPermissionDenied) {
  EXPECT_EQ(Send(Batch("unknown", 0, 1)).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Send(Batch("readonly", 0, 1)).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_FALSE(components_->topics()->Find("unknown").has_value());
}

TEST_F(BadRequestTest, PullsOutsideTheQueueAreOutOfRangeWithItsBounds) {
  messaging::PullMessageResponse pulled;
  grpc::ClientContext context;
  EXPECT_EQ(DoPull(Pull("orders", 0, 3), &pulled, &context).error_code(), grpc::StatusCode::OUT_OF_RANGE);
  auto max = context.GetServerTrailingMetadata().find(kMaxOffsetKey);
  ASSERT_NE(max, context.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(max->second.data(), max->second.size()), "2");
  EXPECT_EQ(DoPull(Pull("orders", 0, -1), &pulled).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DoPull(Pull("orders", 9, 0), &pulled).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(DoPull(Pull("unknown", 0, 0), &pulled).error_code(), grpc::StatusCode::NOT_FOUND);
  auto bad_tags = Pull("orders", 0, 0);
  bad_tags.set_tag_expression("a || ");
  EXPECT_EQ(DoPull(bad_tags, &pulled).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(BadRequestTest, OffsetCommitsPastTheQueueOrOnUnknownTopicsAreRefused) {
  auto commit = [&](const std::string& topic, int64_t offset, const std::string& group = "group") {
    messaging::CommitOffsetRequest request;
    request.set_consumer_group(group);
    request.set_topic(topic);
    request.set_queue_id(0);
    request.set_offset(offset);
    messaging::CommitOffsetResponse response;
    grpc::ClientContext context;
    return messaging_->CommitOffset(&context, request, &response).error_code();
  };
  EXPECT_EQ(commit("orders", 3), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(commit("orders", -1), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(commit("orders", 1, "bad group"), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(commit("unknown", 0), grpc::StatusCode::NOT_FOUND);
}

TEST_F(BadRequestTest, BadTopicAdminCallsAreRefused) {
  EXPECT_EQ(CreateTopic("bad name").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateTopic("t", 0).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CreateTopic("t", 4, 1).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  last_ = last_ + 1;  // the duplicate create reaches the log: only apply can tell it exists
  EXPECT_EQ(CreateTopic("orders", 2).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(components_->topics()->Find("orders")->write_queue_nums(), 4);
}

}  // namespace
}  // namespace raftmq::broker::testing
