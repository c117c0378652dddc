// Send-back, delayed redelivery through %RETRY%<group> and the dead-letter queue.
#include <future>

#include "broker/delay_scheduler.h"
#include "broker/message_proposer.h"
#include "broker/names.h"
#include "tests/broker/service_fixture.h"

namespace raftmq::broker::testing {
namespace {

using namespace std::chrono_literals;

class RetryTest : public ServiceFixture {
 protected:
  BrokerOptions Options() const override {
    BrokerOptions options;
    options.message_delay_level = "50ms 100ms";
    options.max_reconsume_times = 1;
    options.schedule_interval_ms = 10;
    return options;
  }
  void SetUp() override {
    ServiceFixture::SetUp();
    scheduler_ = std::make_unique<DelayScheduler>(&context_);
    scheduler_->Start();
    ASSERT_TRUE(CreateTopic("orders").ok());
  }
  void TearDown() override {
    scheduler_->Stop();
    ServiceFixture::TearDown();
  }
  grpc::Status SendBack(const std::string& topic, int64_t offset, int32_t delay_level) {
    messaging::SendBackMessageRequest request;
    request.set_consumer_group("group");
    request.set_topic(topic);
    request.set_queue_id(0);
    request.set_queue_offset(offset);
    request.set_delay_level(delay_level);
    messaging::SendBackMessageResponse response;
    grpc::ClientContext context;
    return messaging_->SendBackMessage(&context, request, &response);
  }

  std::unique_ptr<DelayScheduler> scheduler_;
};

TEST_F(RetryTest, SentBackMessageReturnsThroughTheRetryTopicAfterItsDelay) {
  ASSERT_TRUE(Send(Batch("orders", 0, 1, "t")).ok());
  ASSERT_TRUE(SendBack("orders", 0, 1).ok());
  ASSERT_TRUE(components_->topics()->Find(RetryTopic("group")).has_value());
  auto early = scheduler_->RunOnce(clock_.UnixNowMs() + 49);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(*early, 0u) << "moved before its 50 ms delay";
  AdvanceClockMs(50);
  messaging::PullMessageResponse pulled;
  ASSERT_TRUE(DoPull(Pull(RetryTopic("group"), 0, 0, 20'000), &pulled).ok());
  ASSERT_EQ(pulled.messages_size(), 1);
  const messaging::MessageExt& retried = pulled.messages(0);
  EXPECT_EQ(retried.reconsume_times(), 1);
  EXPECT_EQ(retried.message().body(), "body-0");
  EXPECT_EQ(retried.message().topic(), RetryTopic("group"));
  EXPECT_EQ(retried.message().properties().at(std::string(kPropertyRetryTopic)), "orders");
  EXPECT_FALSE(retried.message().properties().contains(std::string(kPropertyRealTopic)));
}

TEST_F(RetryTest, MessageReconsumedMaxTimesGoesToTheDeadLetterQueue) {
  ASSERT_TRUE(Send(Batch("orders", 0, 1)).ok());
  ASSERT_TRUE(SendBack("orders", 0, 1).ok());
  AdvanceClockMs(50);
  messaging::PullMessageResponse pulled;
  ASSERT_TRUE(DoPull(Pull(RetryTopic("group"), 0, 0, 20'000), &pulled).ok());
  ASSERT_EQ(pulled.messages_size(), 1);
  ASSERT_TRUE(SendBack(RetryTopic("group"), 0, 0).ok());
  ASSERT_TRUE(DoPull(Pull(DlqTopic("group"), 0, 0), &pulled).ok());
  ASSERT_EQ(pulled.messages_size(), 1);
  EXPECT_EQ(pulled.messages(0).reconsume_times(), 2);
}

TEST_F(RetryTest, SendBackForAGroupWhoseRetryTopicWouldBeTooLongIsRefusedBeforeProposing) {
  ASSERT_TRUE(Send(Batch("orders", 0, 1)).ok());
  const Index last = log_.LastIndex();
  messaging::SendBackMessageRequest request;
  request.set_consumer_group(std::string(125, 'g'));  // %RETRY%<group>: 132 characters
  request.set_topic("orders");
  messaging::SendBackMessageResponse response;
  grpc::ClientContext context;
  grpc::Status status = messaging_->SendBackMessage(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("consumer group must have at most 120 characters"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(log_.LastIndex(), last) << "nothing was proposed";
}

TEST_F(RetryTest, SchedulerDropsAMessageWithoutAValidRealTopicAndMovesOn) {
  // Only the broker writes SCHEDULE_TOPIC_XXXX; this stands for a bug or an older broker's entry.
  storage::Message stray;
  stray.topic = std::string(kScheduleTopic);
  stray.body = "stray";
  stray.properties[std::string(kPropertyRealTopic)] = "%RETRY%" + std::string(125, 'g');
  stray.properties[std::string(kPropertyRealQueueId)] = "0";
  std::promise<Status> proposed;
  ProposeMessages(&*replicator_, std::span(&stray, 1),
                  [&proposed](Result<std::vector<int64_t>> offsets) { proposed.set_value(offsets.status()); });
  ASSERT_TRUE(proposed.get_future().get().ok());
  ASSERT_TRUE(Send(Batch("orders", 0, 1)).ok());
  ASSERT_TRUE(SendBack("orders", 0, 1).ok());
  AdvanceClockMs(50);  // the sent-back message is due
  messaging::PullMessageResponse pulled;
  ASSERT_TRUE(DoPull(Pull(RetryTopic("group"), 0, 0, 20'000), &pulled).ok());
  ASSERT_EQ(pulled.messages_size(), 1) << "the level stalled behind the stray message";
  EXPECT_EQ(components_->machine()->entries_skipped(), 0u) << "the stray message was never proposed";
}

TEST_F(RetryTest, SendBackOfAMissingMessageIsOutOfRangeAndChangesNothing) {
  const Index last = log_.LastIndex();
  EXPECT_EQ(SendBack("orders", 5, 0).error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(SendBack("unknown", 0, 0).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(log_.LastIndex(), last);
}

}  // namespace
}  // namespace raftmq::broker::testing
