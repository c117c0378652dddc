// A real broker group in-process (broker_group_fixture.h): replication, failover, restart,
// skipped entries and nameserver registration.
#include <future>
#include <memory>

#include "storage/message_record.h"
#include "tests/broker/broker_group_fixture.h"

namespace raftmq::broker {
namespace {

// Pulls follow the read rule (broker/pull_handler.h): the confirmed leader answers, a
// follower answers UNAVAILABLE pointing at it.
TEST_F(BrokerGroupTest, SendOnTheLeaderIsPulledFromTheLeaderAndFollowersPointToIt) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode) << "no leader within the poll limit";
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  messaging::SendMessageResponse sent;
  grpc::ClientContext context;
  grpc::Status status = Send(leader, "hello", &sent, &context);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(sent.results(0).queue_offset(), 0);
  for (NodeId id = 1; id <= kNodes; ++id) {
    messaging::PullMessageResponse pulled;
    grpc::Status pull = Pull(id, 0, 5000, &pulled);
    if (id != leader) {
      EXPECT_EQ(pull.error_code(), grpc::StatusCode::UNAVAILABLE) << "node " << id;
      continue;
    }
    ASSERT_TRUE(pull.ok()) << "node " << id << ": " << pull.error_message();
    ASSERT_EQ(pulled.messages_size(), 1) << "node " << id;
    EXPECT_EQ(pulled.messages(0).message().body(), "hello");
  }
}

TEST_F(BrokerGroupTest, LeaderNodeStatusShowsItsFollowersProgress) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  admin::NodeStatusResponse status;
  grpc::ClientContext context;
  ASSERT_TRUE(admin_[leader - 1]->NodeStatus(&context, {}, &status).ok());
  EXPECT_EQ(status.role(), admin::LEADER);
  EXPECT_EQ(status.leader_address(), peers_[leader - 1]);
  EXPECT_GE(status.applied_index(), 2u);  // the no-op and the topic
  ASSERT_EQ(status.peers_size(), kNodes - 1);
  for (const admin::PeerStatus& peer : status.peers()) EXPECT_NE(peer.node_id(), leader);
}

TEST_F(BrokerGroupTest, FollowerRefusesASendWithTheLeadersAddress) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  const NodeId follower = leader % kNodes + 1;
  // A node started after the election knows no leader (and gives no hint) until it hears one.
  ASSERT_TRUE(Eventually([&] { return nodes_[follower - 1]->replicator()->GetStatus().leader == leader; }))
      << "node " << follower << " never heard from leader " << leader;
  messaging::SendMessageResponse sent;
  grpc::ClientContext context;
  EXPECT_EQ(Send(follower, "x", &sent, &context).error_code(), grpc::StatusCode::UNAVAILABLE);
  auto hint = context.GetServerTrailingMetadata().find(kLeaderAddressKey);
  ASSERT_NE(hint, context.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(hint->second.data(), hint->second.size()), peers_[leader - 1]);
}

