// The official RocketMQ 5 Node.js producer (npm rocketmq-client-nodejs 1.0.8, run by
// node/producer.js) against a real 3-node raftmq group with nothing in between, and raftmq's
// own API reading what it sent (interoperability): bodies, tags, keys, properties, the
// producer's message ids and the queue offsets of its receipts.
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/child_process.h"

namespace raftmq::e2e {
namespace {

using test_support::ChildProcess;

constexpr int kMessages = 10;
constexpr auto kProducerWait = std::chrono::seconds(120);  // npm's client starts in a few s; the machine is shared

struct Receipt {
  std::string message_id;
  int64_t offset = -1;
};

// The producer's JSON receipt lines, by index.
std::vector<Receipt> ParseReceipts(const std::string& output) {
  std::vector<Receipt> receipts(kMessages);
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line.front() != '{') continue;
    const nlohmann::json receipt = nlohmann::json::parse(line);
    const int index = receipt.at("index").get<int>();
    if (index < 0 || index >= kMessages) continue;
    receipts[static_cast<size_t>(index)] = {receipt.at("messageId").get<std::string>(),
                                            receipt.at("offset").get<int64_t>()};
  }
  return receipts;
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

  auto producer = ChildProcess::Start(RAFTMQ_NODE_BINARY, {std::string(RAFTMQ_V2_NODE_DIR) + "/producer.js",
                                                           c.NodeAddress(1, follower), topic,
                                                           std::to_string(kMessages)});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  auto exit_code = (*producer)->WaitForExit(kProducerWait);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status().ToString();
  ASSERT_EQ(*exit_code, 0) << "stdout:\n" << (*producer)->StdoutText() << "\nstderr:\n" << (*producer)->StderrText();
  const std::vector<Receipt> receipts = ParseReceipts((*producer)->StdoutText());

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

}  // namespace
}  // namespace raftmq::e2e
