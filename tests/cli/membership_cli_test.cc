// `raftmq group add-node|remove-node|replace-node|status` against real processes: a 3-node
// group grows to 5 under load, shrinks back to 3, then a killed node is replaced by a node on
// an empty data dir. Every acknowledged message is read back afterwards, and every member
// holds the same queue ranges at the same log index.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "client/producer.h"
#include "tests/cli/cli_run.h"
#include "tests/support/cluster.h"
#include "tests/support/poll.h"

namespace raftmq::cli {
namespace {

using test_support::Cluster;

constexpr int kGroup = 1;
constexpr int kQueues = 2;
// A step waits for a learner to catch up; generous for a shared CI machine.
constexpr std::chrono::milliseconds kCliWait{60000};

// Sends to "orders" from a thread until stopped, keeping what was acknowledged.
class Load {
 public:
  explicit Load(const std::string& nameserver) {
    client::ProducerOptions options;
    options.client.nameserver_addresses = {nameserver};
    options.client.rpc_timeout_ms = 2000;
    auto producer = client::Producer::Create(options);
    EXPECT_TRUE(producer.ok()) << producer.status().ToString();
    if (!producer.ok()) return;
    producer_ = std::move(producer).value();
    thread_ = std::thread([this] {
      for (int i = 0; !stop_; ++i) {
        messaging::Message message;
        message.set_topic("orders");
        message.set_body("m" + std::to_string(i));
        auto receipt = producer_->Send(message);
        if (!receipt.ok()) continue;  // not acknowledged: nothing to check
        std::lock_guard lock(mutex_);
        acked_[receipt->queue.queue_id][receipt->queue_offset] = message.body();
      }
    });
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  size_t Acked() const {
    std::lock_guard lock(mutex_);
    size_t count = 0;
    for (const auto& [queue, messages] : acked_) count += messages.size();
    return count;
  }
  // Waits until `more` further sends were acknowledged (the group serves writes).
  bool WaitForMore(size_t more) const {
    const size_t target = Acked() + more;
    return test_support::PollUntil([&] { return Acked() >= target; }, kCliWait);
  }
  const std::map<int32_t, std::map<int64_t, std::string>>& acked() const { return acked_; }

 private:
  std::unique_ptr<client::Producer> producer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::map<int32_t, std::map<int64_t, std::string>> acked_;  // queue -> offset -> body
};

class CliMembership : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = Cluster::Start(
        {.groups = 1, .nodes = 3, .spare_nodes = 3, .broker_flags = {"--register_broker_interval_ms=500"}});
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    cluster_ = std::move(started).value();
    Status created = cluster_->CreateTopic(kGroup, "orders", kQueues);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }

  CliRun Group(std::vector<std::string> args) {
    args.insert(args.begin(), {"--nameserver=" + cluster_->nameserver_address(), "--json", "group"});
    args.insert(args.end(), {"--group", Cluster::GroupName(kGroup)});
    return RunCli(args, kCliWait);
  }

