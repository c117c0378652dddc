// The Producer against real raftmq-nameserver and raftmq-broker processes on loopback: every
// kind of send round-robin over every group, refusals that are not retried, leader hints
// followed after a leadership transfer, sends carrying on through a SIGSTOPped leader of a
// 3-node group, latency fault avoidance of a group whose only node is SIGSTOPped, and sends
// that timed out on a SIGSTOPped node, or lost their connection to it, reported as of unknown
// outcome (may be duplicates).
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <thread>

#include "client/producer.h"
#include "tests/client/client_cluster_test.h"

namespace raftmq::client {
namespace {

using testing::ClientClusterTest;
using testing::Eventually;
using testing::kWait;
using Clock = std::chrono::steady_clock;

messaging::Message Text(const std::string& topic, const std::string& body) {
  messaging::Message message;
  message.set_topic(topic);
  message.set_body(body);
  return message;
}

int64_t ElapsedMs(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

using ProducerIntegration = ClientClusterTest;

TEST_F(ProducerIntegration, SendsSyncAsyncOnewayAndBatchRoundRobinOverEveryGroup) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 1, {{"orders", 4}}));
  auto producer = Producer::Create(ProducerConfig());
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
  EXPECT_EQ(StoredMessages("orders"), 16 + 8 + 1 + 5 + 1) << "each send stored once, none retried";
  EXPECT_TRUE((*producer)->Send(Text("orders", "late")).status().IsAborted());
}

TEST_F(ProducerIntegration, CoalescesConcurrentAsyncSendsPerQueueKeepingEveryReceipt) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"bulk", 2}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  constexpr int kSends = 400;
  std::vector<std::future<Result<SendReceipt>>> futures;
  for (int i = 0; i < kSends; ++i) futures.push_back((*producer)->SendAsync(Text("bulk", "m" + std::to_string(i))));
  std::map<MessageQueue, std::set<int64_t>> offsets;
  std::set<std::string> ids;
  for (auto& future : futures) {
    Result<SendReceipt> receipt = future.get();
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    EXPECT_TRUE(offsets[receipt->queue].insert(receipt->queue_offset).second) << "an offset handed out twice";
    ids.insert(receipt->message_id);
  }
  EXPECT_EQ(ids.size(), size_t{kSends});
  ASSERT_EQ(offsets.size(), 2u);
  for (const auto& [queue, queue_offsets] : offsets) {
    EXPECT_EQ(queue_offsets.size(), size_t{kSends / 2}) << queue.ToString() << ": round-robin";
    EXPECT_EQ(*queue_offsets.rbegin(), kSends / 2 - 1) << queue.ToString() << ": offsets 0.. without gaps";
  }
  // Sends made while one to the same queue was in flight went out together.
  EXPECT_LT((*producer)->async_batches_sent(), uint64_t{kSends});
  (*producer)->Shutdown();
  EXPECT_EQ(StoredMessages("bulk"), kSends) << "each message stored once";
}

TEST_F(ProducerIntegration, RefusesBadMessagesAndUnknownTopicsWithoutRetrying) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"orders", 2}}, {"--max_message_size_bytes=1024"}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  EXPECT_TRUE((*producer)->Send(Text("orders", "")).status().IsInvalidArgument());
  EXPECT_TRUE((*producer)->Send(Text("", "x")).status().IsInvalidArgument());
  auto unknown = (*producer)->Send(Text("nope", "x"));
  EXPECT_TRUE(unknown.status().IsNotFound()) << unknown.status().ToString();
  // The broker refuses what only it can judge; the client reports it as is (retrying could
  // not change the answer).
  auto too_big = (*producer)->Send(Text("orders", std::string(2048, 'x')));
  EXPECT_TRUE(too_big.status().IsInvalidArgument()) << too_big.status().ToString();
  EXPECT_EQ(StoredMessages("orders"), 0);
  ASSERT_TRUE((*producer)->Send(Text("orders", "fine")).ok()) << "the group is healthy: refusals were the messages'";

  // Async sends coalesce, and the broker's limit bounds a whole batch: a batch refused as a
  // whole is retried message by message, so only the oversized one fails.
  std::vector<std::future<Result<SendReceipt>>> small;
  auto big = (*producer)->SendAsync(Text("orders", std::string(2048, 'x')));
  for (int i = 0; i < 40; ++i) small.push_back((*producer)->SendAsync(Text("orders", std::string(100, 'y'))));
  EXPECT_TRUE(big.get().status().IsInvalidArgument());
  for (auto& future : small) {
    Result<SendReceipt> receipt = future.get();
    EXPECT_TRUE(receipt.ok()) << receipt.status().ToString();
  }
  EXPECT_EQ(StoredMessages("orders"), 1 + 40);

  // A refusal keeps its kind across the wire, so no caller has to match message text.
  admin::TopicConfig existing;
  existing.set_name("orders");
  existing.set_read_queue_nums(2);
  existing.set_write_queue_nums(2);
  existing.set_perm(admin::PERM_READ | admin::PERM_WRITE);
  auto again = admin().CreateTopic(existing, {});
  EXPECT_TRUE(again.status().IsAlreadyExists()) << again.status().ToString();
}

