// Messages, offsets and consumer registrations through real processes: a nameserver and a
// 3-node group of raftmq-broker on loopback, reached over gRPC as a client would.
#include <chrono>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {
namespace {

class MessagingE2e : public testing::Test {
 protected:
  void SetUp() override {
    auto cluster = Cluster::Start(ClusterOptions());
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
    auto leader = cluster_->WaitForLeader(1);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    leader_ = *leader;
    Status created = cluster_->CreateTopic(1, "Orders", 2);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }

  int AFollower() const { return leader_ % 3 + 1; }

  std::unique_ptr<Cluster> cluster_;
  int leader_ = 0;
};

TEST_F(MessagingE2e, SentMessagesArePulledInOrderAndOffsetsAreKeptPerGroup) {
  auto* leader = cluster_->Messaging(1, leader_);
  for (int i = 0; i < 5; ++i) {
    SendOutcome sent = SendText(leader, "Orders", 1, "order-" + std::to_string(i), kClusterWait);
    ASSERT_TRUE(sent.status.ok()) << sent.status.error_message();
    ASSERT_EQ(sent.response.results_size(), 1);
    EXPECT_EQ(sent.response.results(0).queue_offset(), i);
    EXPECT_EQ(sent.response.broker_group(), "g1");
  }
  std::vector<messaging::MessageExt> pulled;
  grpc::Status pull = PullToEnd(leader, "Orders", 1, 0, &pulled);
  ASSERT_TRUE(pull.ok()) << pull.error_message();
  ASSERT_EQ(pulled.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(pulled[i].message().body(), "order-" + std::to_string(i));
    EXPECT_EQ(pulled[i].queue_offset(), i);
  }
  std::vector<messaging::MessageExt> other_queue;
  ASSERT_TRUE(PullToEnd(leader, "Orders", 0, 0, &other_queue).ok());
  EXPECT_TRUE(other_queue.empty()) << "queue 0 got messages sent to queue 1";

  ASSERT_TRUE(CommitOffset(leader, "billing", "Orders", 1, 3).ok());
  int64_t offset = -1;
  grpc::Status query = QueryOffset(leader, "billing", "Orders", 1, &offset);
  ASSERT_TRUE(query.ok()) << query.error_message();
  EXPECT_EQ(offset, 3);
  EXPECT_EQ(QueryOffset(leader, "shipping", "Orders", 1, &offset).error_code(), grpc::StatusCode::NOT_FOUND)
      << "a group that never committed has no offset";
}

TEST_F(MessagingE2e, AFollowerRefusesAWriteWithTheLeadersAddress) {
  SendOutcome refused = SendText(cluster_->Messaging(1, AFollower()), "Orders", 0, "to a follower", kClusterWait);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.status.error_message();
  EXPECT_EQ(refused.leader_hint, cluster_->NodeAddress(1, leader_));

  std::vector<messaging::MessageExt> pulled;
  ASSERT_TRUE(PullToEnd(cluster_->Messaging(1, leader_), "Orders", 0, 0, &pulled).ok());
  EXPECT_TRUE(pulled.empty()) << "the refused send was written";
  SendOutcome followed = SendText(cluster_->Messaging(1, leader_), "Orders", 0, "to the leader", kClusterWait);
  EXPECT_TRUE(followed.status.ok()) << followed.status.error_message();
}

// A client that is quiet between calls, or pauses (a GC, a busy event loop), answers the
// server's pings late: gRPC reads an idle channel only every 5 s. The broker used to ping every
// connection each second and close it when the ack took 500 ms, so such a client's next call
// failed with UNAVAILABLE "Socket closed" (seen in the official Node.js client's tests).
TEST_F(MessagingE2e, AClientConnectionQuietForSecondsStaysOpen) {
  auto channel = grpc::CreateChannel(cluster_->NodeAddress(1, leader_), grpc::InsecureChannelCredentials());
  auto stub = messaging::MessagingService::NewStub(channel);
  SendOutcome first = SendText(stub.get(), "Orders", 0, "before the quiet", kClusterWait);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  // The quiet itself is what is tested: the test's thread does not touch the channel.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  SendOutcome second = SendText(stub.get(), "Orders", 0, "after the quiet", kClusterWait);
  EXPECT_TRUE(second.status.ok()) << second.status.error_code() << ": " << second.status.error_message();
}

TEST_F(MessagingE2e, AConsumerThatLeftIsDroppedFromEveryNode) {
  messaging::HeartbeatRequest heartbeat;
  heartbeat.set_client_id("e2e-consumer-1");
  heartbeat.set_consumer_group("readers");
  messaging::Subscription* subscription = heartbeat.add_subscriptions();
  subscription->set_topic("Orders");
  subscription->set_tag_expression("*");
  auto consumers_on = [&](int node) {
    messaging::GetConsumerListRequest request;
    request.set_consumer_group("readers");
    messaging::GetConsumerListResponse response;
    grpc::Status status = cluster_->Messaging(1, node)->GetConsumerList(Cluster::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.client_ids_size();
  };
  for (bool unregister : {false, true}) {
    heartbeat.set_unregister(unregister);
    for (int node = 1; node <= 3; ++node) {
      messaging::HeartbeatResponse response;
      grpc::Status status = cluster_->Messaging(1, node)->Heartbeat(Cluster::Context().get(), heartbeat, &response);
      ASSERT_TRUE(status.ok()) << "node " << node << ": " << status.error_message();
      EXPECT_EQ(consumers_on(node), unregister ? 0 : 1)
          << "node " << node << (unregister ? " kept a consumer that left" : " lost a live consumer");
    }
  }
}

}  // namespace
}  // namespace raftmq::e2e