  // node id -> role ("leader", "voter", "learner") from `raftmq group status`.
  std::map<uint64_t, std::string> Members() {
    const CliRun run = Group({"status"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::map<uint64_t, std::string> roles;
    if (run.exit_code != 0) return roles;
    const nlohmann::json status = nlohmann::json::parse(run.out);
    for (const auto& member : status["members"]) {
      roles[member["node_id"].get<uint64_t>()] = member["role"].get<std::string>();
    }
    return roles;
  }

  void AddNode(int node) {
    const Status started = cluster_->StartSpare(kGroup, node);
    ASSERT_TRUE(started.ok()) << started.ToString();
    const CliRun run = Group({"add-node", "--node-id", std::to_string(node), "--address",
                              cluster_->NodeAddress(kGroup, node)});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  // The group's nodes in the nameserver's routes.
  std::set<uint64_t> RoutedNodes() {
    nameserver::GetClusterInfoResponse info;
    std::set<uint64_t> nodes;
    if (!cluster_->Nameserver()->GetClusterInfo(Cluster::Context().get(), {}, &info).ok()) return nodes;
    for (const nameserver::GroupInfo& group : info.groups()) {
      for (const nameserver::NodeInfo& node : group.nodes()) nodes.insert(node.node_id());
    }
    return nodes;
  }

  std::unique_ptr<Cluster> cluster_;
};

std::set<std::string> Voters(const std::map<uint64_t, std::string>& members) {
  std::set<std::string> voters;
  for (const auto& [node, role] : members) {
    if (role != "learner") voters.insert(std::to_string(node));
  }
  return voters;
}

TEST_F(CliMembership, GrowsToFiveUnderLoadShrinksToThreeAndReplacesAKilledNode) {
  Load load(cluster_->nameserver_address());
  ASSERT_TRUE(load.WaitForMore(50)) << "no sends acknowledged before any change";

  ASSERT_NO_FATAL_FAILURE(AddNode(4));
  ASSERT_NO_FATAL_FAILURE(AddNode(5));
  EXPECT_EQ(Voters(Members()), (std::set<std::string>{"1", "2", "3", "4", "5"}));
  ASSERT_TRUE(load.WaitForMore(50)) << "no sends acknowledged by the group of five";

  for (int node : {4, 5}) {
    const CliRun run = Group({"remove-node", "--node-id", std::to_string(node)});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  EXPECT_EQ(Voters(Members()), (std::set<std::string>{"1", "2", "3"}));
  // Still running, the removed nodes leave the routes: clients are not sent there.
  EXPECT_TRUE(test_support::Eventually([&] { return RoutedNodes() == std::set<uint64_t>{1, 2, 3}; }, kCliWait))
      << "the nameserver still routes to a removed node: " << ::testing::PrintToString(RoutedNodes());
  // A removed node's process is the operator's to stop.
  ASSERT_TRUE(cluster_->Kill(kGroup, 4).ok());
  ASSERT_TRUE(cluster_->Kill(kGroup, 5).ok());

  // Node 3 dies for good (kill -9; its disk is lost): node 6, on an empty data dir, replaces it.
  auto leader = cluster_->WaitForLeader(kGroup);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  const int dead = *leader == 3 ? 2 : 3;
  ASSERT_TRUE(cluster_->Kill(kGroup, dead).ok());
  const Status started = cluster_->StartSpare(kGroup, 6);
  ASSERT_TRUE(started.ok()) << started.ToString();
  const CliRun replaced = Group({"replace-node", "--node-id", std::to_string(dead), "--new-node-id", "6", "--address",
                                 cluster_->NodeAddress(kGroup, 6)});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  std::set<std::string> expected = {"1", "2", "3", "6"};
  expected.erase(std::to_string(dead));
  EXPECT_EQ(Voters(Members()), expected);
  ASSERT_TRUE(load.WaitForMore(50)) << "no sends acknowledged after the replacement";
  load.Stop();

  // Every member holds the same queue ranges at the same index as the leader.
  leader = cluster_->WaitForLeader(kGroup);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  admin::LogDigestResponse reference;
  ASSERT_TRUE(cluster_->Admin(kGroup, *leader)->LogDigest(Cluster::Context().get(), {}, &reference).ok());
  for (const std::string& member : expected) {
    const int node = std::stoi(member);
    admin::LogDigestRequest request;
    request.set_index(reference.index());
    admin::LogDigestResponse digest;
    ASSERT_TRUE(test_support::PollUntil([&] {
      digest.Clear();
      return cluster_->Admin(kGroup, node)->LogDigest(Cluster::Context().get(), request, &digest).ok() &&
             digest.index() == reference.index() && digest.applied_index() >= reference.index();
    }, kCliWait)) << "node " << node << " never reached index " << reference.index();
    ASSERT_EQ(digest.queues_size(), reference.queues_size()) << "node " << node;
    for (int i = 0; i < digest.queues_size(); ++i) {
      EXPECT_EQ(digest.queues(i).DebugString(), reference.queues(i).DebugString()) << "node " << node;
    }
  }

  // Every acknowledged message reads back from the leader at its offset.
  size_t checked = 0;
  for (const auto& [queue, messages] : load.acked()) {
    for (int64_t offset = 0; offset <= messages.rbegin()->first;) {
      messaging::PullMessageRequest pull;
      pull.set_consumer_group("check");
      pull.set_topic("orders");
      pull.set_queue_id(queue);
      pull.set_queue_offset(offset);
      pull.set_max_messages(256);
      messaging::PullMessageResponse pulled;
      grpc::Status status = cluster_->Messaging(kGroup, *leader)->PullMessage(Cluster::Context().get(), pull, &pulled);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ASSERT_GT(pulled.messages_size(), 0) << "queue " << queue << " ends before offset " << offset;
      for (const auto& stored : pulled.messages()) {
        auto acked = messages.find(stored.queue_offset());
        if (acked == messages.end()) continue;  // an unacknowledged send that was stored anyway
        EXPECT_EQ(stored.message().body(), acked->second) << "queue " << queue << " offset " << stored.queue_offset();
        ++checked;
      }
      offset = pulled.next_queue_offset();
    }
  }
  EXPECT_EQ(checked, load.Acked()) << "acknowledged messages missing";
}

}  // namespace
}  // namespace raftmq::cli
