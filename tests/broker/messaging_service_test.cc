#include <future>

#include "tests/broker/service_fixture.h"

namespace raftmq::broker::testing {
namespace {

using namespace std::chrono_literals;
using test_support::Eventually;

class MessagingServiceTest : public ServiceFixture {};

TEST_F(MessagingServiceTest, SentBatchIsPulledBackInOrderWithItsQueueOffsets) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  messaging::SendMessageResponse sent;
  grpc::Status status = Send(Batch("orders", 2, 3, "tagA"), &sent);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(sent.results_size(), 3);
  EXPECT_EQ(sent.results(2).queue_offset(), 2);
  EXPECT_FALSE(sent.results(0).message_id().empty());

  messaging::PullMessageResponse pulled;
  ASSERT_TRUE(DoPull(Pull("orders", 2, 1), &pulled).ok());
  ASSERT_EQ(pulled.messages_size(), 2);
  EXPECT_EQ(pulled.messages(0).message().body(), "body-1");
  EXPECT_EQ(pulled.messages(0).message().tag(), "tagA");
  EXPECT_EQ(pulled.messages(0).message().message_id(), sent.results(1).message_id());
  EXPECT_EQ(pulled.messages(1).queue_offset(), 2);
  EXPECT_EQ(pulled.next_queue_offset(), 3);
  EXPECT_EQ(pulled.max_offset(), 3);
}

TEST_F(MessagingServiceTest, PullFiltersByTagAndMovesPastFilteredMessages) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  ASSERT_TRUE(Send(Batch("orders", 0, 2, "a")).ok());
  ASSERT_TRUE(Send(Batch("orders", 0, 2, "b")).ok());
  auto request = Pull("orders", 0, 0);
  request.set_tag_expression("b || c");
  messaging::PullMessageResponse pulled;
  ASSERT_TRUE(DoPull(request, &pulled).ok());
  ASSERT_EQ(pulled.messages_size(), 2);
  EXPECT_EQ(pulled.messages(0).message().tag(), "b");
  EXPECT_EQ(pulled.messages(0).queue_offset(), 2);
  EXPECT_EQ(pulled.next_queue_offset(), 4);
}

