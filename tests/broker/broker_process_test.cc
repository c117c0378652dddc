// Real raftmq-broker processes on loopback: the binary's configuration surface, and a
// 3-node group that loses its leader to kill -9 while a producer keeps sending.
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "broker/leader_gate.h"
#include "common/loopback_port.h"
#include "proto/admin.grpc.pb.h"
#include "proto/messaging.grpc.pb.h"
#include "tests/support/child_process.h"
#include "tests/support/poll.h"
#include "tests/support/temp_dir.h"

namespace raftmq::broker {
namespace {

using namespace std::chrono_literals;
using test_support::ChildProcess;
constexpr int kNodes = 3;

TEST(BrokerProcess, PrintsItsEffectiveConfigurationAndRefusesUnknownKeys) {
  auto printed = ChildProcess::Start(RAFTMQ_BROKER_BINARY, {"--print-config", "--auto_create_topic_enable=true"});
  ASSERT_TRUE(printed.ok()) << printed.status().ToString();
  auto line = (*printed)->WaitForLine("auto_create_topic_enable = true", 10s, ChildProcess::Stream::kStdout);
  EXPECT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*(*printed)->WaitForExit(10s), 0);
  auto refused = ChildProcess::Start(RAFTMQ_BROKER_BINARY, {"--no_such_key=1"});
  ASSERT_TRUE(refused.ok());
  auto code = (*refused)->WaitForExit(10s);
  ASSERT_TRUE(code.ok());
  EXPECT_NE(*code, 0);
}

class BrokerGroupProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string peers;
    for (int i = 0; i < kNodes; ++i) {
      auto port = ReserveLoopbackPort();
      ASSERT_TRUE(port.ok());
      addresses_.push_back("127.0.0.1:" + std::to_string(*port));
      peers += (i ? "," : "") + addresses_.back();
    }
    for (int id = 1; id <= kNodes; ++id) {
      auto process = ChildProcess::Start(
          RAFTMQ_BROKER_BINARY, {"--node_id=" + std::to_string(id), "--peers=" + peers,
                                 "--data_dir=" + dir_.Sub("node" + std::to_string(id))});
      ASSERT_TRUE(process.ok()) << process.status().ToString();
      auto ready = (*process)->WaitForLine("raftmq-broker listening on", 20s, ChildProcess::Stream::kStdout);
      ASSERT_TRUE(ready.ok()) << ready.status().ToString();
      processes_.push_back(std::move(process).value());
      auto channel = grpc::CreateChannel(addresses_[id - 1], grpc::InsecureChannelCredentials());
      messaging_.push_back(messaging::MessagingService::NewStub(channel));
      admin_.push_back(admin::AdminService::NewStub(channel));
    }
  }

  // Sends `body` to whichever node leads, following leader hints; false after `limit`.
  bool SendSomewhere(const std::string& body, std::chrono::milliseconds limit, int* node) {
    return test_support::PollUntil([&] {
      messaging::SendMessageRequest request;
      messaging::Message* message = request.add_messages();
      message->set_topic("orders");
      message->set_body(body);
      messaging::SendMessageResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + 2s);
      grpc::Status status = messaging_[*node]->SendMessage(&context, request, &response);
      if (status.ok()) return true;
      last_error_ = "node " + std::to_string(*node + 1) + ": " + std::to_string(status.error_code()) + " " +
                    status.error_message();
      auto hint = context.GetServerTrailingMetadata().find(kLeaderAddressKey);
      int next = (*node + 1) % kNodes;
      if (hint != context.GetServerTrailingMetadata().end()) {
        std::string address(hint->second.data(), hint->second.size());
        for (int i = 0; i < kNodes; ++i) {
          if (addresses_[i] == address && !killed_[i]) next = i;
        }
      }
      if (killed_[next]) next = (next + 1) % kNodes;
      *node = next;
      return false;
    }, limit);
  }

  // True once no node recovers. A node that started after the other two formed the group
  // (empty dir) recovers, without a vote, until the leader has caught it up: kill that leader
  // before and the other two can never elect (README: a new group's late node).
  bool EveryNodeCaughtUp() {
    for (int i = 0; i < kNodes; ++i) {
      admin::NodeStatusResponse status;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + 2s);
      if (!admin_[i]->NodeStatus(&context, admin::NodeStatusRequest(), &status).ok() || status.recovering()) return false;
    }
    return true;
  }

  // What the nodes still running printed (their logs), for a failure message.
  std::string Logs() const {
    std::string logs;
    for (int i = 0; i < kNodes; ++i) {
      if (killed_[i]) continue;
      logs += "--- node " + std::to_string(i + 1) + ":\n" + processes_[i]->StdoutText() + processes_[i]->StderrText();
    }
    return logs;
  }

  std::string last_error_;  // SendSomewhere's last refusal
  test_support::TempDir dir_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
  std::vector<std::unique_ptr<messaging::MessagingService::Stub>> messaging_;
  std::vector<std::unique_ptr<admin::AdminService::Stub>> admin_;
  std::atomic<bool> killed_[kNodes] = {};
};

