// The official RocketMQ 5 Node.js producer (npm rocketmq-client-nodejs 1.0.8, run by
// node/producer.js) against a real 3-node raftmq group with nothing in between, and raftmq's
// own API reading what it sent (interoperability): bodies, tags, keys, properties, the
// producer's message ids and the queue offsets of its receipts; and after a leader's kill -9.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_calls.h"
#include "tests/v2/node_script.h"

namespace raftmq::e2e {
namespace {

constexpr int kMessages = 10;

struct Receipt {
  std::string message_id;
  int64_t offset = -1;
};

// The producer's JSON receipt lines, by index.
std::vector<Receipt> ParseReceipts(const std::string& output, int count) {
  std::vector<Receipt> receipts(static_cast<size_t>(count));
  for (const nlohmann::json& receipt : JsonLines(output)) {
    const int index = receipt.at("index").get<int>();
    if (index < 0 || index >= count) continue;
    receipts[static_cast<size_t>(index)] = {receipt.at("messageId").get<std::string>(),
                                            receipt.at("offset").get<int64_t>()};
  }
  return receipts;
}

// node/producer.js sending `count` messages through `access_point`; fails the test unless it
// exits 0.
void RunProducer(const std::string& access_point, const std::string& topic, int count, std::vector<Receipt>* receipts) {
  std::string output;
  ASSERT_NO_FATAL_FAILURE(RunNodeScript("producer.js", {access_point, topic, std::to_string(count)}, &output));
  *receipts = ParseReceipts(output, count);
}

TEST(NodeProducer, SendsThroughAFollowersAccessPointAndRaftmqReadsEveryFieldBack) {
  auto cluster = Cluster::Start(ClusterOptions{});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& c = **cluster;
  const std::string topic = "NodeProduced";
  ASSERT_TRUE(c.CreateTopic(1, topic, 4).ok());
  auto leader = c.WaitForLeader(1);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  // The access point is a follower: any node answers QueryRoute, and the route names the leader.
  const int follower = *leader % c.nodes() + 1;

  std::vector<Receipt> receipts;
  ASSERT_NO_FATAL_FAILURE(RunProducer(c.NodeAddress(1, follower), topic, kMessages, &receipts));

  // The Node.js client sends to queue 0 of each group only.
  auto reader = c.WaitForLeader(1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<messaging::MessageExt> messages;
  ASSERT_TRUE(PullToEnd(c.Messaging(1, *reader), topic, 0, 0, &messages).ok());
  ASSERT_EQ(messages.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    SCOPED_TRACE("message " + std::to_string(i));
    const messaging::MessageExt& stored = messages[static_cast<size_t>(i)];
    const messaging::Message& message = stored.message();
    const Receipt& receipt = receipts[static_cast<size_t>(i)];
    EXPECT_FALSE(receipt.message_id.empty());
    EXPECT_EQ(message.message_id(), receipt.message_id);
    EXPECT_EQ(stored.queue_offset(), receipt.offset);
    EXPECT_EQ(stored.queue_offset(), i);
    EXPECT_EQ(message.body(), "hello " + std::to_string(i));
    EXPECT_EQ(message.tag(), "tag-" + std::to_string(i % 2));
    ASSERT_EQ(message.keys_size(), 2);
    EXPECT_EQ(message.keys(0), "key-" + std::to_string(i));
    EXPECT_EQ(message.keys(1), "order-" + std::to_string(i));
    ASSERT_EQ(message.properties().count("index"), 1u);
    EXPECT_EQ(message.properties().at("index"), std::to_string(i));
    ASSERT_EQ(message.properties().count("origin"), 1u);
    EXPECT_EQ(message.properties().at("origin"), "nodejs");
    EXPECT_GT(message.born_timestamp_ms(), 0);
  }
}

// Routes follow a failover: once the nameservers know the new leader, QueryRoute (asked of a
// surviving node) names it and the official client's sends land there.
TEST(NodeProducer, SendsToTheNewLeaderAfterTheOldOneWasKilled) {
  auto cluster = Cluster::Start(ClusterOptions{});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& c = **cluster;
  const std::string topic = "NodeAfterFailover";
  ASSERT_TRUE(c.CreateTopic(1, topic, 2).ok());
  auto old_leader = c.WaitForLeader(1);
  ASSERT_TRUE(old_leader.ok()) << old_leader.status().ToString();
  ASSERT_TRUE(c.Kill(1, *old_leader).ok());
  auto new_leader = c.WaitForLeader(1, kClusterWait, *old_leader);
  ASSERT_TRUE(new_leader.ok()) << new_leader.status().ToString();
  ASSERT_TRUE(c.WaitForNameserverLeader(1, *new_leader).ok());

  constexpr int kAfterFailover = 3;
  std::vector<Receipt> receipts;
  const int follower = 1 + 2 + 3 - *old_leader - *new_leader;  // the third node of the group, alive
  ASSERT_NO_FATAL_FAILURE(RunProducer(c.NodeAddress(1, follower), topic, kAfterFailover, &receipts));
  std::vector<messaging::MessageExt> messages;
  ASSERT_TRUE(PullToEnd(c.Messaging(1, *new_leader), topic, 0, 0, &messages).ok());
  ASSERT_EQ(messages.size(), static_cast<size_t>(kAfterFailover));
  for (int i = 0; i < kAfterFailover; ++i) {
    EXPECT_EQ(messages[static_cast<size_t>(i)].message().message_id(), receipts[static_cast<size_t>(i)].message_id);
    EXPECT_EQ(messages[static_cast<size_t>(i)].message().body(), "hello " + std::to_string(i));
  }
}

}  // namespace
}  // namespace raftmq::e2e
