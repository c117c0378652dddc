// The client library against real processes: one raftmq-nameserver and a 3-node
// raftmq-broker group on loopback. Topic creation through the leader, a send/consume round
// trip with committed offsets, consumer lag, and sends carrying on through a leader that is
// SIGSTOPped (the followers elect a new one; the client follows their hint) and SIGCONTed.
#include <gtest/gtest.h>

#include <csignal>
#include <condition_variable>
#include <mutex>
#include <algorithm>
#include <set>

#include "client/admin.h"
#include "client/producer.h"
#include "client/pull_consumer.h"
#include "client/push_consumer.h"
#include "tests/client/test_cluster.h"
#include "tests/support/child_process.h"
#include "tests/support/ports.h"
#include "tests/support/temp_dir.h"

namespace raftmq::client {
namespace {

using test_support::ChildProcess;
using testing::Eventually;
using testing::kWait;

class BrokerGroup : public ::testing::Test {
 protected:
  void SetUp() override {
    auto port = test_support::PickFreePort();
    ASSERT_TRUE(port.ok());
    nameserver_address_ = "127.0.0.1:" + std::to_string(*port);
    auto nameserver = ChildProcess::Start(RAFTMQ_NAMESERVER_BINARY, {"--listen_address=" + nameserver_address_});
    ASSERT_TRUE(nameserver.ok()) << nameserver.status().ToString();
    nameserver_ = std::move(nameserver).value();
    ASSERT_TRUE(nameserver_->WaitForLine("listening on", kWait).ok());
    std::string peers;
    for (int i = 0; i < 3; ++i) {
      auto peer_port = test_support::PickFreePort();
      ASSERT_TRUE(peer_port.ok());
      addresses_.push_back("127.0.0.1:" + std::to_string(*peer_port));
      peers += (i == 0 ? "" : ",") + addresses_.back();
    }
    for (int i = 0; i < 3; ++i) {
      auto broker = ChildProcess::Start(
          RAFTMQ_BROKER_BINARY,
          {"--broker_group=g1", "--node_id=" + std::to_string(i + 1), "--peers=" + peers,
           "--data_dir=" + dir_.Sub("node" + std::to_string(i + 1)),
           "--nameserver_addresses=" + nameserver_address_, "--register_broker_interval_ms=500",
           "--consumer_channel_expired_ms=5000"});
      ASSERT_TRUE(broker.ok()) << broker.status().ToString();
      brokers_.push_back(std::move(broker).value());
    }
    for (auto& broker : brokers_) {
      auto ready = broker->WaitForLine("listening on", kWait);
      ASSERT_TRUE(ready.ok()) << ready.status().ToString();
    }
    options_.nameserver_addresses = {nameserver_address_};
    options_.rpc_timeout_ms = 2000;
    auto admin = Admin::Create(options_);
    ASSERT_TRUE(admin.ok());
    admin_ = std::move(admin).value();
  }

  // Creates `topic` once the group has a leader, and waits until the nameserver routes it.
  void CreateTopic(const std::string& topic, int32_t queues) {
    admin::TopicConfig config;
    config.set_name(topic);
    config.set_read_queue_nums(queues);
    config.set_write_queue_nums(queues);
    config.set_perm(admin::PERM_READ | admin::PERM_WRITE);
    Status last;
    ASSERT_TRUE(Eventually([&] {
      auto created = admin_->CreateTopic(config, {});
      last = created.ok() ? Status::Ok() : created.status();
      return created.ok() || created.status().message().find("already exists") != std::string::npos;
    })) << "no leader accepted CreateTopic: " << last.ToString();
    // Routed once every node's next registration carries it.
    ASSERT_TRUE(Eventually([&] {
      auto queues = PullConsumer::Create({.client = options_, .consumer_group = "probe"});
      return queues.ok() && (*queues)->FetchQueues(topic).ok();
    })) << "the nameserver never routed " << topic;
  }

  // The index in brokers_ of the node that says it leads, or -1.
  int LeaderIndex() {
    auto reports = admin_->ClusterStatus();
    if (!reports.ok()) return -1;
    for (const NodeReport& report : *reports) {
      if (!report.error.ok() || report.status.role() != admin::LEADER) continue;
      for (size_t i = 0; i < addresses_.size(); ++i) {
        if (addresses_[i] == report.node.address()) return static_cast<int>(i);
      }
    }
    return -1;
  }

