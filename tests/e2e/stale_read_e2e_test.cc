// Issue 9, case 6 ("stale reads"), on real processes: a group's leader is cut off from its two
// followers while the test still reaches it. Once the followers elected a new leader and it
// acknowledged newer messages and a newer committed offset, the isolated ex-leader never
// answers PullMessage or QueryOffset with its old state: it answers UNAVAILABLE, never
// naming itself as the leader, and once the partition heals its refusals name the new leader.
// The new leader serves everything. Before reads passed the ReadIndex barrier
// (LeaderGate::Read), every node served pulls and the isolated node kept answering with
// its old max offset for the whole isolation.
//
// Needs root and iptables (skipped otherwise): the partition is iptables DROP rules on
// per-pair loopback addresses (loopback_partition.h), removed in teardown even on failure.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/e2e_calls.h"
#include "tests/e2e/loopback_partition.h"
#include "tests/support/cluster.h"
#include "tests/support/poll.h"

namespace raftmq::e2e {
namespace {

using test_support::Eventually;
using test_support::PollUntil;

constexpr char kTopic[] = "Stale";
constexpr char kGroup[] = "billing";
constexpr int kOldMessages = 5;  // acknowledged by the leader before it is cut off
constexpr int kNewMessages = 5;  // acknowledged by the new leader afterwards
constexpr int64_t kOldCommitted = 3;
constexpr int64_t kNewCommitted = 8;
// Reads of the isolated node after the new leader took writes: each must be refused.
constexpr int kProbes = 20;
// Long enough for a barrier that cannot be confirmed to fail (check-quorum steps the leader down).
constexpr auto kReadTimeout = std::chrono::milliseconds(5000);

int Port(const Cluster& cluster, int node) {
  const std::string address = cluster.NodeAddress(1, node);
  return std::stoi(address.substr(address.rfind(':') + 1));
}

// The node a leader hint names (0: none): every node's peers name node N at some host with
// N's port.
int HintedNode(const Cluster& cluster, const std::string& hint) {
  if (hint.empty()) return 0;
  const int port = std::stoi(hint.substr(hint.rfind(':') + 1));
  for (int node = 1; node <= cluster.nodes(); ++node) {
    if (Port(cluster, node) == port) return node;
  }
  return -1;
}

// A new leader answers UNAVAILABLE while it applies its predecessor's entries: retried.
bool SendAcked(Cluster& cluster, int node, const std::string& body) {
  return PollUntil([&] { return SendText(cluster.Messaging(1, node), kTopic, 0, body, kReadTimeout).status.ok(); },
                   kClusterWait);
}

bool CommitAcked(Cluster& cluster, int node, int64_t offset) {
  return PollUntil([&] { return CommitOffset(cluster.Messaging(1, node), kGroup, kTopic, 0, offset).ok(); },
                   kClusterWait);
}

// Why a read of the ex-leader `node` is wrong ("" when it is a refusal as specified): it must
// not succeed (the new leader acknowledged newer state) and must not send a client to itself.
std::string WrongAnswer(const Cluster& cluster, int node, const ReadOutcome& read, const std::string& served) {
  if (read.status.ok()) return "served " + served;
  if (read.status.error_code() != grpc::StatusCode::UNAVAILABLE) {
    return "answered code " + std::to_string(read.status.error_code()) + ": " + read.status.error_message();
  }
  if (HintedNode(cluster, read.leader_hint) == node) return "named itself the leader: " + read.leader_hint;
  return "";
}

std::string PullAnswer(Cluster& cluster, int node, int* hinted) {
  messaging::PullMessageResponse response;
  ReadOutcome read = PullOnce(cluster.Messaging(1, node), kTopic, 0, 0, kReadTimeout, &response);
  *hinted = HintedNode(cluster, read.leader_hint);
  return WrongAnswer(cluster, node, read,
                     "a pull with " + std::to_string(response.messages_size()) + " messages, max offset " +
                         std::to_string(response.max_offset()));
}

std::string QueryAnswer(Cluster& cluster, int node, int* hinted) {
  int64_t offset = -1;
  ReadOutcome read = QueryOffsetOnce(cluster.Messaging(1, node), kGroup, kTopic, 0, kReadTimeout, &offset);
  *hinted = HintedNode(cluster, read.leader_hint);
  return WrongAnswer(cluster, node, read, "committed offset " + std::to_string(offset));
}

TEST(StaleReadE2e, AnIsolatedLeaderNeverServesItsOldStateOnceANewLeaderTookWrites) {
  if (std::string why = LoopbackPartition::Unavailable(); !why.empty()) GTEST_SKIP() << why;
  ClusterOptions options;
  options.peer_host = [](int, int from, int to) { return PeerHost(from, to); };
  auto cluster = Cluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  Cluster& group = **cluster;
  auto old_leader = group.WaitForLeader(1);
  ASSERT_TRUE(old_leader.ok()) << old_leader.status().ToString();
  const int isolated = *old_leader;
  ASSERT_TRUE(group.CreateTopic(1, kTopic, 1).ok());
  for (int i = 0; i < kOldMessages; ++i) ASSERT_TRUE(SendAcked(group, isolated, "old-" + std::to_string(i)));
  ASSERT_TRUE(CommitAcked(group, isolated, kOldCommitted));
  std::vector<messaging::MessageExt> before;
  ASSERT_TRUE(PullToEnd(group.Messaging(1, isolated), kTopic, 0, 0, &before).ok());
  ASSERT_EQ(before.size(), size_t{kOldMessages}) << "the leader did not serve its messages before the partition";

  LoopbackPartition partition;
  std::vector<std::pair<int, int>> peers;
  for (int node = 1; node <= group.nodes(); ++node) {
    if (node != isolated) peers.emplace_back(node, Port(group, node));
  }
  Status cut = partition.Isolate(isolated, Port(group, isolated), peers);
  ASSERT_TRUE(cut.ok()) << cut.ToString();
  auto new_leader = group.WaitForLeader(1, kClusterWait, isolated);
  ASSERT_TRUE(new_leader.ok()) << new_leader.status().ToString();
  for (int i = 0; i < kNewMessages; ++i) ASSERT_TRUE(SendAcked(group, *new_leader, "new-" + std::to_string(i)));
  ASSERT_TRUE(CommitAcked(group, *new_leader, kNewCommitted));

  // Newer state is acknowledged: any answer with data from the isolated node is stale.
  int hinted = 0;
  for (int probe = 0; probe < kProbes; ++probe) {
    std::string pulled = PullAnswer(group, isolated, &hinted);
    ASSERT_EQ(pulled, "") << "isolated ex-leader node " << isolated << ", pull " << probe;
    std::string queried = QueryAnswer(group, isolated, &hinted);
    ASSERT_EQ(queried, "") << "isolated ex-leader node " << isolated << ", offset query " << probe;
  }

  Status healed = partition.Heal();
  ASSERT_TRUE(healed.ok()) << healed.ToString();
  // Healed, it learns of the new leader and sends clients there; still never serves.
  std::string wrong;
  EXPECT_TRUE(Eventually([&] {
    int pull_hint = 0, query_hint = 0;
    wrong = PullAnswer(group, isolated, &pull_hint);
    if (wrong.empty()) wrong = QueryAnswer(group, isolated, &query_hint);
    return !wrong.empty() || (pull_hint == *new_leader && query_hint == *new_leader);
  }, kClusterWait)) << "the healed ex-leader never named the new leader node " << *new_leader;
  EXPECT_EQ(wrong, "") << "healed ex-leader node " << isolated;

  std::vector<messaging::MessageExt> after;
  grpc::Status pulled = PullToEnd(group.Messaging(1, *new_leader), kTopic, 0, 0, &after);
  ASSERT_TRUE(pulled.ok()) << pulled.error_message();
  std::vector<std::string> bodies;
  for (const messaging::MessageExt& message : after) bodies.push_back(message.message().body());
  for (int i = 0; i < kNewMessages; ++i) {
    EXPECT_NE(std::find(bodies.begin(), bodies.end(), "new-" + std::to_string(i)), bodies.end())
        << "the new leader does not serve new-" << i;
  }
  int64_t committed = -1;
  ASSERT_TRUE(QueryOffset(group.Messaging(1, *new_leader), kGroup, kTopic, 0, &committed).ok());
  EXPECT_EQ(committed, kNewCommitted);
}

}  // namespace
}  // namespace raftmq::e2e
