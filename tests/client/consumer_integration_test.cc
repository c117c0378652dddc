// PushConsumer and PullConsumer against real raftmq-nameserver and raftmq-broker processes:
// round trip with committed offsets, rebalancing as consumers join, leave and die (a child
// process SIGKILLed), broadcasting, flow control, ConsumeFromWhere, redelivery of a message
// answered RECONSUME_LATER through the retry topic.
#include <gtest/gtest.h>

#include <csignal>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "client/producer.h"
#include "client/pull_consumer.h"
#include "client/push_consumer.h"
#include "client/rebalancer.h"
#include "tests/client/client_cluster_test.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace raftmq::client {
namespace {

using testing::ClientClusterTest;
using testing::Eventually;
using testing::kWait;

// Message ids a listener saw, with a wait for a count.
class Received {
 public:
  MessageListener Listener() {
    return [this](const MessageQueue&, const messaging::MessageExt& message) {
      std::lock_guard lock(mutex_);
      ++deliveries_[message.message().message_id()];
      cv_.notify_all();
      return ConsumeStatus::kConsumeSuccess;
    };
  }
  ::testing::AssertionResult WaitForDistinct(size_t count) {
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, kWait, [&] { return deliveries_.size() >= count; })) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "received " << deliveries_.size() << " distinct messages of " << count
                                         << " within " << kWait.count() << " ms";
  }
  std::map<std::string, int> deliveries() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::string, int> deliveries_;
};

std::vector<std::string> SendMessages(Producer& producer, const std::string& topic, int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    messaging::Message message;
    message.set_topic(topic);
    message.set_body("body " + std::to_string(i));
    auto receipt = producer.Send(message);
    EXPECT_TRUE(receipt.ok()) << receipt.status().ToString();
    if (receipt.ok()) ids.push_back(receipt->message_id);
  }
  return ids;
}

std::unique_ptr<PushConsumer> StartConsumer(const PushConsumerOptions& options, const std::string& topic,
                                            MessageListener listener) {
  auto consumer = PushConsumer::Create(options);
  EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
  if (!consumer.ok()) return nullptr;
  EXPECT_TRUE((*consumer)->Subscribe(topic, "*").ok());
  (*consumer)->RegisterMessageListener(std::move(listener));
  Status started = (*consumer)->Start();
  EXPECT_TRUE(started.ok()) << started.ToString();
  return std::move(consumer).value();
}

using PushConsumerIntegration = ClientClusterTest;
using PullConsumerIntegration = ClientClusterTest;

TEST_F(PushConsumerIntegration, ConsumesEveryMessageAndCommitsOffsetsOnShutdown) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 1, {{"orders", 4}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  const auto ids = SendMessages(**producer, "orders", 40);
  Received received;
  auto consumer = StartConsumer(ConsumerConfig("billing"), "orders", received.Listener());
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(received.WaitForDistinct(ids.size()));
  EXPECT_EQ(consumer->Assignment().size(), 8u) << "the only consumer owns every queue of both groups";
  consumer->Shutdown();
  for (const std::string& id : ids) EXPECT_EQ(received.deliveries()[id], 1) << id;
  const auto progress = Progress("billing", "orders");
  EXPECT_EQ(progress.size(), 8u);
  for (const GroupQueueLag& queue : progress) {
    EXPECT_EQ(queue.lag.consumer_offset(), queue.lag.broker_max_offset())
        << queue.broker_group << " queue " << queue.lag.queue_id();
  }
  for (int group = 1; group <= 2; ++group) {
    EXPECT_TRUE(Consumers(group, "billing").empty()) << "a clean shutdown unregisters from g" << group;
  }
}

// Every queue has exactly one owner among `consumers` and they cover all `queue_count`.
bool OwnedExactlyOnce(const std::vector<PushConsumer*>& consumers, size_t queue_count) {
  std::map<MessageQueue, int> owners;
  for (PushConsumer* consumer : consumers) {
    for (const MessageQueue& queue : consumer->Assignment()) ++owners[queue];
  }
  if (owners.size() != queue_count) return false;
  for (const auto& [queue, count] : owners) {
    if (count != 1) return false;
  }
  return true;
}

