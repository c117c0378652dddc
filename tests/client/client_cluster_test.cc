#include "tests/client/client_cluster_test.h"

#include <thread>

#include "tests/client/test_speed_options.h"

namespace raftmq::client::testing {
namespace {

// Brokers at test speed: routes refreshed twice a second, a consumer that stopped
// heartbeating (every 300 ms, see test_speed_options.h) gone after 2 s, retries redelivered
// after 100 ms instead of RocketMQ's 10 s for a first reconsume.
const std::vector<std::string> kFastBrokerFlags = {
    "--register_broker_interval_ms=500",
    "--consumer_channel_expired_ms=2000",
    "--message_delay_level=100ms 100ms 100ms 200ms 300ms",
};

}  // namespace

void ClientClusterTest::StartCluster(int groups, int nodes, const std::vector<TopicSpec>& topics,
                                     const std::vector<std::string>& broker_flags) {
  test_support::ClusterOptions options{.groups = groups, .nodes = nodes, .broker_flags = kFastBrokerFlags};
  options.broker_flags.insert(options.broker_flags.end(), broker_flags.begin(), broker_flags.end());
  auto started = test_support::Cluster::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  cluster_ = std::move(started).value();
  for (const TopicSpec& topic : topics) {
    Status created = cluster_->CreateTopicEverywhere(topic.name, topic.queues);
    ASSERT_TRUE(created.ok()) << created.ToString();
  }
  auto admin = Admin::Create(ClientConfig());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  admin_ = std::move(admin).value();
}

ClientOptions ClientClusterTest::ClientConfig() const {
  ClientOptions options;
  options.nameserver_addresses = {cluster_->nameserver_address()};
  options.rpc_timeout_ms = 2000;
  return options;
}

ProducerOptions ClientClusterTest::ProducerConfig() const { return ProducerOptions{.client = ClientConfig()}; }

PushConsumerOptions ClientClusterTest::ConsumerConfig(const std::string& group) const {
  return TestSpeedConsumerOptions(ClientConfig(), group);
}

int64_t ClientClusterTest::StoredMessages(const std::string& topic) {
  auto described = admin_->DescribeTopic(topic);
  EXPECT_TRUE(described.ok()) << described.status().ToString();
  if (!described.ok()) return -1;
  int64_t stored = 0;
  for (const GroupTopic& group : *described) {
    for (const admin::QueueStatus& queue : group.topic.queues()) stored += queue.max_offset();
  }
  return stored;
}

std::vector<GroupQueueLag> ClientClusterTest::Progress(const std::string& consumer_group, const std::string& topic) {
  auto progress = admin_->ConsumerProgress(consumer_group, topic);
  EXPECT_TRUE(progress.ok()) << progress.status().ToString();
  return progress.ok() ? std::move(progress).value() : std::vector<GroupQueueLag>();
}

std::vector<std::string> ClientClusterTest::Consumers(int group, const std::string& consumer_group) {
  auto leader = cluster_->WaitForLeader(group);
  EXPECT_TRUE(leader.ok()) << leader.status().ToString();
  if (!leader.ok()) return {};
  messaging::GetConsumerListRequest request;
  request.set_consumer_group(consumer_group);
  messaging::GetConsumerListResponse response;
  grpc::Status status =
      cluster_->Messaging(group, *leader)->GetConsumerList(test_support::Cluster::Context().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return {response.client_ids().begin(), response.client_ids().end()};
}

}  // namespace raftmq::client::testing
