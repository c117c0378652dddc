// The official RocketMQ 5 Node.js SimpleConsumer (npm rocketmq-client-nodejs 1.0.8, run by
// node/simple_consumer.js) against a real 3-node raftmq group with nothing in between:
// messages sent with the official producer (node/producer.js) are received and acknowledged
// one by one; the one left unacknowledged comes back once its invisible duration passed, with
// its delivery attempt raised and its id unchanged; and after the leader is killed with
// kill -9, a consumer of the same group gets nothing acknowledged again (at least once, and
// no ack lost). The brokers run with pop_invisible_duration_ms_min = 1 s so the test waits
// seconds, not the default 10 s (the client does not check the duration itself).
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_calls.h"
#include "tests/v2/node_script.h"

namespace raftmq::e2e {
namespace {

constexpr int kMessages = 5;
constexpr int64_t kInvisibleMs = 2000;
const char kGroup[] = "NodeSimpleGroup";

struct Delivery {
  std::string message_id;
  std::string body;
  int attempt = 0;
  bool acked = false;
  bool corrupted = false;
};

std::vector<Delivery> ParseDeliveries(const std::string& output) {
  std::vector<Delivery> deliveries;
  for (const nlohmann::json& json : JsonLines(output)) {
    deliveries.push_back({json.at("messageId").get<std::string>(), json.at("body").get<std::string>(),
                          json.at("attempt").get<int>(), json.at("acked").get<bool>(),
                          json.at("corrupted").get<bool>()});
  }
  return deliveries;
}

TEST(NodeSimpleConsumer, ReceivesAcksRedeliversTheUnackedAndKeepsAcksAcrossALeaderKill) {
  auto cluster = Cluster::Start(
      ClusterOptions{.broker_flags = {"--pop_invisible_duration_ms_min=1000", "--register_broker_interval_ms=500"}});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& c = **cluster;
  const std::string topic = "NodeSimple";
  ASSERT_TRUE(c.CreateTopic(1, topic, 1).ok());
  auto leader = c.WaitForLeader(1);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  const int follower = *leader % c.nodes() + 1;

  std::string produced;
  ASSERT_NO_FATAL_FAILURE(
      RunNodeScript("producer.js", {c.NodeAddress(1, follower), topic, std::to_string(kMessages)}, &produced));

  std::string consumed;
  ASSERT_NO_FATAL_FAILURE(RunNodeScript("simple_consumer.js",
                                  {c.NodeAddress(1, follower), topic, kGroup, std::to_string(kMessages),
                                   std::to_string(kInvisibleMs), "hello 1"},
                                  &consumed));
  const std::vector<Delivery> deliveries = ParseDeliveries(consumed);
  std::map<std::string, std::vector<Delivery>> by_body;
  for (const Delivery& delivery : deliveries) {
    EXPECT_FALSE(delivery.corrupted) << delivery.body << ": the body digest does not match";
    by_body[delivery.body].push_back(delivery);
  }
  ASSERT_EQ(by_body.size(), static_cast<size_t>(kMessages)) << consumed;
  for (int i = 0; i < kMessages; ++i) {
    const std::string body = "hello " + std::to_string(i);
    SCOPED_TRACE(body);
    const std::vector<Delivery>& got = by_body[body];
    if (i != 1) {
      ASSERT_EQ(got.size(), 1u) << consumed;
      EXPECT_EQ(got[0].attempt, 1);
      EXPECT_TRUE(got[0].acked);
      continue;
    }
    // Left unacknowledged once: back after its invisible duration, attempt 2, same id.
    ASSERT_EQ(got.size(), 2u) << consumed;
    EXPECT_EQ(got[0].attempt, 1);
    EXPECT_FALSE(got[0].acked);
    EXPECT_EQ(got[1].attempt, 2);
    EXPECT_TRUE(got[1].acked);
    EXPECT_EQ(got[1].message_id, got[0].message_id);
  }

  // kill -9 the leader: its successor has every ack (each was applied before it was answered).
  ASSERT_TRUE(c.Kill(1, *leader).ok());
  auto new_leader = c.WaitForLeader(1, kClusterWait, *leader);
  ASSERT_TRUE(new_leader.ok()) << new_leader.status().ToString();
  ASSERT_TRUE(c.WaitForNameserverLeader(1, *new_leader).ok());
  const int survivor = 1 + 2 + 3 - *leader - *new_leader;
  std::string after;
  ASSERT_NO_FATAL_FAILURE(RunNodeScript("simple_consumer.js",
                                  {c.NodeAddress(1, survivor), topic, kGroup, "0", std::to_string(kInvisibleMs), ""},
                                  &after));
  EXPECT_TRUE(ParseDeliveries(after).empty()) << after;
}

}  // namespace
}  // namespace raftmq::e2e
