// The official RocketMQ 5 Node.js PushConsumer (npm rocketmq-client-nodejs 1.0.8, run by
// node/push_consumer.js) against a real 3-node raftmq group with nothing in between, and
// interoperability with raftmq's CLI both ways:
// - two consumer groups each get every message of a topic (both queues: queue 0 from the
//   official producer, queue 1 from a raw send), with their tags; one signs its calls (the
//   `authorization` header); a consumer gets the queues of both broker groups of a topic
//   served by two;
// - a message the listener fails comes back with its delivery attempt raised, and after
//   max_reconsume_times + 1 deliveries goes to %DLQ%<group>, while a tag filter keeps the
//   other tag away;
// - a message sent with the official producer is consumed with `raftmq consume`, and one sent
//   with `raftmq send` is received by the official SimpleConsumer;
// - kill -9 of the leader while a push consumer's receive is held there: every message sent
//   OK before and after is received at least once, by it or by the consumer that takes over.
// The brokers' long polling is 1 s (the push consumer takes it from their Settings), so no
// test waits on a long poll.
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/v2/node_script.h"
#include "tests/v2/v2_cluster_test.h"

namespace raftmq::e2e {
namespace {

constexpr int kReconsumeTimesMax = 2;
const std::vector<std::string> kBrokerFlags = {"--long_polling_hold_ms_max=1000",
                                               "--max_reconsume_times=" + std::to_string(kReconsumeTimesMax),
                                               "--register_broker_interval_ms=500"};

struct Delivery {
  std::string message_id;
  std::string body;
  std::string tag;
  int attempt = 0;
};

std::vector<Delivery> ParseDeliveries(const std::string& output) {
  std::vector<Delivery> deliveries;
  for (const nlohmann::json& json : JsonLines(output)) {
    EXPECT_FALSE(json.at("corrupted").get<bool>()) << json.dump();
    deliveries.push_back({json.at("messageId").get<std::string>(), json.at("body").get<std::string>(),
                          json.at("tag").get<std::string>(), json.at("attempt").get<int>()});
  }
  return deliveries;
}

std::string Joined(const std::vector<std::string>& bodies) {
  std::string joined;
  for (const std::string& body : bodies) joined += (joined.empty() ? "" : ",") + body;
  return joined;
}

// node/producer.js: `count` messages "<prefix> <i>" with tag "tag-<i % 2>"; their ids by body
// added to `ids`.
void Produce(const std::string& access_point, const std::string& topic, int count, const std::string& prefix,
             std::map<std::string, std::string>* ids) {
  std::string output;
  ASSERT_NO_FATAL_FAILURE(
      RunNodeScript("producer.js", {access_point, topic, std::to_string(count), prefix}, &output));
  const size_t before = ids->size();
  for (const nlohmann::json& receipt : JsonLines(output)) {
    (*ids)[prefix + " " + std::to_string(receipt.at("index").get<int>())] = receipt.at("messageId").get<std::string>();
  }
  ASSERT_EQ(ids->size(), before + static_cast<size_t>(count)) << output;
}

// Messages "<prefix> <i>" (i < count) with tag-1 and ids "<topic>-<prefix>-<i>", sent raw (as
// an official client would) to queue `queue_id` of the group whose leader is `leader`; their
// ids by body added to `ids`.
void SendRaw(const std::string& leader, const std::string& topic, int32_t queue_id, const std::string& prefix,
             int count, std::map<std::string, std::string>* ids) {
  pb::SendMessageRequest request;
  for (int i = 0; i < count; ++i) {
    pb::Message* message = request.add_messages();
    message->mutable_topic()->set_name(topic);
    message->set_body(prefix + " " + std::to_string(i));
    message->mutable_system_properties()->set_message_id(topic + "-" + prefix + "-" + std::to_string(i));
    message->mutable_system_properties()->set_message_type(pb::NORMAL);
    message->mutable_system_properties()->set_tag("tag-1");
    message->mutable_system_properties()->set_queue_id(queue_id);
    (*ids)[message->body()] = message->system_properties().message_id();
  }
  auto context = Cluster::Context();
  context->AddMetadata("x-mq-client-id", "v2-e2e@1");
  pb::SendMessageResponse response;
  auto stub = pb::MessagingService::NewStub(grpc::CreateChannel(leader, grpc::InsecureChannelCredentials()));
  ASSERT_TRUE(stub->SendMessage(context.get(), request, &response).ok());
  ASSERT_EQ(response.status().code(), pb::OK) << response.status().message();
}

class NodePush : public V2ClusterTest {
 protected:
  static void SetUpTestSuite() { ASSERT_NO_FATAL_FAILURE(StartCluster(ClusterOptions{.broker_flags = kBrokerFlags})); }
  static void TearDownTestSuite() { StopCluster(); }