// The clock never moves here, so only the commit can answer the pull (the latency from commit
// to answer is a benchmark's business, not a test's).
TEST_F(MessagingServiceTest, HeldPullIsAnsweredByTheCommitOfItsQueue) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  messaging::PullMessageResponse pulled;
  auto pull = std::async(std::launch::async, [&] { return DoPull(Pull("orders", 1, 0, 10'000), &pulled); });
  ASSERT_TRUE(Eventually([&] { return components_->long_polling()->HeldCount() == 1; })) << "pull was never held";
  ASSERT_TRUE(Send(Batch("orders", 1, 1)).ok());
  ASSERT_EQ(pull.wait_for(20s), std::future_status::ready) << "the commit did not answer the held pull";
  ASSERT_TRUE(pull.get().ok());
  EXPECT_EQ(pulled.messages_size(), 1);
}

TEST_F(MessagingServiceTest, HeldPullTimesOutAtItsHoldTimeWithNoMessages) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  messaging::PullMessageResponse pulled;
  auto pull = std::async(std::launch::async, [&] { return DoPull(Pull("orders", 0, 0, 300), &pulled); });
  ASSERT_TRUE(Eventually([&] { return components_->long_polling()->HeldCount() == 1; })) << "pull was never held";
  AdvanceClockMs(299);
  EXPECT_EQ(pull.wait_for(200ms), std::future_status::timeout) << "answered before its hold time";
  AdvanceClockMs(1);
  ASSERT_EQ(pull.wait_for(20s), std::future_status::ready) << "not answered at its hold time";
  ASSERT_TRUE(pull.get().ok());
  EXPECT_EQ(pulled.messages_size(), 0);
  EXPECT_EQ(pulled.next_queue_offset(), 0);
}

TEST_F(MessagingServiceTest, FollowerRefusesWritesAndPullsWithTheLeadersAddress) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  replicator_->BecomeFollower(2);
  const Index last = log_.LastIndex();
  grpc::ClientContext context;
  grpc::Status status = Send(Batch("orders", 0, 1), nullptr, &context);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  auto hint = context.GetServerTrailingMetadata().find(kLeaderAddressKey);
  ASSERT_NE(hint, context.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(hint->second.data(), hint->second.size()), kOtherLeaderAddress);
  // Marked as the broker's own refusal: a client takes "not stored" from it, unlike an
  // UNAVAILABLE from a lost connection.
  EXPECT_EQ(context.GetServerTrailingMetadata().count(kRefusedKey), 1u);
  EXPECT_EQ(log_.LastIndex(), last);
  messaging::PullMessageResponse pulled;
  // Pulls follow the read rule (broker/pull_handler.h): the confirmed leader only.
  EXPECT_EQ(DoPull(Pull("orders", 0, 0), &pulled).error_code(), grpc::StatusCode::UNAVAILABLE)
      << "a follower served a pull it cannot vouch for";
}

TEST_F(MessagingServiceTest, NewLeaderServesOnlyOnceItsNoopIsApplied) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  replicator_->BecomeLeader(Term(2), /*apply_noop=*/false);
  grpc::ClientContext context;
  EXPECT_EQ(Send(Batch("orders", 0, 1), nullptr, &context).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(context.GetServerTrailingMetadata().count(kRefusedKey), 1u) << "a refusal, not a lost connection";
  replicator_->ApplyPending();
  EXPECT_TRUE(Send(Batch("orders", 0, 1)).ok());
}

TEST_F(MessagingServiceTest, CommittedOffsetIsQueriedBackAndUnknownIsNotFound) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  ASSERT_TRUE(Send(Batch("orders", 3, 5)).ok());
  messaging::QueryOffsetRequest query;
  query.set_consumer_group("group");
  query.set_topic("orders");
  query.set_queue_id(3);
  messaging::QueryOffsetResponse offset;
  EXPECT_EQ(Call(*messaging_, &MessagingStub::QueryOffset, query, &offset).error_code(), grpc::StatusCode::NOT_FOUND);
  messaging::CommitOffsetRequest commit;
  commit.set_consumer_group("group");
  commit.set_topic("orders");
  commit.set_queue_id(3);
  commit.set_offset(4);
  messaging::CommitOffsetResponse committed;
  ASSERT_TRUE(Call(*messaging_, &MessagingStub::CommitOffset, commit, &committed).ok());
  ASSERT_TRUE(Call(*messaging_, &MessagingStub::QueryOffset, query, &offset).ok());
  EXPECT_EQ(offset.offset(), 4);
}

class AutoCreateTest : public ServiceFixture {
 protected:
  BrokerOptions Options() const override {
    BrokerOptions options;
    options.auto_create_topic_enable = true;
    return options;
  }
};

TEST_F(AutoCreateTest, SendToAnUnknownTopicCreatesItWithDefaultQueueNums) {
  ASSERT_TRUE(Send(Batch("fresh", 7, 1)).ok());
  auto topic = components_->topics()->Find("fresh");
  ASSERT_TRUE(topic.has_value());
  EXPECT_EQ(topic->write_queue_nums(), 8);
}

TEST_F(MessagingServiceTest, DiskFullRefusesWritesWhileReadsGoOn) {
  ASSERT_TRUE(CreateTopic("orders").ok());
  ASSERT_TRUE(Send(Batch("orders", 0, 1)).ok());
  replicator_->FailProposals(Status::NoSpace("disk full"));
  EXPECT_EQ(Send(Batch("orders", 0, 1)).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  messaging::PullMessageResponse pulled;
  ASSERT_TRUE(DoPull(Pull("orders", 0, 0), &pulled).ok());
  EXPECT_EQ(pulled.messages_size(), 1);
}

TEST_F(MessagingServiceTest, HeartbeatsMakeTheSortedConsumerList) {
  for (const char* client : {"c2", "c1"}) {
    messaging::HeartbeatRequest beat;
    beat.set_client_id(client);
    beat.set_consumer_group("group");
    messaging::HeartbeatResponse ignored;
    ASSERT_TRUE(Call(*messaging_, &MessagingStub::Heartbeat, beat, &ignored).ok());
  }
  messaging::GetConsumerListRequest request;
  request.set_consumer_group("group");
  messaging::GetConsumerListResponse list;
  ASSERT_TRUE(Call(*messaging_, &MessagingStub::GetConsumerList, request, &list).ok());
  ASSERT_EQ(list.client_ids_size(), 2);
  EXPECT_EQ(list.client_ids(0), "c1");
}

}  // namespace
}  // namespace raftmq::broker::testing