// The queues of the child's last "assignment q1 q2 ..." line (see test_consumer_main.cc).
std::set<std::string> LastAssignment(const std::string& child_output) {
  const size_t line = child_output.rfind("assignment");
  if (line == std::string::npos) return {};
  std::istringstream words(child_output.substr(line, child_output.find('\n', line) - line));
  std::set<std::string> queues;
  std::string word;
  words >> word;  // "assignment"
  while (words >> word) queues.insert(word);
  return queues;
}

// `first` and the child process own four queues each, together all eight of two groups.
bool SplitWithChild(const PushConsumer& first, const std::string& child_output) {
  std::set<std::string> owned = LastAssignment(child_output);
  if (owned.size() != 4 || first.Assignment().size() != 4) return false;
  for (const MessageQueue& queue : first.Assignment()) owned.insert(queue.ToString());
  return owned.size() == 8;
}

TEST_F(PushConsumerIntegration, RebalancesWhenConsumersJoinLeaveAndDie) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 1, {{"orders", 4}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  Received received;
  auto first = StartConsumer(ConsumerConfig("billing"), "orders", received.Listener());
  ASSERT_NE(first, nullptr);
  std::vector<std::string> sent = SendMessages(**producer, "orders", 20);

  auto second = StartConsumer(ConsumerConfig("billing"), "orders", received.Listener());
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(Eventually([&] {
    return OwnedExactlyOnce({first.get(), second.get()}, 8) && first->Assignment().size() == 4;
  })) << "a join splits the queues 4 + 4";
  auto more = SendMessages(**producer, "orders", 20);
  sent.insert(sent.end(), more.begin(), more.end());

  second->Shutdown();  // a leave: unregisters, the first takes everything back
  ASSERT_TRUE(Eventually([&] { return OwnedExactlyOnce({first.get()}, 8); })) << "the leaver's queues did not return";

  auto child = test_support::ChildProcess::Start(RAFTMQ_CLIENT_TEST_CONSUMER,
                                                 {cluster().nameserver_address(), "billing", "orders"});
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  ASSERT_TRUE((*child)->WaitForLine("ready", kWait).ok()) << (*child)->StderrText();
  ASSERT_TRUE(Eventually([&] { return SplitWithChild(*first, (*child)->StdoutText()); }))
      << "the child process did not take the other half:\n" << (*child)->StdoutText();
  more = SendMessages(**producer, "orders", 20);
  sent.insert(sent.end(), more.begin(), more.end());
  ASSERT_EQ(kill((*child)->pid(), SIGKILL), 0);  // dies without unregistering: found by heartbeat expiry
  ASSERT_TRUE(Eventually([&] { return OwnedExactlyOnce({first.get()}, 8); })) << "the dead consumer's queues return";
  more = SendMessages(**producer, "orders", 20);
  sent.insert(sent.end(), more.begin(), more.end());

  ASSERT_TRUE(Eventually([&] {
    const auto seen = received.deliveries();
    const std::string child_output = (*child)->StdoutText();
    for (const std::string& id : sent) {
      if (seen.count(id) == 0 && child_output.find("message " + id + "\n") == std::string::npos) return false;
    }
    return true;
  })) << "nothing is lost across join, leave and death";
  int duplicates = 0;
  for (const auto& [id, count] : received.deliveries()) duplicates += count - 1;
  for (const std::string& id : sent) {
    if (received.deliveries().count(id) != 0 && (*child)->StdoutText().find("message " + id + "\n") != std::string::npos) {
      ++duplicates;
    }
  }
  RecordProperty("duplicates", duplicates);
  std::printf("rebalance test: %zu messages, %d duplicate deliveries\n", sent.size(), duplicates);
  EXPECT_LT(duplicates, static_cast<int>(sent.size())) << "at least once, not everything twice";
}

