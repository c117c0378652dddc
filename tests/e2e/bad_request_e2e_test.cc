// Bad requests against the real raftmq-broker process: each gets its documented gRPC status
// (messaging.proto) and changes nothing on any node (no node's Raft log grows). The broker's
// own tests cover every case in-process; this one checks what only a process shows — the
// status crosses the wire intact, and a message just over the 4 MiB default is refused by the
// broker (INVALID_ARGUMENT) rather than by gRPC's own receive limit.
#include <gtest/gtest.h>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/poll.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {
namespace {

constexpr uint64_t kMessageBytesMaxDefault = 4u << 20;

TEST(BadRequestE2e, EachBadRequestGetsItsStatusAndChangesNothingOnAnyNode) {
  auto started = Cluster::Start(ClusterOptions());
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Cluster& cluster = **started;
  ASSERT_TRUE(cluster.CreateTopic(1, "Orders", 2).ok());
  ASSERT_TRUE(cluster.CreateTopic(1, "ReadOnly", 2, admin::PERM_READ).ok());
  auto leader = cluster.WaitForLeader(1);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  auto* stub = cluster.Messaging(1, *leader);

  // Every node has applied all there is before the snapshot, so nothing moves by itself.
  std::map<int, uint64_t> last_index;
  test_support::PollUntil([&] {
    last_index.clear();
    auto leader_status = cluster.NodeStatus(1, *leader);
    if (!leader_status.ok()) return false;
    for (int node = 1; node <= 3; ++node) {
      auto status = cluster.NodeStatus(1, node);
      if (status.ok() && status->applied_index() == leader_status->last_index()) last_index[node] = status->last_index();
    }
    return last_index.size() == 3;
  });
  ASSERT_EQ(last_index.size(), 3u) << "the followers never caught up with the leader";

  messaging::SendMessageRequest mixed;
  *mixed.add_messages() = TextMessage("Orders", "a");
  *mixed.add_messages() = TextMessage("ReadOnly", "b");
  messaging::SendMessageRequest oversized;
  *oversized.add_messages() = TextMessage("Orders", std::string(kMessageBytesMaxDefault + 1, 'x'));
  messaging::SendMessageRequest bad_name;
  *bad_name.add_messages() = TextMessage("bad name!", "a");
  messaging::SendMessageRequest unknown;
  *unknown.add_messages() = TextMessage("NoSuchTopic", "a");
  messaging::SendMessageRequest read_only;
  *read_only.add_messages() = TextMessage("ReadOnly", "a");
  const std::vector<std::tuple<std::string, messaging::SendMessageRequest, grpc::StatusCode>> sends = {
      {"batch over two topics", mixed, grpc::StatusCode::INVALID_ARGUMENT},
      {"message of 4 MiB + 1 byte", oversized, grpc::StatusCode::INVALID_ARGUMENT},
      {"bad topic name", bad_name, grpc::StatusCode::INVALID_ARGUMENT},
      {"unknown topic", unknown, grpc::StatusCode::NOT_FOUND},
      {"topic without PERM_WRITE", read_only, grpc::StatusCode::PERMISSION_DENIED},
  };
  for (const auto& [what, request, code] : sends) {
    SendOutcome outcome = Send(stub, request, kClusterWait);
    EXPECT_EQ(outcome.status.error_code(), code) << what << ": " << outcome.status.error_message();
    EXPECT_FALSE(outcome.status.error_message().empty()) << what << ": the status does not say what was wrong";
  }

  messaging::PullMessageRequest pull;
  pull.set_consumer_group("readers");
  pull.set_topic("Orders");
  pull.set_queue_id(0);
  pull.set_queue_offset(5);
  messaging::PullMessageResponse pulled;
  EXPECT_EQ(stub->PullMessage(Cluster::Context().get(), pull, &pulled).error_code(), grpc::StatusCode::OUT_OF_RANGE)
      << "pull past the end of an empty queue";
  EXPECT_EQ(CommitOffset(stub, "readers", "Orders", 0, 5).error_code(), grpc::StatusCode::OUT_OF_RANGE)
      << "offset commit past the end of the queue";

  for (int node = 1; node <= 3; ++node) {
    auto status = cluster.NodeStatus(1, node);
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->last_index(), last_index[node]) << "node " << node << "'s log grew after bad requests";
  }
  std::vector<messaging::MessageExt> stored;
  ASSERT_TRUE(PullToEnd(stub, "Orders", 0, 0, &stored).ok());
  EXPECT_TRUE(stored.empty());
}

}  // namespace
}  // namespace raftmq::e2e
