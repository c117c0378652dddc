// Issue 9 case 5 on real processes: a node whose derived files (its ConsumeQueues under
// consumequeue/, or the CommitLog's entry index under commitlog/index/) were lost or cut
// while it was down rebuilds them from its CommitLog before it serves. After the restart it
// is made the leader and must return every acknowledged message at its original offset.
// Before the fix it started silently and served a fraction of them, at wrong offsets.
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/cluster.h"

namespace raftmq::e2e {
namespace {

constexpr int kQueues = 4;
constexpr int kMessages = 80;
const std::string kTopic = "Derived";

struct Sent {
  int queue_id;
  int64_t offset;
  auto operator<=>(const Sent&) const = default;
};

void PrintTo(const Sent& sent, std::ostream* out) { *out << sent.queue_id << "@" << sent.offset; }

class DerivedFilesE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = Cluster::Start(ClusterOptions{});
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
    ASSERT_TRUE(cluster_->CreateTopic(1, kTopic, kQueues).ok());
    auto leader = cluster_->WaitForLeader(1);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    leader_ = *leader;
    for (int i = 0; i < kMessages; ++i) {
      const std::string body = "message-" + std::to_string(i);
      SendOutcome sent = SendText(cluster_->Messaging(1, leader_), kTopic, i % kQueues, body, kClusterWait);
      ASSERT_TRUE(sent.status.ok()) << sent.status.error_message();
      ASSERT_EQ(sent.response.results_size(), 1);
      acknowledged_[{sent.response.results(0).queue_id(), sent.response.results(0).queue_offset()}] = body;
    }
  }

  // A follower that has applied everything the leader acknowledged.
  int CaughtUpFollower() {
    auto leader_status = cluster_->NodeStatus(1, leader_);
    EXPECT_TRUE(leader_status.ok());
    for (int attempt = 0; attempt < 2000; ++attempt) {
      for (int node = 1; node <= 3; ++node) {
        if (node == leader_) continue;
        auto status = cluster_->NodeStatus(1, node);
        if (status.ok() && status->applied_index() >= leader_status->commit_index()) return node;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling interval
    }
    ADD_FAILURE() << "no follower caught up";
    return 0;
  }

  // Stops a caught-up follower (gracefully: its checkpoint covers every message), damages
  // its data dir with `damage`, restarts it, waits for `rebuilt_log` in its output, makes it
  // the leader and reads every acknowledged message back from it at its offset.
  void DamageRestartLeadAndRead(const std::function<void(const std::string& data_dir)>& damage,
                                const std::string& rebuilt_log) {
    const int victim = CaughtUpFollower();
    ASSERT_NE(victim, 0);
    ASSERT_TRUE(cluster_->Stop(1, victim).ok());
    damage(cluster_->DataDir(1, victim));
    ASSERT_TRUE(cluster_->Restart(1, victim).ok());
    auto rebuilt = cluster_->WaitForLog(1, victim, rebuilt_log);
    EXPECT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
    LeadWith(victim);
    std::map<Sent, std::string> read;
    for (int queue_id = 0; queue_id < kQueues; ++queue_id) {
      std::vector<messaging::MessageExt> messages;
      grpc::Status pulled;
      // A new leader serves once it applied its own no-op: UNAVAILABLE until then.
      for (int attempt = 0; attempt < 500; ++attempt) {
        messages.clear();
        pulled = PullToEnd(cluster_->Messaging(1, victim), kTopic, queue_id, 0, &messages);
        if (pulled.error_code() != grpc::StatusCode::UNAVAILABLE) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling interval
      }
      ASSERT_TRUE(pulled.ok()) << pulled.error_message();
      for (const auto& message : messages) read[{queue_id, message.queue_offset()}] = message.message().body();
    }
    EXPECT_EQ(read, acknowledged_);
  }

  // Transfers leadership to `node` until it reports itself leader.
  void LeadWith(int node) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto leader = cluster_->WaitForLeader(1);
      ASSERT_TRUE(leader.ok()) << leader.status().ToString();
      if (*leader == node) return;
      admin::TransferLeadershipRequest request;
      request.set_to_node_id(static_cast<uint64_t>(node));
      admin::TransferLeadershipResponse response;
      (void)cluster_->Admin(1, *leader)->TransferLeadership(Cluster::Context().get(), request, &response);
      auto moved = cluster_->WaitForLeader(1, kClusterWait, *leader);
      if (moved.ok() && *moved == node) return;
    }
    FAIL() << "node " << node << " never became the leader";
  }

  std::unique_ptr<Cluster> cluster_;
  int leader_ = 0;
  std::map<Sent, std::string> acknowledged_;
};

TEST_F(DerivedFilesE2e, ANodeThatLostItsConsumeQueueDirectoryRebuildsItAndServesEveryMessageAtItsOffset) {
  DamageRestartLeadAndRead([](const std::string& data_dir) { std::filesystem::remove_all(data_dir + "/consumequeue"); },
                           "rebuilt consume queue");
}

TEST_F(DerivedFilesE2e, ANodeWithACutConsumeQueueFileRebuildsThatQueue) {
  DamageRestartLeadAndRead(
      [](const std::string& data_dir) {
        std::filesystem::resize_file(data_dir + "/consumequeue/" + kTopic + "/1/00000000000000000000", 3 * 20);
      },
      "rebuilt consume queue " + kTopic + "/1");
}

TEST_F(DerivedFilesE2e, ANodeThatLostItsEntryIndexRebuildsIt) {
  DamageRestartLeadAndRead([](const std::string& data_dir) { std::filesystem::remove_all(data_dir + "/commitlog/index"); },
                           "rebuilding it from the log");
}

}  // namespace
}  // namespace raftmq::e2e
