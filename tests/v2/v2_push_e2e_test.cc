// The push consumer's side of the RocketMQ 5 protocol on the gRPC port of real raftmq-broker
// processes, through raw stubs as the official clients call it: the Settings a push consumer
// gets on its Telemetry stream (the group's retry policy), QueryAssignment on any node (every
// readable queue at its group's leader), ForwardMessageToDeadLetterQueue (the message copied
// to %DLQ%<group> and acknowledged), a retry made visible again at once by
// ChangeInvisibleDuration 0, and the documented codes of bad requests, each of which changes
// nothing. Calls carry an HMAC-SHA1 `authorization` header as clients with credentials send
// it: accepted and not checked. The brokers run with max_reconsume_times = 2.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/v2/v2_cluster_test.h"

namespace raftmq::e2e {
namespace {

constexpr char kGroup[] = "PushGroup";
constexpr int kReconsumeTimesMax = 2;
constexpr int64_t kInvisibleMs = 60000;
constexpr int64_t kLongPollingMs = 2000;

class V2Push : public V2ClusterTest {
 protected:
  static void SetUpTestSuite() {
    ASSERT_NO_FATAL_FAILURE(StartCluster(
        ClusterOptions{.broker_flags = {"--max_reconsume_times=" + std::to_string(kReconsumeTimesMax)}}));
  }
  static void TearDownTestSuite() { StopCluster(); }

  // As the official clients send it with credentials (BaseClient.getRequestMetadata).
  static std::unique_ptr<grpc::ClientContext> SignedContext() {
    auto context = ClientContext();
    context->AddMetadata("x-mq-date-time", "20261203T070000Z");
    context->AddMetadata("authorization",
                         "MQv2-HMAC-SHA1 Credential=AK, SignedHeaders=x-mq-date-time, Signature=0123456789ABCDEF");
    return context;
  }

  pb::QueryAssignmentResponse QueryAssignment(const std::string& topic, const std::string& group, int node) const {
    pb::QueryAssignmentRequest request;
    request.mutable_topic()->set_name(topic);
    request.mutable_group()->set_name(group);
    pb::QueryAssignmentResponse response;
    EXPECT_TRUE(Stub(node)->QueryAssignment(SignedContext().get(), request, &response).ok());
    return response;
  }

  pb::ForwardMessageToDeadLetterQueueResponse Forward(const std::string& topic, const std::string& handle,
                                                      int node = 0) const {
    pb::ForwardMessageToDeadLetterQueueRequest request;
    request.mutable_group()->set_name(kGroup);
    request.mutable_topic()->set_name(topic);
    request.set_receipt_handle(handle);
    request.set_delivery_attempt(1);
    request.set_max_delivery_attempts(kReconsumeTimesMax + 1);
    pb::ForwardMessageToDeadLetterQueueResponse response;
    EXPECT_TRUE(Stub(node == 0 ? leader_ : node)->ForwardMessageToDeadLetterQueue(SignedContext().get(), request,
                                                                                  &response)
                    .ok());
    return response;
  }

  std::vector<messaging::MessageExt> DeadLetters() const {
    std::vector<messaging::MessageExt> dead;
    grpc::Status pulled = PullToEnd(cluster_->Messaging(1, leader_), std::string("%DLQ%") + kGroup, 0, 0, &dead);
    EXPECT_TRUE(pulled.ok() || pulled.error_code() == grpc::StatusCode::NOT_FOUND) << pulled.error_message();
    return dead;
  }

  Received ReceiveOne(const std::string& topic) const {
    return Receive(ReceiveRequest(kGroup, topic, 1, kInvisibleMs, kLongPollingMs));
  }

