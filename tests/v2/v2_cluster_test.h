// V2ClusterTest: a fixture for suites that share one raftmq cluster (a group of 3 real
// broker processes) and call it through raw apache.rocketmq.v2 stubs, as an official client
// would (with its client id header), with the helpers the consumer suites share. A suite starts the cluster in SetUpTestSuite
// (StartCluster, with its own broker flags) and stops it in TearDownTestSuite.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "broker/v2/leader_forwarder.h"
#include "proto/apache/rocketmq/v2/service.grpc.pb.h"
#include "tests/e2e/e2e_calls.h"

namespace raftmq::e2e {

namespace pb = ::apache::rocketmq::v2;

// What one ReceiveMessage streamed.
struct Received {
  pb::Status status;
  std::vector<pb::Message> messages;
  bool delivery_timestamp = false;
  bool status_first = false;
};

class V2ClusterTest : public testing::Test {
 protected:
  static void StartCluster(const ClusterOptions& options) {
    auto cluster = Cluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = cluster->release();
  }
  static void StopCluster() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(cluster_, nullptr);
    auto leader = cluster_->WaitForLeader(1);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    leader_ = *leader;
  }

  std::unique_ptr<pb::MessagingService::Stub> Stub(int node) const {
    return pb::MessagingService::NewStub(
        grpc::CreateChannel(cluster_->NodeAddress(1, node), grpc::InsecureChannelCredentials()));
  }
  // A call as an official client makes it: with its client id header.
  static std::unique_ptr<grpc::ClientContext> ClientContext() {
    auto context = Cluster::Context();
    context->AddMetadata("x-mq-client-id", "v2-e2e@1");
    return context;
  }
  // A call as a follower relays it to its leader (broker/v2/leader_forwarder.h): whoever gets
  // it serves it there.
  static std::unique_ptr<grpc::ClientContext> RelayedContext() {
    auto context = ClientContext();
    context->AddMetadata(broker::v2::kForwardedKey, "0");
    return context;
  }
  int Follower() const { return leader_ % cluster_->nodes() + 1; }

  // A topic of one queue holding `count` messages with tag "t", bodies "<topic>-<i>" and ids
  // "<topic>-ID-<i>".
  void CreateWithMessages(const std::string& topic, int count) const {
    ASSERT_TRUE(cluster_->CreateTopic(1, topic, 1).ok());
    pb::SendMessageRequest request;
    for (int i = 0; i < count; ++i) {
      pb::Message* message = request.add_messages();
      message->mutable_topic()->set_name(topic);
      message->set_body(topic + "-" + std::to_string(i));
      message->mutable_system_properties()->set_message_id(topic + "-ID-" + std::to_string(i));
      message->mutable_system_properties()->set_message_type(pb::NORMAL);
      message->mutable_system_properties()->set_tag("t");
    }
    pb::SendMessageResponse response;
    ASSERT_TRUE(Stub(leader_)->SendMessage(ClientContext().get(), request, &response).ok());
    ASSERT_EQ(response.status().code(), pb::OK) << response.status().message();
  }

  // A receive of `group` from queue 0 of `topic`, any tag.
  static pb::ReceiveMessageRequest ReceiveRequest(const std::string& group, const std::string& topic, int batch,
                                                  int64_t invisible_ms, int64_t long_polling_ms) {
    pb::ReceiveMessageRequest request;
    request.mutable_group()->set_name(group);
    request.mutable_message_queue()->mutable_topic()->set_name(topic);
    request.mutable_message_queue()->set_id(0);
    request.mutable_filter_expression()->set_type(pb::TAG);
    request.mutable_filter_expression()->set_expression("*");
    request.set_batch_size(batch);
    *request.mutable_invisible_duration() = google::protobuf::util::TimeUtil::MillisecondsToDuration(invisible_ms);
    *request.mutable_long_polling_timeout() =
        google::protobuf::util::TimeUtil::MillisecondsToDuration(long_polling_ms);
    return request;
  }

  // `request` on `node` (0: the leader), read to its end.
  Received Receive(const pb::ReceiveMessageRequest& request, int node = 0,
                   std::unique_ptr<grpc::ClientContext> context = ClientContext()) const {
    // The stub holds the channel: keep it for the whole stream.
    const auto stub = Stub(node == 0 ? leader_ : node);
    auto stream = stub->ReceiveMessage(context.get(), request);
    Received received;
    pb::ReceiveMessageResponse response;
    for (bool first = true; stream->Read(&response); first = false) {
      if (response.has_status()) {
        received.status = response.status();
        received.status_first = first;
      } else if (response.has_message()) {
        received.messages.push_back(response.message());
      } else if (response.has_delivery_timestamp()) {
        received.delivery_timestamp = true;
      }
    }
    const grpc::Status finished = stream->Finish();
    EXPECT_TRUE(finished.ok()) << finished.error_code() << ": " << finished.error_message();
    return received;
  }

  pb::AckMessageResponse Ack(const std::string& group, const std::string& topic,
                             const std::vector<std::string>& handles, int node = 0) const {
    pb::AckMessageRequest request;
    request.mutable_group()->set_name(group);
    request.mutable_topic()->set_name(topic);
    for (const std::string& handle : handles) request.add_entries()->set_receipt_handle(handle);
    pb::AckMessageResponse response;
    EXPECT_TRUE(Stub(node == 0 ? leader_ : node)->AckMessage(ClientContext().get(), request, &response).ok());
    return response;
  }

  pb::ChangeInvisibleDurationResponse Change(const std::string& group, const std::string& topic,
                                             const std::string& handle, int64_t invisible_ms, int node = 0) const {
    pb::ChangeInvisibleDurationRequest request;
    request.mutable_group()->set_name(group);
    request.mutable_topic()->set_name(topic);
    request.set_receipt_handle(handle);
    *request.mutable_invisible_duration() = google::protobuf::util::TimeUtil::MillisecondsToDuration(invisible_ms);
    pb::ChangeInvisibleDurationResponse response;
    EXPECT_TRUE(Stub(node == 0 ? leader_ : node)->ChangeInvisibleDuration(ClientContext().get(), request, &response).ok());
    return response;
  }

  static inline Cluster* cluster_ = nullptr;
  int leader_ = 0;
};

}  // namespace raftmq::e2e