// A node that has not heard a consumer's heartbeat (restarted, newly leading) lists the group
// without it. Allocating from that list would take every queue from it until its next
// heartbeat (and restart them from the committed offsets): the rebalance says Unavailable and
// the consumer keeps what it owns.
TEST_F(PushConsumerIntegration, ARebalanceAgainstAListWithoutThisConsumerChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"orders", 4}}));
  Received received;
  auto listed = StartConsumer(ConsumerConfig("billing"), "orders", received.Listener());
  ASSERT_NE(listed, nullptr);
  ASSERT_TRUE(Eventually([&] { return listed->Assignment().size() == 4; })) << "the listed consumer took no queue";

  ClientInstance unlisted(ClientConfig());  // never heartbeats
  Rebalancer rebalancer(&unlisted, "billing", MessageModel::kClustering);
  auto consumers = rebalancer.ConsumerList("orders");
  ASSERT_TRUE(consumers.ok()) << consumers.status().ToString();
  EXPECT_EQ(*consumers, std::vector<std::string>{listed->client_id()});
  auto assignment = rebalancer.Assign("orders");
  ASSERT_FALSE(assignment.ok()) << "assigned " << assignment->queues.size() << " queues to an unlisted consumer";
  EXPECT_TRUE(assignment.status().IsUnavailable()) << assignment.status().ToString();
  EXPECT_NE(assignment.status().message().find(unlisted.client_id()), std::string::npos) << assignment.status().ToString();
  EXPECT_EQ(listed->Assignment().size(), 4u);
}

TEST_F(PushConsumerIntegration, BroadcastingDeliversEveryMessageToEveryConsumer) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(2, 1, {{"news", 2}}));
  test_support::TempDir dir("client_broadcast");
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  Received first_received;
  Received second_received;
  PushConsumerOptions options = ConsumerConfig("readers");
  options.message_model = MessageModel::kBroadcasting;
  options.offset_store_dir = dir.path();
  options.client.instance_name = "first";
  auto first = StartConsumer(options, "news", first_received.Listener());
  options.client.instance_name = "second";
  auto second = StartConsumer(options, "news", second_received.Listener());
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  const auto ids = SendMessages(**producer, "news", 20);
  ASSERT_TRUE(first_received.WaitForDistinct(ids.size()));
  ASSERT_TRUE(second_received.WaitForDistinct(ids.size()));
  EXPECT_EQ(first->Assignment().size(), 4u);
  EXPECT_EQ(second->Assignment().size(), 4u);
  first->Shutdown();
  second->Shutdown();
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("first/readers/offsets.json")));
  EXPECT_TRUE(std::filesystem::exists(dir.Sub("second/readers/offsets.json")));
  for (const GroupQueueLag& queue : Progress("readers", "news")) {
    EXPECT_EQ(queue.lag.consumer_offset(), -1) << "broadcast offsets stay local";
  }
}

TEST_F(PushConsumerIntegration, PausesPullsWhileTooManyMessagesAreCachedAndResumes) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"slow", 1}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  const auto ids = SendMessages(**producer, "slow", 50);
  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  bool open = false;
  Received received;
  MessageListener count = received.Listener();
  PushConsumerOptions options = ConsumerConfig("slowpokes");
  options.flow_control.pull_threshold_for_queue = 5;
  options.pull_batch_size = 2;
  auto consumer = StartConsumer(options, "slow", [&](const MessageQueue& queue, const messaging::MessageExt& message) {
    std::unique_lock lock(gate_mutex);
    gate_cv.wait(lock, [&] { return open; });
    return count(queue, message);
  });
  ASSERT_NE(consumer, nullptr);
  // 4 messages held by the gated listener threads, 5 cached at 2 per pull: the queue's pull
  // loop parks in flow control until the cache drains, which the gate forbids.
  ASSERT_TRUE(Eventually([&] { return consumer->flow_control_pause_count() > 0; })) << "flow control never paused";
  EXPECT_EQ(consumer->flow_control_pause_count(), 1) << "one queue, parked once: not pulling and pausing again";
  {
    std::lock_guard lock(gate_mutex);
    open = true;
  }
  gate_cv.notify_all();
  ASSERT_TRUE(received.WaitForDistinct(ids.size())) << "consumption resumes the paused pulls";
}