  test_support::TempDir dir_{"client_broker_group"};
  std::string nameserver_address_;
  std::unique_ptr<ChildProcess> nameserver_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<ChildProcess>> brokers_;
  ClientOptions options_;
  std::unique_ptr<Admin> admin_;
};

messaging::Message Text(const std::string& topic, const std::string& body) {
  messaging::Message message;
  message.set_topic(topic);
  message.set_body(body);
  return message;
}

TEST_F(BrokerGroup, RoundTripsMessagesAndCommitsTheGroupsOffsets) {
  ASSERT_NO_FATAL_FAILURE(CreateTopic("orders", 4));
  auto producer = Producer::Create({.client = options_});
  ASSERT_TRUE(producer.ok());
  std::set<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "message " + std::to_string(i)));
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    sent.insert(receipt->message_id);
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::set<std::string> received;
  PushConsumerOptions consumer_options;
  consumer_options.client = options_;
  consumer_options.consumer_group = "billing";
  consumer_options.consume_from_where = ConsumeFromWhere::kFirstOffset;
  consumer_options.long_polling_timeout_ms = 1000;
  auto consumer = PushConsumer::Create(consumer_options);
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Subscribe("orders", "*").ok());
  (*consumer)->RegisterMessageListener([&](const MessageQueue&, const messaging::MessageExt& message) {
    std::lock_guard lock(mutex);
    received.insert(message.message().message_id());
    cv.notify_all();
    return ConsumeStatus::kConsumeSuccess;
  });
  Status started = (*consumer)->Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, kWait, [&] { return received.size() >= sent.size(); }));
    EXPECT_EQ(received, sent);
  }
  (*consumer)->Shutdown();
  auto lags = admin_->ConsumerProgress("billing", "orders");
  ASSERT_TRUE(lags.ok()) << lags.status().ToString();
  ASSERT_EQ(lags->size(), 4u);
  for (const GroupQueueLag& lag : *lags) EXPECT_EQ(lag.lag.lag(), 0) << "queue " << lag.lag.queue_id();
}

TEST_F(BrokerGroup, SendsCarryOnThroughAStoppedLeader) {
  ASSERT_NO_FATAL_FAILURE(CreateTopic("orders", 2));
  auto producer = Producer::Create({.client = options_});
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send(Text("orders", "before")).ok());
  const int leader = LeaderIndex();
  ASSERT_GE(leader, 0);
  ASSERT_EQ(kill(brokers_[static_cast<size_t>(leader)]->pid(), SIGSTOP), 0);
  // The followers elect a new leader; sends fail meanwhile, then follow its hint.
  EXPECT_TRUE(Eventually([&] { return (*producer)->Send(Text("orders", "during")).ok(); }))
      << "no send succeeded while the old leader was stopped";
  ASSERT_EQ(kill(brokers_[static_cast<size_t>(leader)]->pid(), SIGCONT), 0);
  EXPECT_TRUE(Eventually([&] { return (*producer)->Send(Text("orders", "after")).ok(); }));
}

std::unique_ptr<PushConsumer> StartConsumer(const ClientOptions& client, const std::string& topic) {
  PushConsumerOptions options;
  options.client = client;
  options.consumer_group = "splitters";
  options.long_polling_timeout_ms = 500;
  options.heartbeat_broker_interval_ms = 500;
  options.consumer_list_check_interval_ms = 200;
  auto consumer = PushConsumer::Create(options);
  EXPECT_TRUE(consumer.ok());
  if (!consumer.ok()) return nullptr;
  EXPECT_TRUE((*consumer)->Subscribe(topic, "*").ok());
  (*consumer)->RegisterMessageListener(
      [](const MessageQueue&, const messaging::MessageExt&) { return ConsumeStatus::kConsumeSuccess; });
  Status started = (*consumer)->Start();
  EXPECT_TRUE(started.ok()) << started.ToString();
  return std::move(consumer).value();
}

TEST_F(BrokerGroup, TwoConsumersSplitTheQueuesAndTheSurvivorTakesThemBack) {
  ASSERT_NO_FATAL_FAILURE(CreateTopic("orders", 4));
  auto first = StartConsumer(options_, "orders");
  auto second = StartConsumer(options_, "orders");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(Eventually([&] {
    auto a = first->Assignment();
    auto b = second->Assignment();
    std::set<MessageQueue> all(a.begin(), a.end());
    all.insert(b.begin(), b.end());
    return a.size() == 2 && b.size() == 2 && all.size() == 4;
  })) << "two consumers of four queues own two each, disjoint";
  second->Shutdown();  // unregisters (or expires after consumer_channel_expired_ms)
  ASSERT_TRUE(Eventually([&] { return first->Assignment().size() == 4; }));
}

TEST_F(BrokerGroup, TheCommandLineSendsConsumesAndShowsTheGroup) {
  ASSERT_NO_FATAL_FAILURE(CreateTopic("orders", 2));
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "--nameserver=" + nameserver_address_);
    auto child = ChildProcess::Start(RAFTMQ_CLI_BINARY, args);
    EXPECT_TRUE(child.ok());
    auto code = (*child)->WaitForExit(kWait);
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    EXPECT_EQ(code.ok() ? *code : -1, 0) << (*child)->StderrText();
    return (*child)->StdoutText();
  };
  EXPECT_NE(run({"send", "--topic", "orders", "--count", "10", "--size", "32"}).find("10 acknowledged"),
            std::string::npos);
  const std::string consumed =
      run({"--json", "consume", "--topic", "orders", "--group", "cli", "--from", "first", "--count", "10",
           "--timeout", "15"});
  EXPECT_EQ(std::count(consumed.begin(), consumed.end(), '\n'), 10) << consumed;
  const std::string status = run({"cluster", "status"});
  EXPECT_NE(status.find("leader"), std::string::npos) << status;
  EXPECT_EQ(std::count(status.begin(), status.end(), '\n'), 4) << "a header and three nodes:\n" << status;
  EXPECT_NE(run({"group", "lag", "--group", "cli"}).find("total lag: 0"), std::string::npos);
}

}  // namespace
}  // namespace raftmq::client