TEST_F(BrokerGroupTest, HeldPullOnTheLeaderIsAnsweredByTheCommit) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  messaging::PullMessageResponse pulled;
  auto pull = std::async(std::launch::async, [&] { return Pull(leader, 0, 10'000, &pulled); });
  auto* long_polling = nodes_[leader - 1]->components()->long_polling();
  ASSERT_TRUE(Eventually([&] { return long_polling->HeldCount() == 1; })) << "the pull was never held";
  messaging::SendMessageResponse sent;
  grpc::ClientContext context;
  ASSERT_TRUE(Send(leader, "wake", &sent, &context).ok());
  // The answer carries the message, which only the commit could deliver (a timeout answers
  // empty). How fast it comes is a benchmark's question (`raftmq bench`), not a test's.
  ASSERT_EQ(pull.wait_for(20s), std::future_status::ready) << "the commit did not answer the held pull";
  ASSERT_TRUE(pull.get().ok());
  EXPECT_EQ(pulled.messages_size(), 1);
}

// A leader that stops leading answers its held pulls at once, refused, so their clients ask
// the new leader instead of waiting out the hold on a node that may see no more writes (a
// deposed leader cut off from the group). Without that the pull would end OK and empty.
TEST_F(BrokerGroupTest, HeldPullOnALeaderThatStopsLeadingIsRefusedAtOnce) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  ASSERT_TRUE(WaitUntilNoNodeRecovers()) << "a node still recovers: it could not take the lead";
  messaging::PullMessageResponse pulled;
  auto pull = std::async(std::launch::async, [&] { return Pull(leader, 0, 60'000, &pulled); });
  auto* long_polling = nodes_[leader - 1]->components()->long_polling();
  ASSERT_TRUE(Eventually([&] { return long_polling->HeldCount() == 1; })) << "the pull was never held";
  const NodeId target = leader % kNodes + 1;
  ASSERT_TRUE(Eventually([&] {
    (void)nodes_[leader - 1]->replicator()->TransferLeadership(target);
    return nodes_[leader - 1]->replicator()->GetStatus().role != ReplicaRole::kLeader;
  })) << "node " << leader << " never handed the lead over";
  ASSERT_EQ(pull.wait_for(60s), std::future_status::ready) << "the held pull was never answered";
  const grpc::Status status = pull.get();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << "answered OK: it waited out its hold";
  EXPECT_NE(status.error_message().find("stopped leading"), std::string::npos) << status.error_message();
  EXPECT_EQ(long_polling->HeldCount(), 0u);
}

TEST_F(BrokerGroupTest, AfterTheLeaderStopsANewLeaderServesEveryAckedMessageAndOffset) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  for (int i = 0; i < 5; ++i) {
    messaging::SendMessageResponse sent;
    grpc::ClientContext context;
    ASSERT_TRUE(Send(leader, "m" + std::to_string(i), &sent, &context).ok());
  }
  messaging::CommitOffsetRequest commit;
  commit.set_consumer_group("group");
  commit.set_topic("orders");
  commit.set_offset(3);
  messaging::CommitOffsetResponse committed;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(messaging_[leader - 1]->CommitOffset(&context, commit, &committed).ok());
  }
  ASSERT_TRUE(WaitUntilNoNodeRecovers()) << "a node still recovers: stopping one now could leave no majority";
  nodes_[leader - 1].reset();

  const NodeId next = WaitForServingLeader(leader);
  ASSERT_NE(next, kNoNode) << "no new leader within the poll limit";
  messaging::PullMessageResponse pulled;
  ASSERT_TRUE(Pull(next, 0, 0, &pulled).ok());
  ASSERT_EQ(pulled.messages_size(), 5);
  EXPECT_EQ(pulled.messages(4).message().body(), "m4");
  messaging::QueryOffsetRequest query;
  query.set_consumer_group("group");
  query.set_topic("orders");
  messaging::QueryOffsetResponse offset;
  grpc::ClientContext context;
  ASSERT_TRUE(messaging_[next - 1]->QueryOffset(&context, query, &offset).ok());
  EXPECT_EQ(offset.offset(), 3);
  messaging::SendMessageResponse sent;
  grpc::ClientContext send_context;
  ASSERT_TRUE(Send(next, "after", &sent, &send_context).ok());
  EXPECT_EQ(sent.results(0).queue_offset(), 5);
}

TEST_F(BrokerGroupTest, RestartedNodeRecoversItsStateAndRefusesAnotherNodesDataDir) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  const NodeId follower = leader % kNodes + 1;
  ASSERT_TRUE(WaitUntilNoNodeRecovers()) << "a node still recovers: stopping one now could leave no majority";
  nodes_[follower - 1].reset();
  StartNode(follower);
  EXPECT_TRUE(Eventually([&] { return nodes_[follower - 1]->components()->topics()->Find("orders").has_value(); }))
      << "the restarted follower did not recover the topic";

  BrokerOptions impostor;
  impostor.node_id = leader;
  impostor.peers = peers_;
  impostor.data_dir = dir_.Sub("node" + std::to_string(follower));
  auto refused = BrokerNode::Start(impostor);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsInvalidArgument()) << refused.status().ToString();
}