TEST_F(ProducerIntegration, FollowsALeaderHintAtOnceAndRemembersIt) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 3, {{"orders", 2}}));
  ProducerOptions options = ProducerConfig();
  options.retry_times_when_send_failed = 0;  // a send that needs a second attempt fails
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send(Text("orders", "to the first leader")).ok());
  auto old_leader = cluster().WaitForLeader(1);
  ASSERT_TRUE(old_leader.ok()) << old_leader.status().ToString();
  const int new_leader = *old_leader % 3 + 1;
  ASSERT_TRUE(admin().TransferLeadership("g1", static_cast<uint64_t>(new_leader)).ok());
  ASSERT_TRUE(Eventually([&] {
    auto status = cluster().NodeStatus(1, *old_leader);
    return status.ok() && status->leader_id() == static_cast<uint64_t>(new_leader);
  })) << "the old leader never learned of node " << new_leader;

  // The producer's route still names the old leader, which answers with a hint.
  auto hinted = (*producer)->Send(Text("orders", "through the hint"));
  ASSERT_TRUE(hinted.ok()) << "the hint was not followed within the attempt: " << hinted.status().ToString();
  // Were the old leader asked again, this send would hang until its deadline and fail.
  ASSERT_TRUE(cluster().Pause(1, *old_leader).ok());
  auto remembered = (*producer)->Send(Text("orders", "straight to the leader"));
  EXPECT_TRUE(remembered.ok()) << "the hint was not remembered: " << remembered.status().ToString();
  ASSERT_TRUE(cluster().Resume(1, *old_leader).ok());
  EXPECT_EQ(StoredMessages("orders"), 3);
}

TEST_F(ProducerIntegration, SendsCarryOnThroughAStoppedLeader) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 3, {{"orders", 2}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send(Text("orders", "before")).ok());
  auto leader = cluster().WaitForLeader(1);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  ASSERT_TRUE(cluster().Pause(1, *leader).ok());
  const auto stopped_at = Clock::now();
  // The followers elect a new leader; sends time out meanwhile (each retried within Send on
  // the next node), then follow its hint.
  int64_t failed = 0;
  EXPECT_TRUE(Eventually([&] {
    const bool sent = (*producer)->Send(Text("orders", "during")).ok();
    failed += sent ? 0 : 1;
    return sent;
  })) << "no send succeeded while the old leader was stopped";
  const int64_t first_ack_ms = ElapsedMs(stopped_at);
  EXPECT_TRUE(cluster().WaitForLeader(1, kWait, *leader).ok());
  ASSERT_TRUE(cluster().Resume(1, *leader).ok());
  EXPECT_TRUE((*producer)->Send(Text("orders", "after")).ok()) << "the old leader rejoined as a follower";
  std::printf("stopped leader: first send acknowledged %lld ms after SIGSTOP; %lld sends failed before\n",
              static_cast<long long>(first_ack_ms), static_cast<long long>(failed));
}

TEST_F(ProducerIntegration, AvoidsASlowGroupForTheRocketMqDuration) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 1, {{"orders", 2}}));
  auto producer = Producer::Create(ProducerConfig());  // default tables: >= 550 ms -> 2000 ms; 2 s deadline
  ASSERT_TRUE(producer.ok());
  // g1 is made slow for real: its only node is stopped for 1 s (the fault, not a wait), so
  // the send that round-robin gives it within the next four takes ~1 s and then succeeds.
  ASSERT_TRUE(cluster().Pause(1, 1).ok());
  std::thread resume([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    EXPECT_TRUE(cluster().Resume(1, 1).ok());
  });
  int64_t slow_ms = -1;
  for (int i = 0; i < 4 && slow_ms < 0; ++i) {
    const auto start = Clock::now();
    auto receipt = (*producer)->Send(Text("orders", "probe"));
    EXPECT_TRUE(receipt.ok()) << receipt.status().ToString();
    if (receipt.ok() && receipt->queue.broker_group == "g1") slow_ms = ElapsedMs(start);
  }
  resume.join();
  // Reported, not asserted (wall-clock time): the avoidance below shows the send was judged slow.
  ASSERT_GE(slow_ms, 0) << "round-robin gave g1 no send within four";
  std::printf("slow group: the send to g1 took %lld ms\n", static_cast<long long>(slow_ms));
  const int64_t stored_before = StoredMessages("orders");
  for (int i = 0; i < 10; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "avoiding"));
    ASSERT_TRUE(receipt.ok());
    EXPECT_EQ(receipt->queue.broker_group, "g2") << "g1 is avoided for 2000 ms after a " << slow_ms << " ms send";
  }
  EXPECT_EQ(StoredMessages("orders"), stored_before + 10);
}

