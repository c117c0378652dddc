// The Producer against a real raftmq-nameserver process and FakeBrokers on loopback: every
// kind of send, leader-hint following, and latency fault avoidance.
#include <gtest/gtest.h>

#include <future>
#include <set>

#include "client/producer.h"
#include "tests/client/test_cluster.h"

namespace raftmq::client {
namespace {

using testing::Eventually;
using testing::TestCluster;

messaging::Message Text(const std::string& topic, const std::string& body) {
  messaging::Message message;
  message.set_topic(topic);
  message.set_body(body);
  return message;
}

TEST(ProducerIntegration, SendsSyncAsyncOnewayAndBatchRoundRobinOverEveryGroup) {
  TestCluster cluster;
  ASSERT_NO_FATAL_FAILURE(cluster.Start({"g1", "g2"}, {"orders"}, 4));
  auto producer = Producer::Create(cluster.Producer());
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();

  std::map<MessageQueue, int> per_queue;
  for (int i = 0; i < 16; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "sync " + std::to_string(i)));
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    ++per_queue[receipt->queue];
  }
  EXPECT_EQ(per_queue.size(), 8u) << "two groups x four queues, round-robin";
  for (const auto& [queue, count] : per_queue) EXPECT_EQ(count, 2) << queue.ToString();

  std::vector<std::future<Result<SendReceipt>>> futures;
  for (int i = 0; i < 8; ++i) futures.push_back((*producer)->SendAsync(Text("orders", "future")));
  std::promise<Status> callback_done;
  (*producer)->SendAsync(Text("orders", "callback"), [&](const Result<SendReceipt>& receipt) {
    callback_done.set_value(receipt.ok() ? Status::Ok() : receipt.status());
  });
  for (auto& future : futures) EXPECT_TRUE(future.get().ok());
  EXPECT_TRUE(callback_done.get_future().get().ok());

  std::vector<messaging::Message> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Text("orders", "batch " + std::to_string(i)));
  auto receipts = (*producer)->SendBatch(batch);
  ASSERT_TRUE(receipts.ok()) << receipts.status().ToString();
  ASSERT_EQ(receipts->size(), 5u);
  std::set<std::string> ids;
  for (size_t i = 0; i < receipts->size(); ++i) {
    EXPECT_EQ((*receipts)[i].queue, receipts->front().queue) << "a batch lands on one queue";
    EXPECT_EQ((*receipts)[i].queue_offset, receipts->front().queue_offset + static_cast<int64_t>(i));
    ids.insert((*receipts)[i].message_id);
  }
  EXPECT_EQ(ids.size(), 5u) << "every message gets its own id";

  ASSERT_TRUE((*producer)->SendOneway(Text("orders", "oneway")).ok());
  (*producer)->Shutdown();  // completes the one-way send
  EXPECT_EQ(cluster.broker(0).sends_received() + cluster.broker(1).sends_received(), 16 + 8 + 1 + 1 + 1);
  EXPECT_TRUE((*producer)->Send(Text("orders", "late")).status().IsAborted());
}

TEST(ProducerIntegration, RefusesBadMessagesAndUnknownTopicsWithoutRetrying) {
  TestCluster cluster;
  ASSERT_NO_FATAL_FAILURE(cluster.Start({"g1"}, {"orders"}, 2));
  auto producer = Producer::Create(cluster.Producer());
  ASSERT_TRUE(producer.ok());
  EXPECT_TRUE((*producer)->Send(Text("orders", "")).status().IsInvalidArgument());
  EXPECT_TRUE((*producer)->Send(Text("", "x")).status().IsInvalidArgument());
  auto unknown = (*producer)->Send(Text("nope", "x"));
  EXPECT_TRUE(unknown.status().IsNotFound()) << unknown.status().ToString();
  EXPECT_EQ(cluster.broker(0).send_calls(), 0);
}