  // A new topic of `count` messages whose first one is received (attempt 1): its handle.
  void CreateAndReceiveFirst(const std::string& topic, int count, std::string* handle) const {
    ASSERT_NO_FATAL_FAILURE(CreateWithMessages(topic, count));
    Received first = ReceiveOne(topic);
    ASSERT_EQ(first.messages.size(), 1u) << first.status.message();
    EXPECT_EQ(first.messages[0].system_properties().delivery_attempt(), 1);
    *handle = first.messages[0].system_properties().receipt_handle();
  }
};

TEST_F(V2Push, APushConsumerIsToldItsGroupsRetryPolicyOnTelemetry) {
  auto context = SignedContext();
  auto stream = Stub(Follower())->Telemetry(context.get());
  pb::TelemetryCommand command;
  pb::Settings* settings = command.mutable_settings();
  settings->set_client_type(pb::PUSH_CONSUMER);
  settings->mutable_subscription()->mutable_group()->set_name(kGroup);
  pb::SubscriptionEntry* entry = settings->mutable_subscription()->add_subscriptions();
  entry->mutable_topic()->set_name("PushSettings");
  entry->mutable_expression()->set_expression("*");
  ASSERT_TRUE(stream->Write(command));
  pb::TelemetryCommand answer;
  ASSERT_TRUE(stream->Read(&answer));
  EXPECT_EQ(answer.status().code(), pb::OK);
  ASSERT_TRUE(answer.settings().has_subscription());
  EXPECT_FALSE(answer.settings().subscription().fifo());
  EXPECT_EQ(answer.settings().subscription().receive_batch_size(), 32);
  EXPECT_EQ(answer.settings().backoff_policy().max_attempts(), kReconsumeTimesMax + 1);
  EXPECT_EQ(answer.settings().backoff_policy().customized_backoff().next_size(), 18);
  ASSERT_TRUE(stream->WritesDone());
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(V2Push, QueryAssignmentOnAnyNodeAssignsEveryQueueAtTheLeader) {
  const std::string topic = "PushAssigned";
  ASSERT_TRUE(cluster_->CreateTopic(1, topic, 3).ok());
  const std::string leader = cluster_->NodeAddress(1, leader_);
  for (const int node : {leader_, Follower()}) {
    SCOPED_TRACE(node);
    pb::QueryAssignmentResponse response = QueryAssignment(topic, kGroup, node);
    ASSERT_EQ(response.status().code(), pb::OK) << response.status().message();
    ASSERT_EQ(response.assignments_size(), 3);
    for (int id = 0; id < 3; ++id) {
      const pb::MessageQueue& queue = response.assignments(id).message_queue();
      EXPECT_EQ(queue.topic().name(), topic);
      EXPECT_EQ(queue.id(), id);
      EXPECT_EQ(queue.broker().name(), "g1");
      EXPECT_EQ(queue.permission(), pb::READ_WRITE);
      const pb::Address& address = queue.broker().endpoints().addresses(0);
      EXPECT_EQ(address.host() + ":" + std::to_string(address.port()), leader);
    }
  }

  EXPECT_EQ(QueryAssignment("NoSuchTopic", kGroup, leader_).status().code(), pb::TOPIC_NOT_FOUND);
  EXPECT_EQ(QueryAssignment(topic, "", leader_).status().code(), pb::ILLEGAL_CONSUMER_GROUP);
  EXPECT_EQ(QueryAssignment("bad topic!", kGroup, leader_).status().code(), pb::ILLEGAL_TOPIC);
  pb::QueryAssignmentRequest request;
  request.mutable_topic()->set_name(topic);
  request.mutable_group()->set_name(kGroup);
  pb::QueryAssignmentResponse response;
  ASSERT_TRUE(Stub(leader_)->QueryAssignment(Cluster::Context().get(), request, &response).ok());
  EXPECT_EQ(response.status().code(), pb::CLIENT_ID_REQUIRED);
}

TEST_F(V2Push, ForwardToTheDeadLetterQueueCopiesTheMessageAndSpendsItsHandle) {
  const std::string topic = "PushForward";
  std::string handle;
  ASSERT_NO_FATAL_FAILURE(CreateAndReceiveFirst(topic, 2, &handle));

  pb::ForwardMessageToDeadLetterQueueResponse forwarded = Forward(topic, handle);
  ASSERT_EQ(forwarded.status().code(), pb::OK) << forwarded.status().message();
  std::vector<messaging::MessageExt> dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message().message_id(), topic + "-ID-0");
  EXPECT_EQ(dead[0].message().body(), topic + "-0");
  EXPECT_EQ(dead[0].message().tag(), "t");
  ASSERT_EQ(dead[0].message().properties().count("RETRY_TOPIC"), 1u);
  EXPECT_EQ(dead[0].message().properties().at("RETRY_TOPIC"), topic);

  // Acknowledged by the forward: its handle is spent, and it is not delivered again.
  EXPECT_EQ(Ack(kGroup, topic, {handle}).status().code(), pb::INVALID_RECEIPT_HANDLE);
  EXPECT_EQ(Forward(topic, handle).status().code(), pb::INVALID_RECEIPT_HANDLE);
  Received second = ReceiveOne(topic);
  ASSERT_EQ(second.messages.size(), 1u) << second.status.message();
  EXPECT_EQ(second.messages[0].body(), topic + "-1");
  EXPECT_EQ(second.messages[0].system_properties().delivery_attempt(), 1);
  EXPECT_EQ(DeadLetters().size(), 1u);
}

TEST_F(V2Push, BadForwardsGetTheirCodesAndChangeNothing) {
  const std::string topic = "PushBadForward";
  std::string handle;
  ASSERT_NO_FATAL_FAILURE(CreateAndReceiveFirst(topic, 1, &handle));
  const size_t dead_before = DeadLetters().size();

  EXPECT_EQ(Forward(topic, "not a handle").status().code(), pb::INVALID_RECEIPT_HANDLE);
  EXPECT_EQ(Forward(topic, "0:0:999999:0:" + topic).status().code(), pb::INVALID_RECEIPT_HANDLE);  // forged epoch
  EXPECT_EQ(Forward("NoSuchTopic", handle).status().code(), pb::TOPIC_NOT_FOUND);
  pb::ForwardMessageToDeadLetterQueueResponse follower = Forward(topic, handle, Follower());
  EXPECT_EQ(follower.status().code(), pb::HA_NOT_AVAILABLE);
  EXPECT_NE(follower.status().message().find(cluster_->NodeAddress(1, leader_)), std::string::npos);
  pb::ForwardMessageToDeadLetterQueueRequest anonymous;
  anonymous.mutable_group()->set_name(kGroup);
  anonymous.mutable_topic()->set_name(topic);
  anonymous.set_receipt_handle(handle);
  pb::ForwardMessageToDeadLetterQueueResponse response;
  ASSERT_TRUE(Stub(leader_)->ForwardMessageToDeadLetterQueue(Cluster::Context().get(), anonymous, &response).ok());
  EXPECT_EQ(response.status().code(), pb::CLIENT_ID_REQUIRED);

  // None of them copied or acknowledged it: the handle is still current.
  EXPECT_EQ(DeadLetters().size(), dead_before);
  EXPECT_EQ(Ack(kGroup, topic, {handle}).status().code(), pb::OK);
}

TEST_F(V2Push, AFailedMessageMadeVisibleAtOnceComesBackWithItsAttemptRaised) {
  const std::string topic = "PushRetry";
  std::string handle;
  ASSERT_NO_FATAL_FAILURE(CreateAndReceiveFirst(topic, 1, &handle));

  // What a push consumer whose listener failed does: visible again after its retry delay (0
  // in the Node.js client, below the receive minimum of 10 s).
  pb::ChangeInvisibleDurationResponse changed = Change(kGroup, topic, handle, 0);
  ASSERT_EQ(changed.status().code(), pb::OK) << changed.status().message();
  Received again = ReceiveOne(topic);
  ASSERT_EQ(again.messages.size(), 1u) << again.status.message();
  EXPECT_EQ(again.messages[0].system_properties().message_id(), topic + "-ID-0");
  EXPECT_EQ(again.messages[0].system_properties().delivery_attempt(), 2);
  EXPECT_EQ(Ack(kGroup, topic, {again.messages[0].system_properties().receipt_handle()}).status().code(), pb::OK);
}

}  // namespace
}  // namespace raftmq::e2e
