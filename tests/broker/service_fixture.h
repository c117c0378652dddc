// ServiceFixture: one broker node in-process — real BrokerComponents (RocksDB, ConsumeQueue
// files, Dispatcher, long polling) under a temp dir, a LocalReplicator as its Raft group, and
// the messaging + admin services on a gRPC server on a free loopback port, with client stubs.
// Its clock is a ManualClock: held pulls time out and delayed messages come due only when a
// test advances it (AdvanceClockMs).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "broker/admin_service.h"
#include "broker/broker_components.h"
#include "broker/messaging_service.h"
#include "proto/admin.grpc.pb.h"
#include "proto/messaging.grpc.pb.h"
#include "tests/broker/local_replicator.h"
#include "tests/support/manual_clock.h"
#include "tests/support/poll.h"
#include "tests/support/temp_dir.h"

namespace raftmq::broker::testing {

using AdminStub = admin::AdminService::Stub;
using MessagingStub = messaging::MessagingService::Stub;

inline constexpr char kOtherLeaderAddress[] = "127.0.0.1:1";  // node 2's address in peers

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override { Start(Options()); }
  virtual BrokerOptions Options() const { return BrokerOptions(); }
  void TearDown() override { Shutdown(); }

  void Start(BrokerOptions options) {
    options.data_dir = dir_.Sub("data");
    options.node_id = 1;
    options.peers = {"127.0.0.1:0", kOtherLeaderAddress};
    auto components = BrokerComponents::Open(options, storage::DefaultFs(), &log_, nullptr, &clock_);
    ASSERT_TRUE(components.ok()) << components.status().ToString();
    components_ = std::move(components).value();
    ASSERT_TRUE(components_->machine()->Recover(Index(0)).ok());
    components_->Start();
    replicator_ = std::make_unique<LocalReplicator>(1, &log_, components_->machine(), options.peers);
    replicator_->BecomeLeader(Term(1));
    context_ = components_->Context(replicator_.get());
    messaging_service_ = std::make_unique<MessagingService>(&context_);
    admin_service_ = std::make_unique<AdminService>(&context_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.SetMaxReceiveMessageSize(options.GrpcMessageBytesMax());
    builder.RegisterService(messaging_service_.get());
    builder.RegisterService(admin_service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    messaging_ = messaging::MessagingService::NewStub(channel);
    admin_ = admin::AdminService::NewStub(channel);
  }

  // Moves the node's clock and lets its long polling see the new time.
  void AdvanceClockMs(int64_t ms) {
    clock_.AdvanceMs(ms);
    components_->long_polling()->Recheck();
  }

  void Shutdown() {
    if (!server_) return;
    // Held pulls answer first, so the server's shutdown does not wait on them.
    ASSERT_TRUE(components_->Stop().ok());
    server_->Shutdown();
    server_.reset();
  }

  grpc::Status CreateTopic(const std::string& name, int32_t queues = 4, int32_t perm = kPermReadWrite) {
    admin::CreateTopicRequest request;
    request.mutable_topic()->set_name(name);
    request.mutable_topic()->set_read_queue_nums(queues);
    request.mutable_topic()->set_write_queue_nums(queues);
    request.mutable_topic()->set_perm(perm);
    admin::TopicResponse response;
    return Call(*admin_, &AdminStub::CreateTopic, request, &response);
  }

  // One unary call on `stub` with a context of its own (a ClientContext serves one call only).
  template <typename Stub, typename Request, typename Response>
  static grpc::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                           const Request& request, Response* response) {
    grpc::ClientContext context;
    return (stub.*method)(&context, request, response);
  }

  static messaging::SendMessageRequest Batch(const std::string& topic, int32_t queue_id, int count,
                                             const std::string& tag = "") {
    messaging::SendMessageRequest request;
    request.set_queue_id(queue_id);
    for (int i = 0; i < count; ++i) {
      messaging::Message* message = request.add_messages();
      message->set_topic(topic);
      message->set_tag(tag);
      message->set_body("body-" + std::to_string(i));
    }
    return request;
  }

  grpc::Status Send(const messaging::SendMessageRequest& request, messaging::SendMessageResponse* response = nullptr,
                    grpc::ClientContext* context = nullptr) {
    messaging::SendMessageResponse ignored;
    grpc::ClientContext local;
    return messaging_->SendMessage(context ? context : &local, request, response ? response : &ignored);
  }

  static messaging::PullMessageRequest Pull(const std::string& topic, int32_t queue_id, int64_t offset,
                                            int64_t long_polling_timeout_ms = 0) {
    messaging::PullMessageRequest request;
    request.set_consumer_group("group");
    request.set_topic(topic);
    request.set_queue_id(queue_id);
    request.set_queue_offset(offset);
    request.set_long_polling_timeout_ms(long_polling_timeout_ms);
    return request;
  }

  grpc::Status DoPull(const messaging::PullMessageRequest& request, messaging::PullMessageResponse* response,
                      grpc::ClientContext* context = nullptr) {
    grpc::ClientContext local;
    return messaging_->PullMessage(context ? context : &local, request, response);
  }

  test_support::TempDir dir_;
  ManualClock clock_;  // the node's only time: held pulls and delays move when a test says
  LocalLog log_;
  std::unique_ptr<BrokerComponents> components_;
  std::unique_ptr<LocalReplicator> replicator_;
  ServiceContext context_;
  std::unique_ptr<MessagingService> messaging_service_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<MessagingStub> messaging_;
  std::unique_ptr<AdminStub> admin_;
};

}  // namespace raftmq::broker::testing