  // node/push_consumer.js run until it consumed every body of `want` (and failed `fail`
  // `fail_times` times); what its listener was given.
  std::vector<Delivery> Consume(const std::string& topic, const std::string& group, const std::string& filter,
                                const std::vector<std::string>& want, const std::string& fail = "",
                                int fail_times = 0, const std::string& access_key = "") const {
    std::string output;
    RunNodeScript("push_consumer.js",
                  {cluster_->NodeAddress(1, Follower()), topic, group, filter, Joined(want), fail,
                   std::to_string(fail_times), access_key},
                  &output);
    return ParseDeliveries(output);
  }

  // Raftmq's CLI with the cluster's nameserver; fails the test unless it exits 0.
  std::string RunCli(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"--nameserver=" + cluster_->nameserver_address(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto child = test_support::ChildProcess::Start(RAFTMQ_CLI_BINARY, argv);
    EXPECT_TRUE(child.ok()) << child.status().ToString();
    if (!child.ok()) return "";
    auto exit_code = (*child)->WaitForExit(kNodeScriptWait);
    EXPECT_TRUE(exit_code.ok() && *exit_code == 0) << (*child)->StderrText();
    return (*child)->StdoutText();
  }

  // The topic "NodePush": bodies "hello 0..5" from the official producer on queue 0 (tag-0,
  // tag-1 alternating), and "queue1 0..1" with tag-1 sent raw to queue 1. Their ids by body.
  static const std::map<std::string, std::string>& Messages() {
    static const std::map<std::string, std::string> messages = [] {
      std::map<std::string, std::string> ids;
      EXPECT_TRUE(cluster_->CreateTopic(1, kTopic, 2).ok());
      auto leader = cluster_->WaitForLeader(1);
      EXPECT_TRUE(leader.ok());
      Produce(cluster_->NodeAddress(1, *leader), kTopic, 6, "hello", &ids);
      SendRaw(cluster_->NodeAddress(1, *leader), kTopic, 1, "queue1", 2, &ids);
      return ids;
    }();
    return messages;
  }
  static std::string TagOf(const std::string& body) {
    if (body.rfind("queue1 ", 0) == 0) return "tag-1";
    return "tag-" + std::to_string((body.back() - '0') % 2);
  }
  static std::vector<std::string> Bodies(const std::string& tag = "") {
    std::vector<std::string> bodies;
    for (const auto& [body, id] : Messages()) {
      if (tag.empty() || TagOf(body) == tag) bodies.push_back(body);
    }
    return bodies;
  }

  static constexpr char kTopic[] = "NodePush";
};

TEST_F(NodePush, TwoGroupsEachGetEveryMessageWithItsTag) {
  ASSERT_EQ(Messages().size(), 8u);
  const std::map<std::string, std::string> filters = {{"NodePushAll", "*"}, {"NodePushTags", "tag-0 || tag-1"}};
  for (const auto& [group, filter] : filters) {
    SCOPED_TRACE(group);
    // The first group signs its calls: the authorization header is accepted, not checked.
    const std::vector<Delivery> deliveries =
        Consume(kTopic, group, filter, Bodies(), "", 0, group == "NodePushAll" ? "AK" : "");
    std::set<std::string> bodies;
    for (const Delivery& delivery : deliveries) {
      bodies.insert(delivery.body);
      ASSERT_EQ(Messages().count(delivery.body), 1u) << delivery.body;
      EXPECT_EQ(delivery.message_id, Messages().at(delivery.body));
      EXPECT_EQ(delivery.tag, TagOf(delivery.body));
      EXPECT_EQ(delivery.attempt, 1) << delivery.body;
    }
    EXPECT_EQ(bodies.size(), Messages().size());
  }
}

TEST_F(NodePush, AFailedMessageComesBackWithItsAttemptRaisedThenGoesToTheDeadLetterQueue) {
  const std::string group = "NodePushRetry";
  const std::string failing = "hello 3";
  std::vector<std::string> want;
  for (const std::string& body : Bodies("tag-1")) {
    if (body != failing) want.push_back(body);
  }
  const std::vector<Delivery> deliveries = Consume(kTopic, group, "tag-1", want, failing, kReconsumeTimesMax + 1);
  std::vector<int> attempts;
  for (const Delivery& delivery : deliveries) {
    EXPECT_EQ(delivery.tag, "tag-1") << delivery.body << ": the filter lets tag-1 only through";
    if (delivery.body == failing) {
      attempts.push_back(delivery.attempt);
      EXPECT_EQ(delivery.message_id, Messages().at(failing));
    }
  }
  EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3}));

