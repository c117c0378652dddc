// BrokerGroupTest: a real broker group in-process, three BrokerNodes (CommitLog, RocksDB, Raft
// over loopback gRPC, messaging + admin services) and a nameserver, driven through the
// client-facing gRPC API. A derived fixture overrides Configure to change every node's options.
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "broker/broker_node.h"
#include "broker/entry_kind.h"
#include "common/loopback_port.h"
#include "nameserver/nameserver_server.h"
#include "proto/admin.grpc.pb.h"
#include "proto/messaging.grpc.pb.h"
#include "proto/nameserver.grpc.pb.h"
#include "tests/support/poll.h"
#include "tests/support/temp_dir.h"

namespace raftmq::broker {

using namespace std::chrono_literals;
using test_support::Eventually;
inline constexpr int kNodes = 3;
// Far above any test: a registration seen at all was triggered, not periodic.
inline constexpr int64_t kRegisterIntervalMs = 600'000;

class BrokerGroupTest : public ::testing::Test {
 protected:
  // A derived fixture's options for every node, applied before it starts.
  virtual void Configure(BrokerOptions& /*options*/) const {}

  void SetUp() override {
    nameserver::NameserverConfig nameserver_config;
    nameserver_config.listen_address = "127.0.0.1:0";
    auto nameserver = nameserver::NameserverServer::Start(nameserver_config, &clock_);
    ASSERT_TRUE(nameserver.ok()) << nameserver.status().ToString();
    nameserver_ = std::move(nameserver).value();
    for (int i = 0; i < kNodes; ++i) {
      auto port = ReserveLoopbackPort();
      ASSERT_TRUE(port.ok());
      peers_.push_back("127.0.0.1:" + std::to_string(*port));
    }
    for (NodeId id = 1; id <= kNodes; ++id) StartNode(id);
  }
  void TearDown() override {
    for (auto& node : nodes_) node.reset();
    nameserver_->Shutdown();
  }

  void StartNode(NodeId id) {
    BrokerOptions options;
    options.node_id = id;
    options.peers = peers_;
    options.data_dir = dir_.Sub("node" + std::to_string(id));
    options.nameserver_addresses = {nameserver_->bound_address()};
    options.register_broker_interval_ms = kRegisterIntervalMs;
    Configure(options);
    auto node = BrokerNode::Start(options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    nodes_[id - 1] = std::move(node).value();
    auto channel = grpc::CreateChannel(peers_[id - 1], grpc::InsecureChannelCredentials());
    messaging_[id - 1] = messaging::MessagingService::NewStub(channel);
    admin_[id - 1] = admin::AdminService::NewStub(channel);
  }

  // The node that serves as leader (its no-op applied), within a bound.
  NodeId WaitForServingLeader(NodeId excluded = kNoNode) {
    NodeId serving = kNoNode;
    test_support::PollUntil([&] {
      for (NodeId id = 1; id <= kNodes; ++id) {
        if (id == excluded || nodes_[id - 1] == nullptr) continue;
        ReplicaStatus status = nodes_[id - 1]->replicator()->GetStatus();
        if (status.role == ReplicaRole::kLeader &&
            nodes_[id - 1]->components()->machine()->applied_term() >= status.term) {
          serving = id;
          return true;
        }
      }
      return false;
    });
    return serving;
  }

  grpc::Status CreateTopic(NodeId on, const std::string& name) {
    admin::CreateTopicRequest request;
    request.mutable_topic()->set_name(name);
    request.mutable_topic()->set_read_queue_nums(2);
    request.mutable_topic()->set_write_queue_nums(2);
    request.mutable_topic()->set_perm(6);
    admin::TopicResponse response;
    grpc::ClientContext context;
    return admin_[on - 1]->CreateTopic(&context, request, &response);
  }

  grpc::Status Send(NodeId on, const std::string& body, messaging::SendMessageResponse* response,
                    grpc::ClientContext* context) {
    messaging::SendMessageRequest request;
    messaging::Message* message = request.add_messages();
    message->set_topic("orders");
    message->set_body(body);
    return messaging_[on - 1]->SendMessage(context, request, response);
  }

  grpc::Status Pull(NodeId on, int64_t offset, int64_t hold_ms, messaging::PullMessageResponse* response) {
    messaging::PullMessageRequest request;
    request.set_consumer_group("group");
    request.set_topic("orders");
    request.set_queue_offset(offset);
    request.set_long_polling_timeout_ms(hold_ms);
    grpc::ClientContext context;
    return messaging_[on - 1]->PullMessage(&context, request, response);
  }

  SystemClock clock_;
  std::unique_ptr<nameserver::NameserverServer> nameserver_;
  test_support::TempDir dir_;
  std::vector<std::string> peers_;
  std::unique_ptr<BrokerNode> nodes_[kNodes];
  std::unique_ptr<messaging::MessagingService::Stub> messaging_[kNodes];
  std::unique_ptr<admin::AdminService::Stub> admin_[kNodes];
};

}  // namespace raftmq::broker