TEST_F(ProducerIntegration, MovesSendsAwayFromAStoppedGroupAndBackAfterItResumes) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 1, {{"orders", 2}}));
  ProducerOptions options = ProducerConfig();
  options.client.rpc_timeout_ms = 300;
  // RocketMQ's table scaled down so the test sees the avoidance end: a failure -> 1500 ms.
  options.latency_fault.not_available_ms = {0, 0, 200, 500, 600, 1000, 1500};
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE(cluster().Pause(1, 1).ok());  // g1's leader (its only node): calls hang to their deadline
  // The sends that tried g1 first: they waited out its 300 ms deadline, so their receipt says
  // the timed-out attempt may have stored the message too.
  int timed_out_sends = 0;
  for (int i = 0; i < 20; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "during stall"));
    ASSERT_TRUE(receipt.ok()) << "retried on g2: " << receipt.status().ToString();
    EXPECT_EQ(receipt->queue.broker_group, "g2");
    if (receipt->may_be_duplicate) ++timed_out_sends;
  }
  EXPECT_GE(timed_out_sends, 1) << "round-robin tried g1 within 20 sends";
  EXPECT_LE(timed_out_sends, 2) << "after a timeout the stopped group is avoided, not tried per send";
  ASSERT_TRUE(cluster().Resume(1, 1).ok());
  EXPECT_TRUE(Eventually([&] {
    auto receipt = (*producer)->Send(Text("orders", "after resume"));
    return receipt.ok() && receipt->queue.broker_group == "g1";
  })) << "sends return to g1 once its avoidance ends";
}

TEST_F(ProducerIntegration, ASendRetriedAfterATimedOutAttemptMayBeADuplicate) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 1, {{"orders", 2}}));
  ProducerOptions options = ProducerConfig();
  options.client.rpc_timeout_ms = 300;
  options.send_latency_fault_enable = false;  // round-robin keeps offering the stopped group
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  // g1's only node stops past the deadline: a timed-out attempt may still be appended by it
  // once it runs again, so the retry on g2 may store the message a second time.
  ASSERT_TRUE(cluster().Pause(1, 1).ok());
  int flagged = 0;
  for (int i = 0; i < 4; ++i) {
    auto receipt = (*producer)->Send(Text("orders", "sync during stall"));
    ASSERT_TRUE(receipt.ok()) << "retried on g2: " << receipt.status().ToString();
    EXPECT_EQ(receipt->queue.broker_group, "g2");
    flagged += receipt->may_be_duplicate ? 1 : 0;
  }
  EXPECT_GE(flagged, 1) << "round-robin offered g1 within 4 sends; its timeout left the outcome unknown";
  std::vector<std::future<Result<SendReceipt>>> futures;
  for (int i = 0; i < 4; ++i) futures.push_back((*producer)->SendAsync(Text("orders", "async during stall")));
  int async_flagged = 0;
  for (auto& future : futures) {
    Result<SendReceipt> receipt = future.get();
    ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
    async_flagged += receipt->may_be_duplicate ? 1 : 0;
  }
  EXPECT_GE(async_flagged, 1) << "an async batch that timed out on g1 is retried as of unknown outcome";
  ASSERT_TRUE(cluster().Resume(1, 1).ok());
}

TEST_F(ProducerIntegration, ASendWhoseEveryAttemptTimedOutFailsWithAnUnknownOutcome) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"orders", 2}}));
  ProducerOptions options = ProducerConfig();
  options.client.rpc_timeout_ms = 300;
  options.retry_times_when_send_failed = 1;
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send(Text("orders", "before")).ok());  // the route is cached
  ASSERT_TRUE(cluster().Pause(1, 1).ok());
  auto timed_out = (*producer)->Send(Text("orders", "during stall"));
  ASSERT_TRUE(cluster().Resume(1, 1).ok());
  // The stopped node may append the message when it runs again: not a definite "not stored".
  EXPECT_TRUE(timed_out.status().IsAborted()) << timed_out.status().ToString();
  EXPECT_NE(timed_out.status().message().find("outcome unknown"), std::string::npos) << timed_out.status().ToString();
}

TEST_F(ProducerIntegration, ASendWhoseConnectionWasLostMidCallFailsWithAnUnknownOutcome) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"orders", 2}}));
  ProducerOptions options = ProducerConfig();
  options.client.rpc_timeout_ms = 60000;  // the unanswered keepalive ping ends the call, not the deadline
  options.retry_times_when_send_failed = 0;
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  ASSERT_TRUE((*producer)->Send(Text("orders", "before")).ok());  // the connection is up
  ASSERT_TRUE(cluster().Pause(1, 1).ok());
  auto cut_off = (*producer)->Send(Text("orders", "during stall"));
  ASSERT_TRUE(cluster().Resume(1, 1).ok());
  // gRPC ends the call UNAVAILABLE, as it does for a connection reset by kill -9; the broker
  // did not refuse it: it may have the message.
  EXPECT_TRUE(cut_off.status().IsAborted()) << cut_off.status().ToString();
  EXPECT_NE(cut_off.status().message().find("outcome unknown"), std::string::npos) << cut_off.status().ToString();
  EXPECT_NE(cut_off.status().message().find("connection lost"), std::string::npos) << cut_off.status().ToString();
}

}  // namespace
}  // namespace raftmq::client