  // Its last failure made it visible at once; the group's next receive of queue 0 moves it
  // to %DLQ%<group> instead of delivering it a fourth time.
  Received after = Receive(ReceiveRequest(group, kTopic, 32, 60000, 1000));
  EXPECT_EQ(after.status.code(), pb::MESSAGE_NOT_FOUND) << after.status.message();
  std::vector<messaging::MessageExt> dead;
  ASSERT_TRUE(PullToEnd(cluster_->Messaging(1, leader_), "%DLQ%" + group, 0, 0, &dead).ok());
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message().body(), failing);
  EXPECT_EQ(dead[0].message().message_id(), Messages().at(failing));
}

TEST_F(NodePush, TheOfficialProducersMessagesAreConsumedWithRaftmqConsume) {
  const std::string topic = "NodeToCli";
  ASSERT_TRUE(cluster_->CreateTopic(1, topic, 1).ok());
  std::map<std::string, std::string> ids;
  ASSERT_NO_FATAL_FAILURE(Produce(cluster_->NodeAddress(1, leader_), topic, 3, "to cli", &ids));
  const std::string output = RunCli({"consume", "--topic", topic, "--group", "cli-readers", "--from", "first",
                                     "--count", "3", "--timeout", "20"});
  const std::vector<nlohmann::json> consumed = JsonLines(output);
  ASSERT_EQ(consumed.size(), 3u) << output;
  for (const nlohmann::json& message : consumed) {
    const std::string body = message.at("body").get<std::string>();
    ASSERT_EQ(ids.count(body), 1u) << body;
    EXPECT_EQ(message.at("id").get<std::string>(), ids.at(body));
    EXPECT_EQ(message.at("tag").get<std::string>(), TagOf(body));
    EXPECT_EQ(message.at("properties").at("origin").get<std::string>(), "nodejs");
    EXPECT_EQ(message.at("keys").size(), 2u);
  }
}

TEST_F(NodePush, AMessageSentWithRaftmqSendIsReceivedByTheOfficialSimpleConsumer) {
  const std::string topic = "CliToNode";
  ASSERT_TRUE(cluster_->CreateTopic(1, topic, 1).ok());  // the Node.js client reads queue 0 only
  const nlohmann::json sent = nlohmann::json::parse(
      RunCli({"send", "--topic", topic, "--tag", "cli", "--key", "k1", "--body", "from raftmq send"}));
  std::string output;
  ASSERT_NO_FATAL_FAILURE(RunNodeScript(
      "simple_consumer.js", {cluster_->NodeAddress(1, Follower()), topic, "NodeFromCli", "1", "10000", ""}, &output));
  const std::vector<nlohmann::json> received = JsonLines(output);
  ASSERT_EQ(received.size(), 1u) << output;
  EXPECT_EQ(received[0].at("body").get<std::string>(), "from raftmq send");
  EXPECT_EQ(received[0].at("messageId").get<std::string>(), sent.at("message_id").get<std::string>());
  EXPECT_EQ(received[0].at("attempt").get<int>(), 1);
  EXPECT_FALSE(received[0].at("corrupted").get<bool>());
}

TEST(NodePushGroups, AConsumerGetsTheQueuesOfEveryBrokerGroupServingItsTopic) {
  ClusterOptions options{.broker_flags = kBrokerFlags};
  options.groups = 2;
  auto cluster = Cluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& c = **cluster;
  const std::string topic = "NodePushGroups";
  ASSERT_TRUE(c.CreateTopicEverywhere(topic, 1).ok());
  std::map<std::string, std::string> ids;
  for (int group = 1; group <= 2; ++group) {
    auto leader = c.WaitForLeader(group);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    ASSERT_NO_FATAL_FAILURE(SendRaw(c.NodeAddress(group, *leader), topic, 0, Cluster::GroupName(group), 2, &ids));
  }
  // The client asks one endpoint of the route for its assignments: the answer names both
  // groups' queues, each at its own leader.
  std::vector<std::string> want;
  for (const auto& [body, id] : ids) want.push_back(body);
  std::string output;
  ASSERT_NO_FATAL_FAILURE(RunNodeScript(
      "push_consumer.js", {c.NodeAddress(1, 1), topic, "NodePushGroups", "*", Joined(want), "", "0", ""}, &output));
  std::set<std::string> received;
  for (const Delivery& delivery : ParseDeliveries(output)) {
    ASSERT_EQ(ids.count(delivery.body), 1u) << delivery.body;
    EXPECT_EQ(delivery.message_id, ids.at(delivery.body));
    received.insert(delivery.body);
  }
  EXPECT_EQ(received.size(), 4u) << output;
}