// Apply is total: entries no request can produce any more (the leader checks requests before
// proposing), proposed straight through the Raft group as a bug or a forged entry would be,
// commit and are skipped alike on every node; the group keeps serving and restarts.
TEST_F(BrokerGroupTest, UnappliableCommittedEntriesAreSkippedOnEveryNodeAndTheGroupGoesOn) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  storage::Message retry;
  retry.topic = "%RETRY%" + std::string(125, 'g');  // 132 characters: no ConsumeQueue can hold it
  retry.body = "x";
  const std::vector<std::pair<storage::EntryKind, std::string>> entries = {
      {kBrokerCommandEntry, std::string("\xff\xff\xff", 3)},
      {kMessageBatchEntry, *storage::EncodeMessageBatch(std::span(&retry, 1))}};
  for (const auto& [kind, payload] : entries) {
    std::promise<Result<AppliedEntry>> applied;
    nodes_[leader - 1]->replicator()->Propose(kind, payload,
                                             [&applied](Result<AppliedEntry> result) { applied.set_value(result); });
    auto future = applied.get_future();
    ASSERT_EQ(future.wait_for(10s), std::future_status::ready) << "the entry was never applied";
    Result<AppliedEntry> result = future.get();
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << result->status.error_message();
  }
  messaging::SendMessageResponse sent;
  grpc::ClientContext context;
  ASSERT_TRUE(Send(leader, "after", &sent, &context).ok());
  for (int round = 0; round < 2; ++round) {
    for (NodeId id = 1; id <= kNodes; ++id) {
      messaging::PullMessageResponse pulled;
      const NodeId serving = WaitForServingLeader();
      ASSERT_NE(serving, kNoNode) << "round " << round;
      // Pulls are served by the leader: a follower's progress is read from its state.
      ASSERT_TRUE(Pull(serving, 0, 5000, &pulled).ok());
      ASSERT_EQ(pulled.messages_size(), 1) << "round " << round;
      EXPECT_EQ(pulled.messages(0).message().body(), "after");
      const Index last = nodes_[serving - 1]->components()->machine()->applied_index();
      EXPECT_TRUE(test_support::Eventually(
          [&] { return nodes_[id - 1]->components()->machine()->applied_index() >= last; }))
          << "node " << id << " stopped applying";
      if (round == 0) {
        EXPECT_EQ(nodes_[id - 1]->components()->machine()->entries_skipped(), 2u) << "node " << id;
      }
    }
    if (round > 0) break;
    // Every node restarts on its data (recovery replays past the skipped entries).
    for (auto& node : nodes_) node.reset();
    for (NodeId id = 1; id <= kNodes; ++id) StartNode(id);
  }
}

TEST_F(BrokerGroupTest, NodesRegisterWithTheNameserverAtOnceOnLeadershipAndNewTopics) {
  const NodeId leader = WaitForServingLeader();
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(CreateTopic(leader, "orders").ok());
  auto stub = nameserver::Nameserver::NewStub(
      grpc::CreateChannel(nameserver_->bound_address(), grpc::InsecureChannelCredentials()));
  // Registration every kRegisterIntervalMs: seeing the route at all means the role change
  // and the new topic each triggered one.
  nameserver::GetRouteInfoByTopicResponse route;
  grpc::Status status;
  test_support::PollUntil([&] {
    grpc::ClientContext context;
    nameserver::GetRouteInfoByTopicRequest request;
    request.set_topic("orders");
    status = stub->GetRouteInfoByTopic(&context, request, &route);
    return status.ok() && route.groups_size() > 0 && route.groups(0).group().leader_node_id() == leader;
  });
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(route.groups(0).group().leader_node_id(), leader);
  EXPECT_EQ(route.groups(0).group().leader_address(), peers_[leader - 1]);
  EXPECT_EQ(route.groups(0).write_queue_count(), 2u);
}

}  // namespace
}  // namespace raftmq::broker
