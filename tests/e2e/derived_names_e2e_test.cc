// Issue 9, case 1, on real processes: requests that are legal on their face but make the
// broker derive a name no ConsumeQueue can hold (%RETRY%<group>, %DLQ%<group> of a 125-character
// group, a message sent straight to SCHEDULE_TOPIC_XXXX naming its own REAL_TOPIC) once
// committed an entry that failed to apply on every node and stopped the group for good. Each
// is now refused with INVALID_ARGUMENT naming the field before anything is proposed, and the
// group goes on: it takes sends, every node applies, routes register, a node restarts.
#include <gtest/gtest.h>

#include <thread>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {
namespace {

const std::string kLongGroup(125, 'g');  // legal as a name (<= 127), not as a retry topic suffix

grpc::Status SendBack(messaging::MessagingService::Stub* stub, const std::string& group, const std::string& topic,
                      int64_t offset, int32_t delay_level) {
  messaging::SendBackMessageRequest request;
  request.set_consumer_group(group);
  request.set_topic(topic);
  request.set_queue_id(0);
  request.set_queue_offset(offset);
  request.set_delay_level(delay_level);
  messaging::SendBackMessageResponse response;
  return stub->SendBackMessage(Cluster::Context().get(), request, &response);
}

// Once the leader's topic `topic` holds `count` messages in queue 0.
bool WaitForQueue(admin::AdminService::Stub* stub, const std::string& topic, int64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + kClusterWait;
  while (std::chrono::steady_clock::now() < deadline) {
    admin::DescribeTopicRequest request;
    request.set_name(topic);
    admin::TopicResponse response;
    if (stub->DescribeTopic(Cluster::Context().get(), request, &response).ok() && response.queues_size() > 0 &&
        response.queues(0).max_offset() >= count) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void ExpectInvalidNaming(const grpc::Status& status, const std::string& field, const std::string& what) {
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what << ": " << status.error_message();
  EXPECT_NE(status.error_message().find(field), std::string::npos) << what << ": " << status.error_message();
}

// Every node applies up to the leader's commit index (no node stopped applying). NodeStatus
// may time out on a loaded machine: each node is asked until the deadline.
void ExpectEveryNodeApplies(Cluster& cluster, int leader) {
  const auto deadline = std::chrono::steady_clock::now() + kClusterWait;
  Result<admin::NodeStatusResponse> leader_status = Status::Unavailable("not asked");
  while (!leader_status.ok() && std::chrono::steady_clock::now() < deadline) {
    leader_status = cluster.NodeStatus(1, leader, kClusterWait);
  }
  ASSERT_TRUE(leader_status.ok()) << leader_status.status().ToString();
  for (int node = 1; node <= cluster.nodes(); ++node) {
    uint64_t applied = 0;
    while (applied < leader_status->commit_index() && std::chrono::steady_clock::now() < deadline) {
      auto status = cluster.NodeStatus(1, node, kClusterWait);
      if (status.ok()) applied = status->applied_index();
      if (applied < leader_status->commit_index()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GE(applied, leader_status->commit_index()) << "node " << node << " stopped applying";
  }
}

TEST(DerivedNamesE2e, RequestsWhoseDerivedTopicCannotBeStoredAreRefusedAndTheGroupGoesOn) {
  ClusterOptions options;
  // Auto-create on (a send to an unknown topic would create it); the second delivery of a
  // message goes to the dead-letter topic.
  options.broker_flags = {"--auto_create_topic_enable=true", "--max_reconsume_times=1"};
  auto started = Cluster::Start(options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Cluster& cluster = **started;
  ASSERT_TRUE(cluster.CreateTopic(1, "Orders", 1).ok());
  auto leader = cluster.WaitForLeader(1);
  ASSERT_TRUE(leader.ok()) << leader.status().ToString();
  auto* stub = cluster.Messaging(1, *leader);
  ASSERT_TRUE(SendText(stub, "Orders", 0, "hello", kClusterWait).status.ok());

  // %RETRY%<125 characters> is 132 characters.
  ExpectInvalidNaming(SendBack(stub, kLongGroup, "Orders", 0, 1), "consumer group must have at most 120 characters",
                      "send-back to the retry topic");

  // A message delivered once (through a valid group's retry topic) goes to %DLQ%<group> next:
  // 130 characters for the long group.
  ASSERT_TRUE(SendBack(stub, "readers", "Orders", 0, 1).ok());
  ASSERT_TRUE(WaitForQueue(cluster.Admin(1, *leader), "%RETRY%readers", 1)) << "the retry never arrived";
  ExpectInvalidNaming(SendBack(stub, kLongGroup, "%RETRY%readers", 0, 0), "consumer group", "send-back to the DLQ");

  // A producer writing the scheduler's own topic (auto-create on) with a REAL_TOPIC of its own.
  messaging::SendMessageRequest scheduled;
  messaging::Message* message = scheduled.add_messages();
  *message = TextMessage("SCHEDULE_TOPIC_XXXX", "due");
  (*message->mutable_properties())["REAL_TOPIC"] = "%RETRY%" + kLongGroup;
  (*message->mutable_properties())["REAL_QID"] = "0";
  ExpectInvalidNaming(Send(stub, scheduled, kClusterWait).status, "SCHEDULE_TOPIC_XXXX", "send to the schedule topic");
  admin::CreateTopicRequest system;
  system.mutable_topic()->set_name("rmq_sys_mine");
  system.mutable_topic()->set_read_queue_nums(1);
  system.mutable_topic()->set_write_queue_nums(1);
  system.mutable_topic()->set_perm(admin::PERM_READ | admin::PERM_WRITE);
  admin::TopicResponse created;
  ExpectInvalidNaming(cluster.Admin(1, *leader)->CreateTopic(Cluster::Context().get(), system, &created),
                      "rmq_sys_mine", "create a system topic");

  // The group goes on: sends are taken, every node applies, routes register, a node restarts.
  ASSERT_TRUE(SendText(stub, "Orders", 0, "after", kClusterWait).status.ok());
  ExpectEveryNodeApplies(cluster, *leader);
  EXPECT_TRUE(cluster.CreateTopic(1, "Later", 1).ok()) << "the nameserver routes a new topic of the group";
  const int follower = *leader % cluster.nodes() + 1;
  ASSERT_TRUE(cluster.Kill(1, follower).ok());
  ASSERT_TRUE(cluster.Restart(1, follower).ok());
  ExpectEveryNodeApplies(cluster, *leader);
  std::vector<messaging::MessageExt> stored;
  ASSERT_TRUE(PullToEnd(stub, "Orders", 0, 0, &stored).ok());
  EXPECT_EQ(stored.size(), 2u);
}

}  // namespace
}  // namespace raftmq::e2e