TEST(NodePushFailover, EveryMessageSentOkIsReceivedAfterTheLeaderIsKilledDuringAReceive) {
  std::vector<std::string> flags = kBrokerFlags;
  flags.push_back("--pop_invisible_duration_ms_min=1000");
  flags.push_back("--pop_invisible_duration_ms_default=2000");  // an unacknowledged message is back in 2 s
  auto cluster = Cluster::Start(ClusterOptions{.broker_flags = flags});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& c = **cluster;
  const std::string topic = "NodePushKill";
  const std::string group = "NodePushKillGroup";
  ASSERT_TRUE(c.CreateTopic(1, topic, 1).ok());
  auto leader = c.WaitForLeader(1);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  std::map<std::string, std::string> ids;
  ASSERT_NO_FATAL_FAILURE(Produce(c.NodeAddress(1, *leader), topic, 4, "before", &ids));

  // The first consumer takes the messages there are, then waits in a receive held by the
  // leader for the ones to come: the leader is killed then.
  std::unique_ptr<test_support::ChildProcess> first;
  ASSERT_NO_FATAL_FAILURE(StartNodeScript(
      "push_consumer.js", {c.NodeAddress(1, *leader), topic, group, "*", "before 0,before 1,before 2,before 3,after 0",
                           "", "0", ""},
      &first));
  ASSERT_TRUE(first->WaitForLine("\"before 3\"", kNodeScriptWait, test_support::ChildProcess::Stream::kStdout).ok())
      << first->StdoutText() << first->StderrText();
  ASSERT_TRUE(c.Kill(1, *leader).ok());
  auto new_leader = c.WaitForLeader(1, kClusterWait, *leader);
  ASSERT_TRUE(new_leader.ok()) << new_leader.status().ToString();
  ASSERT_TRUE(c.WaitForNameserverLeader(1, *new_leader).ok());
  ASSERT_NO_FATAL_FAILURE(Produce(c.NodeAddress(1, *new_leader), topic, 4, "after", &ids));
  // The Node.js client 1.0.8 keeps receiving from the endpoint it was first assigned (its
  // process queues are keyed by topic, broker name and queue id), so a consumer started after
  // the failover takes over; the first one is stopped.
  (void)first->Stop(std::chrono::seconds(5), SIGKILL);
  std::vector<Delivery> deliveries = ParseDeliveries(first->StdoutText());

  std::vector<std::string> missing;
  std::set<std::string> seen;
  for (const Delivery& delivery : deliveries) seen.insert(delivery.body);
  for (const auto& [body, id] : ids) {
    if (seen.count(body) == 0) missing.push_back(body);
  }
  std::string output;
  ASSERT_NO_FATAL_FAILURE(RunNodeScript(
      "push_consumer.js", {c.NodeAddress(1, *new_leader), topic, group, "*", Joined(missing), "", "0", ""}, &output));
  for (const Delivery& delivery : ParseDeliveries(output)) {
    // A message the first consumer was given comes back only if its ack was lost with the
    // leader, and then as a later attempt: the new leader has the replicated pop state.
    if (seen.count(delivery.body) > 0) {
      EXPECT_GE(delivery.attempt, 2) << delivery.body;
    }
    deliveries.push_back(delivery);
  }
  std::set<std::string> received;
  for (const Delivery& delivery : deliveries) {
    ASSERT_EQ(ids.count(delivery.body), 1u) << delivery.body;
    EXPECT_EQ(delivery.message_id, ids.at(delivery.body));
    received.insert(delivery.body);
  }
  EXPECT_EQ(received.size(), ids.size()) << first->StdoutText() << output;
}

}  // namespace
}  // namespace raftmq::e2e