TEST(ProducerIntegration, FollowsAFollowersLeaderHintAtOnceAndRemembersIt) {
  TestCluster cluster;
  ASSERT_NO_FATAL_FAILURE(cluster.Start({}, {}, 0));
  auto leader = testing::FakeBroker::Start({.group_name = "g1", .node_id = 2, .topics = {"orders"}});
  ASSERT_TRUE(leader.ok());
  auto follower = testing::FakeBroker::Start(
      {.group_name = "g1", .node_id = 1, .topics = {"orders"}, .leader_hint = (*leader)->address()});
  ASSERT_TRUE(follower.ok());
  ASSERT_TRUE((*follower)->RegisterWith(cluster.nameserver_address()).ok());  // the route names only the follower

  auto producer = Producer::Create(cluster.Producer());
  ASSERT_TRUE(producer.ok());
  auto first = (*producer)->Send(Text("orders", "one"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*follower)->write_calls_refused(), 1);
  EXPECT_EQ((*leader)->sends_received(), 1);
  ASSERT_TRUE((*producer)->Send(Text("orders", "two")).ok());
  EXPECT_EQ((*follower)->write_calls_refused(), 1) << "the hint is remembered: straight to the leader";
  EXPECT_EQ((*leader)->sends_received(), 2);
}

TEST(ProducerIntegration, AvoidsASlowGroupForTheRocketMqDuration) {
  TestCluster cluster;
  ASSERT_NO_FATAL_FAILURE(cluster.Start({"g1", "g2"}, {"orders"}, 2));
  auto producer = Producer::Create(cluster.Producer());  // default tables: >= 550 ms -> 2000 ms
  ASSERT_TRUE(producer.ok());
  cluster.broker(0).SetSendDelayMs(600);
  // Round-robin reaches g1 within the first four sends; that one is slow but succeeds.
  int slow_sends = 0;
  for (int i = 0; i < 4 && slow_sends == 0; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "probe"));
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    if (receipt->queue.broker_group == "g1") ++slow_sends;
  }
  ASSERT_EQ(slow_sends, 1);
  cluster.broker(0).SetSendDelayMs(0);
  const int64_t g1_before = cluster.broker(0).send_calls();
  for (int i = 0; i < 10; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "avoiding"));
    ASSERT_TRUE(receipt.ok());
    EXPECT_EQ(receipt->queue.broker_group, "g2") << "g1 is avoided for 2000 ms after a 600 ms send";
  }
  EXPECT_EQ(cluster.broker(0).send_calls(), g1_before);
}

TEST(ProducerIntegration, MovesSendsAwayFromAStalledGroupAndBackAfterItResumes) {
  TestCluster cluster;
  ASSERT_NO_FATAL_FAILURE(cluster.Start({"g1", "g2"}, {"orders"}, 2));
  ProducerOptions options = cluster.Producer();
  options.client.rpc_timeout_ms = 300;
  // RocketMQ's table scaled down so the test sees the avoidance end: a failure -> 1500 ms.
  options.latency_fault.not_available_ms = {0, 0, 200, 500, 600, 1000, 1500};
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  cluster.broker(0).Stall();  // as SIGSTOP: calls hang until the client's deadline
  for (int i = 0; i < 20; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "during stall"));
    ASSERT_TRUE(receipt.ok()) << "retried on g2: " << receipt.status().ToString();
    EXPECT_EQ(receipt->queue.broker_group, "g2");
  }
  EXPECT_LE(cluster.broker(0).send_calls(), 2) << "after a timeout the stalled group is avoided, not retried per send";
  cluster.broker(0).Resume();  // as SIGCONT
  EXPECT_TRUE(Eventually([&] {
    auto receipt = (*producer)->Send(Text("orders", "after resume"));
    return receipt.ok() && receipt->queue.broker_group == "g1";
  })) << "sends return to g1 once its avoidance ends";
  EXPECT_GE(cluster.broker(0).sends_received(), 1);
}

}  // namespace
}  // namespace raftmq::client
