// The RocketMQ 5 protocol (apache.rocketmq.v2.MessagingService) on the gRPC port of real
// raftmq-broker processes, called through raw stubs: Telemetry's Settings answer on an open
// stream, routes, sends on the leader, and the documented codes of the refusals (which change
// nothing): a follower's send, an unknown topic, a missing client id, the RPCs not served yet
// (the consumers' are in v2_pop_e2e_test.cc and v2_push_e2e_test.cc).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/v2/v2_cluster_test.h"

namespace raftmq::e2e {
namespace {

constexpr char kTopic[] = "V2Topic";

class V2Protocol : public V2ClusterTest {
 protected:
  static void SetUpTestSuite() {
    ASSERT_NO_FATAL_FAILURE(StartCluster(ClusterOptions{}));
    ASSERT_TRUE(cluster_->CreateTopic(1, kTopic, 2).ok());
  }
  static void TearDownTestSuite() { StopCluster(); }

  static pb::SendMessageRequest OneMessage(const std::string& topic, const std::string& id) {
    pb::SendMessageRequest request;
    pb::Message* message = request.add_messages();
    message->mutable_topic()->set_name(topic);
    message->set_body("body of " + id);
    message->mutable_system_properties()->set_message_id(id);
    message->mutable_system_properties()->set_message_type(pb::NORMAL);
    return request;
  }
  size_t QueueLength(int queue_id) const {
    std::vector<messaging::MessageExt> messages;
    EXPECT_TRUE(PullToEnd(cluster_->Messaging(1, leader_), kTopic, queue_id, 0, &messages).ok());
    return messages.size();
  }
};

TEST_F(V2Protocol, TelemetryAnswersEachSettingsAndKeepsTheStreamOpen) {
  auto stub = Stub(Follower());
  auto context = ClientContext();
  auto stream = stub->Telemetry(context.get());
  for (int round = 0; round < 2; ++round) {
    pb::TelemetryCommand command;
    command.mutable_settings()->set_client_type(pb::PRODUCER);
    command.mutable_settings()->mutable_publishing()->add_topics()->set_name(kTopic);
    ASSERT_TRUE(stream->Write(command));
    pb::TelemetryCommand answer;
    ASSERT_TRUE(stream->Read(&answer)) << "round " << round;
    ASSERT_TRUE(answer.has_settings());
    EXPECT_EQ(answer.status().code(), pb::OK);
    EXPECT_GT(answer.settings().publishing().max_body_size(), 0);
    EXPECT_TRUE(answer.settings().publishing().validate_message_type());
    EXPECT_TRUE(answer.settings().backoff_policy().has_exponential_backoff());
    EXPECT_GT(answer.settings().backoff_policy().max_attempts(), 0);
  }
  ASSERT_TRUE(stream->WritesDone());
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(V2Protocol, QueryRouteOnAnyNodeNamesTheLeaderAndEveryQueue) {
  pb::QueryRouteRequest request;
  request.mutable_topic()->set_name(kTopic);
  pb::QueryRouteResponse response;
  ASSERT_TRUE(Stub(Follower())->QueryRoute(ClientContext().get(), request, &response).ok());
  ASSERT_EQ(response.status().code(), pb::OK) << response.status().message();
  ASSERT_EQ(response.message_queues_size(), 2);
  const std::string leader = cluster_->NodeAddress(1, leader_);
  for (const pb::MessageQueue& queue : response.message_queues()) {
    EXPECT_EQ(queue.broker().name(), "g1");
    EXPECT_EQ(queue.broker().id(), 0);
    const pb::Address& address = queue.broker().endpoints().addresses(0);
    EXPECT_EQ(address.host() + ":" + std::to_string(address.port()), leader);
    EXPECT_EQ(queue.permission(), pb::READ_WRITE);
    ASSERT_EQ(queue.accept_message_types_size(), 1);
  }

  request.mutable_topic()->set_name("NoSuchTopic");
  ASSERT_TRUE(Stub(leader_)->QueryRoute(ClientContext().get(), request, &response).ok());
  EXPECT_EQ(response.status().code(), pb::TOPIC_NOT_FOUND);
}

TEST_F(V2Protocol, LeaderStoresABatchAndAnswersEachIdWithItsOffset) {
  const size_t before = QueueLength(1);
  pb::SendMessageRequest request = OneMessage(kTopic, "V2-LEADER-1");
  *request.add_messages() = OneMessage(kTopic, "V2-LEADER-2").messages(0);
  for (pb::Message& message : *request.mutable_messages()) message.mutable_system_properties()->set_queue_id(1);
  pb::SendMessageResponse response;
  ASSERT_TRUE(Stub(leader_)->SendMessage(ClientContext().get(), request, &response).ok());
  ASSERT_EQ(response.status().code(), pb::OK) << response.status().message();
  ASSERT_EQ(response.entries_size(), 2);
  EXPECT_EQ(response.entries(0).message_id(), "V2-LEADER-1");
  EXPECT_EQ(response.entries(1).message_id(), "V2-LEADER-2");
  EXPECT_EQ(response.entries(0).offset(), static_cast<int64_t>(before));
  EXPECT_EQ(response.entries(1).offset(), static_cast<int64_t>(before) + 1);
  EXPECT_EQ(QueueLength(1), before + 2);
}

TEST_F(V2Protocol, FollowerRefusesASendWithHaNotAvailableNamingTheLeader) {
  const size_t before = QueueLength(0);
  pb::SendMessageResponse response;
  ASSERT_TRUE(Stub(Follower())->SendMessage(ClientContext().get(), OneMessage(kTopic, "V2-FOLLOWER"), &response).ok());
  EXPECT_EQ(response.status().code(), pb::HA_NOT_AVAILABLE);
  EXPECT_NE(response.status().message().find(cluster_->NodeAddress(1, leader_)), std::string::npos)
      << response.status().message();
  EXPECT_EQ(QueueLength(0), before);
}

TEST_F(V2Protocol, RefusalsCarryTheirDocumentedCodesAndStoreNothing) {
  const size_t before = QueueLength(0);
  auto stub = Stub(leader_);
  pb::SendMessageResponse response;
  ASSERT_TRUE(stub->SendMessage(ClientContext().get(), OneMessage("NoSuchTopic", "V2-UNKNOWN"), &response).ok());
  EXPECT_EQ(response.status().code(), pb::TOPIC_NOT_FOUND);

  ASSERT_TRUE(stub->SendMessage(Cluster::Context().get(), OneMessage(kTopic, "V2-NO-CLIENT-ID"), &response).ok());
  EXPECT_EQ(response.status().code(), pb::CLIENT_ID_REQUIRED);

  pb::SendMessageRequest no_id = OneMessage(kTopic, "");
  ASSERT_TRUE(stub->SendMessage(ClientContext().get(), no_id, &response).ok());
  EXPECT_EQ(response.status().code(), pb::ILLEGAL_MESSAGE_ID);

  pb::SendMessageRequest fifo = OneMessage(kTopic, "V2-FIFO");
  fifo.mutable_messages(0)->mutable_system_properties()->set_message_type(pb::FIFO);
  ASSERT_TRUE(stub->SendMessage(ClientContext().get(), fifo, &response).ok());
  EXPECT_EQ(response.status().code(), pb::UNSUPPORTED);

  pb::HeartbeatRequest heartbeat;
  pb::HeartbeatResponse heartbeat_response;
  ASSERT_TRUE(stub->Heartbeat(ClientContext().get(), heartbeat, &heartbeat_response).ok());
  EXPECT_EQ(heartbeat_response.status().code(), pb::UNRECOGNIZED_CLIENT_TYPE);
  heartbeat.set_client_type(pb::PRODUCER);
  ASSERT_TRUE(stub->Heartbeat(ClientContext().get(), heartbeat, &heartbeat_response).ok());
  EXPECT_EQ(heartbeat_response.status().code(), pb::OK);
  EXPECT_EQ(QueueLength(0), before);
}

TEST_F(V2Protocol, RpcsNotServedYetAnswerNotImplemented) {
  auto stub = Stub(leader_);
  pb::EndTransactionResponse end;
  ASSERT_TRUE(stub->EndTransaction(ClientContext().get(), pb::EndTransactionRequest(), &end).ok());
  EXPECT_EQ(end.status().code(), pb::NOT_IMPLEMENTED);

  auto context = ClientContext();
  auto pull = stub->PullMessage(context.get(), pb::PullMessageRequest());
  pb::PullMessageResponse first;
  ASSERT_TRUE(pull->Read(&first));
  EXPECT_EQ(first.status().code(), pb::NOT_IMPLEMENTED);
  pb::PullMessageResponse more;
  EXPECT_FALSE(pull->Read(&more));
  EXPECT_TRUE(pull->Finish().ok());
}

}  // namespace
}  // namespace raftmq::e2e