TEST_F(PushConsumerIntegration, ANewGroupStartsAtLastOrAtATimestamp) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"events", 1}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  const auto old_ids = SendMessages(**producer, "events", 10);
  const int64_t boundary_ms = UnixNowMs() + 1;
  while (UnixNowMs() <= boundary_ms) {
  }  // the stored timestamps of the next messages are after the boundary
  const auto new_ids = SendMessages(**producer, "events", 6);

  Received from_time;
  PushConsumerOptions options = ConsumerConfig("by_time");
  options.consume_from_where = ConsumeFromWhere::kTimestamp;
  options.consume_timestamp_ms = boundary_ms;
  auto by_time = StartConsumer(options, "events", from_time.Listener());
  ASSERT_NE(by_time, nullptr);
  ASSERT_TRUE(from_time.WaitForDistinct(new_ids.size()));
  by_time->Shutdown();
  for (const std::string& id : old_ids) EXPECT_EQ(from_time.deliveries().count(id), 0u) << "before the timestamp";

  Received from_last;
  options = ConsumerConfig("by_last");
  options.consume_from_where = ConsumeFromWhere::kLastOffset;
  auto by_last = StartConsumer(options, "events", from_last.Listener());
  ASSERT_NE(by_last, nullptr);
  ASSERT_TRUE(Eventually([&] { return by_last->Assignment().size() == 1; })) << "the consumer never took the queue";
  const auto latest = SendMessages(**producer, "events", 1);
  ASSERT_TRUE(from_last.WaitForDistinct(1));
  EXPECT_EQ(from_last.deliveries().size(), 1u);
  EXPECT_EQ(from_last.deliveries().count(latest.front()), 1u) << "only what was sent after it started";
}

TEST_F(PushConsumerIntegration, RedeliversAMessageAnsweredReconsumeLaterThroughTheRetryTopic) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"jobs", 1}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> topics_seen;
  auto consumer = StartConsumer(ConsumerConfig("workers"), "jobs", [&](const MessageQueue& queue,
                                                                          const messaging::MessageExt&) {
    std::lock_guard lock(mutex);
    topics_seen.push_back(queue.topic);
    cv.notify_all();
    return topics_seen.size() == 1 ? ConsumeStatus::kReconsumeLater : ConsumeStatus::kConsumeSuccess;
  });
  ASSERT_NE(consumer, nullptr);
  SendMessages(**producer, "jobs", 1);
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, kWait, [&] { return topics_seen.size() >= 2; }));
  EXPECT_EQ(topics_seen[0], "jobs");
  EXPECT_EQ(topics_seen[1], "%RETRY%workers");
  lock.unlock();
  consumer->Shutdown();
  const auto progress = Progress("workers", "jobs");
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].lag.consumer_offset(), 1) << "handed back counts as consumed here";
}

TEST_F(PullConsumerIntegration, PullsByOffsetCommitsAndReportsIllegalOffsets) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(1, 1, {{"log", 1}}));
  auto producer = Producer::Create(ProducerConfig());
  ASSERT_TRUE(producer.ok());
  const auto ids = SendMessages(**producer, "log", 10);
  auto consumer = PullConsumer::Create({.client = ClientConfig(), .consumer_group = "auditors"});
  ASSERT_TRUE(consumer.ok());
  auto queues = (*consumer)->FetchQueues("log");
  ASSERT_TRUE(queues.ok());
  ASSERT_EQ(queues->size(), 1u);
  const MessageQueue queue = queues->front();
  auto pulled = (*consumer)->Pull(queue, 0, 4);
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  ASSERT_EQ(pulled->outcome, PullResult::Outcome::kFound);
  ASSERT_EQ(pulled->messages.size(), 4u);
  EXPECT_EQ(pulled->messages[0].message().message_id(), ids[0]);
  EXPECT_EQ(pulled->next_offset, 4);
  EXPECT_TRUE((*consumer)->CommittedOffset(queue).status().IsNotFound());
  ASSERT_TRUE((*consumer)->CommitOffset(queue, pulled->next_offset).ok());
  EXPECT_EQ(*(*consumer)->CommittedOffset(queue), 4);
  auto bounds = (*consumer)->Bounds(queue);
  ASSERT_TRUE(bounds.ok());
  EXPECT_EQ(bounds->max_offset, 10);
  auto past_end = (*consumer)->Pull(queue, 11, 4);
  ASSERT_TRUE(past_end.ok()) << past_end.status().ToString();
  EXPECT_EQ(past_end->outcome, PullResult::Outcome::kOffsetIllegal);
  // The bounds come with the refusal (the broker's trailers), not from a second call.
  EXPECT_EQ(past_end->min_offset, 0);
  EXPECT_EQ(past_end->max_offset, 10);
  EXPECT_EQ(past_end->next_offset, 11) << "an illegal offset does not move the caller";
  auto at_end = (*consumer)->Pull(queue, 10, 4);
  ASSERT_TRUE(at_end.ok());
  EXPECT_EQ(at_end->outcome, PullResult::Outcome::kNoNewMessage);
}

}  // namespace
}  // namespace raftmq::client