TEST_F(BrokerGroupProcessTest, KillingTheLeaderWhileSendingLosesNoAcknowledgedMessage) {
  // Create the topic on whichever node leads.
  int leader = -1;
  test_support::PollUntil([&] {
    for (int i = 0; i < kNodes && leader < 0; ++i) {
      admin::CreateTopicRequest request;
      request.mutable_topic()->set_name("orders");
      request.mutable_topic()->set_read_queue_nums(1);
      request.mutable_topic()->set_write_queue_nums(1);
      request.mutable_topic()->set_perm(6);
      admin::TopicResponse response;
      grpc::ClientContext context;
      if (admin_[i]->CreateTopic(&context, request, &response).ok()) leader = i;
    }
    return leader >= 0;
  });
  ASSERT_GE(leader, 0) << "no leader created the topic";

  std::set<std::string> acked;
  int target = leader;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(SendSomewhere("m" + std::to_string(i), 10s, &target));
    acked.insert("m" + std::to_string(i));
  }
  ASSERT_TRUE(test_support::PollUntil([&] { return EveryNodeCaughtUp(); }, 20s)) << "a node still recovers\n" << Logs();
  killed_[leader] = true;
  ASSERT_EQ(kill(processes_[leader]->pid(), SIGKILL), 0);
  for (int i = 50; i < 100; ++i) {
    ASSERT_TRUE(SendSomewhere("m" + std::to_string(i), 20s, &target))
        << "no send succeeded after the kill; last answer " << last_error_ << "\n" << Logs();
    acked.insert("m" + std::to_string(i));
  }
  EXPECT_NE(target, leader);

  std::set<std::string> pulled;
  int64_t offset = 0;
  for (int round = 0; round < 100 && pulled.size() < acked.size(); ++round) {
    messaging::PullMessageRequest request;
    request.set_consumer_group("checker");
    request.set_topic("orders");
    request.set_queue_offset(offset);
    request.set_max_messages(64);
    messaging::PullMessageResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(messaging_[target]->PullMessage(&context, request, &response).ok());
    for (const auto& message : response.messages()) pulled.insert(message.message().body());
    offset = response.next_queue_offset();
    if (response.messages_size() == 0) break;
  }
  for (const std::string& body : acked) EXPECT_TRUE(pulled.contains(body)) << body << " was acknowledged but lost";
}

// A second broker started on a running node's address must not listen beside it: with gRPC's
// default SO_REUSEPORT the kernel would split the node's clients and peers between the two.
TEST_F(BrokerGroupProcessTest, ASecondBrokerOnANodesAddressExitsNamingIt) {
  auto second = ChildProcess::Start(RAFTMQ_BROKER_BINARY, {"--node_id=1", "--peers=" + addresses_[0],
                                                           "--data_dir=" + dir_.Sub("second")});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto exit_code = (*second)->WaitForExit(20s);
  ASSERT_TRUE(exit_code.ok()) << "the second broker did not exit: " << exit_code.status().ToString();
  EXPECT_NE(*exit_code, 0);
  EXPECT_NE((*second)->StderrText().find("cannot listen on " + addresses_[0]), std::string::npos)
      << (*second)->StderrText();
}

}  // namespace
}  // namespace raftmq::broker
