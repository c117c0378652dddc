// Disk full on real processes: each broker node's data dir is a small tmpfs of its own; the
// test fills one with a filler file, sends through the group, then frees the space.
//   (a) a follower: the group keeps serving; once space returns the follower catches up and
//       applies again, without a restart;
//   (b) the leader: it steps aside (never reports LEADER again while full, never names itself
//       as the leader), another leader is elected and serves, and once space returns the node
//       rejoins and catches up. No acknowledged message is lost, a send answered with a
//       definite error is not stored, and no two nodes ever report LEADER in one term.
// Needs root (mount); skipped otherwise. Every mount is lazily unmounted in teardown, also
// when an assertion fails.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/e2e_calls.h"
#include "tests/support/cluster.h"
#include "tests/support/poll.h"
#include "tests/support/small_filesystem.h"

namespace raftmq::e2e {
namespace {

constexpr int kNodes = 3;
constexpr uint64_t kTmpfsSizeMb = 48;
constexpr auto kSendTimeout = std::chrono::milliseconds(2000);
constexpr auto kPoll = std::chrono::milliseconds(20);

// ABORTED says "the entry may still commit"; a deadline leaves it unknown too.
bool IsDefiniteError(const grpc::Status& status) {
  return !status.ok() && status.error_code() != grpc::StatusCode::ABORTED &&
         status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED;
}

class DiskFullE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root: each node's data dir is a tmpfs mounted by the test";
    ClusterOptions options;
    options.prepare_data_dir = [this](int, int, const std::string& dir) { return filesystems_.Mount(dir); };
    auto cluster = Cluster::Start(options);
    if (!cluster.ok() && cluster.status().ToString().find("mount tmpfs") != std::string::npos) {
      GTEST_SKIP() << "cannot mount a tmpfs here: " << cluster.status().ToString();
    }
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
    auto leader = cluster_->WaitForLeader(1);
    ASSERT_TRUE(leader.ok()) << leader.status().ToString();
    leader_ = *leader;
    ASSERT_TRUE(cluster_->CreateTopic(1, "DiskFull", 1).ok());
  }

  // Sends `body` until acknowledged or `deadline`, following hints; records every answer.
  bool SendUntilAcked(const std::string& body_prefix, Clock::time_point deadline) {
    for (int attempt = 0; Clock::now() < deadline; ++attempt) {
      const std::string body = body_prefix + "-attempt-" + std::to_string(attempt);
      SendOutcome sent = SendText(cluster_->Messaging(1, target_), "DiskFull", 0, body, kSendTimeout);
      if (sent.status.ok()) {
        acked_.insert(body);
        return true;
      }
      if (IsDefiniteError(sent.status)) refused_.insert(body);
      // Never told to retry on the node that refused: a client following it would loop.
      EXPECT_NE(sent.leader_hint, cluster_->NodeAddress(1, target_))
          << "node " << target_ << " named itself as leader while refusing: " << sent.status.error_message();
      target_ = NextTarget(sent.leader_hint);
      ExpectOneLeaderPerTerm();
      std::this_thread::sleep_for(kPoll);  // a retry pace, not a synchronisation
    }
    return false;
  }

  int NextTarget(const std::string& hint) const {
    for (int node = 1; node <= kNodes; ++node) {
      if (!hint.empty() && node != target_ && cluster_->NodeAddress(1, node) == hint) return node;
    }
    return target_ % kNodes + 1;
  }

  // What `raftmq cluster status` shows: never two nodes reporting LEADER in one term.
  void ExpectOneLeaderPerTerm() {
    std::map<uint64_t, int> leaders_by_term;
    for (int node = 1; node <= kNodes; ++node) {
      auto status = cluster_->NodeStatus(1, node);
      if (!status.ok() || status->role() != admin::LEADER) continue;
      EXPECT_EQ(leaders_by_term[status->term()]++, 0) << "two leaders of term " << status->term();
    }
  }

  // Waits until `node` reports applied >= `index`.
  bool WaitApplied(int node, uint64_t index) {
    return test_support::PollUntil(
        [&] {
          auto status = cluster_->NodeStatus(1, node);
          return status.ok() && status->applied_index() >= index;
        },
        kClusterWait);
  }

  uint64_t CommitOf(int node) {
    auto status = cluster_->NodeStatus(1, node);
    return status.ok() ? status->commit_index() : 0;
  }

  // Everything stored, read from `node`: acked bodies all there, definite refusals absent.
  void ExpectAckedStoredAndRefusedNot(int node) {
    std::vector<messaging::MessageExt> stored;
    grpc::Status pulled = PullToEnd(cluster_->Messaging(1, node), "DiskFull", 0, 0, &stored);
    ASSERT_TRUE(pulled.ok()) << pulled.error_message();
    std::set<std::string> bodies;
    for (const messaging::MessageExt& message : stored) bodies.insert(message.message().body());
    for (const std::string& body : acked_) EXPECT_TRUE(bodies.contains(body)) << "acknowledged, lost: " << body;
    for (const std::string& body : refused_) EXPECT_FALSE(bodies.contains(body)) << "refused, yet stored: " << body;
  }

  test_support::SmallFilesystems filesystems_{kTmpfsSizeMb};  // declared first: unmounted after the cluster is gone
  std::unique_ptr<Cluster> cluster_;
  int leader_ = 0;
  int target_ = 1;
  std::set<std::string> acked_;
  std::set<std::string> refused_;
};

TEST_F(DiskFullE2e, AFollowerWhoseDiskFillsCatchesUpWithoutARestartOnceSpaceReturns) {
  const int follower = leader_ % kNodes + 1;
  target_ = leader_;
  const auto deadline = Clock::now() + kClusterWait;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(SendUntilAcked("before-" + std::to_string(i), deadline));

  const std::string filler = test_support::FillUp(cluster_->DataDir(1, follower));
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(SendUntilAcked("full-" + std::to_string(i), deadline)) << "the group stopped serving";
  auto stepped_aside = cluster_->WaitForLog(1, follower, "storage fault, stepping aside");
  EXPECT_TRUE(stepped_aside.ok()) << stepped_aside.status().ToString();

  std::filesystem::remove(filler);
  const uint64_t commit = CommitOf(leader_);
  EXPECT_TRUE(WaitApplied(follower, commit)) << "the follower never applied up to " << commit << " after space returned";
  EXPECT_TRUE(cluster_->IsRunning(1, follower));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(SendUntilAcked("after-" + std::to_string(i), Clock::now() + kClusterWait));
  ExpectAckedStoredAndRefusedNot(leader_);
  // Pulls are leader-only (ReadIndex), so the follower's catch-up is what WaitApplied saw.
}

TEST_F(DiskFullE2e, ALeaderWhoseDiskFillsStepsAsideAndRejoinsOnceSpaceReturns) {
  target_ = leader_;
  auto deadline = Clock::now() + kClusterWait;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(SendUntilAcked("before-" + std::to_string(i), deadline));

  const std::string filler = test_support::FillUp(cluster_->DataDir(1, leader_));
  deadline = Clock::now() + kClusterWait;
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(SendUntilAcked("full-" + std::to_string(i), deadline)) << "no leader took over";
  auto next = cluster_->WaitForLeader(1, kClusterWait, leader_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  auto old_status = cluster_->NodeStatus(1, leader_);
  ASSERT_TRUE(old_status.ok()) << old_status.status().ToString();
  EXPECT_NE(old_status->role(), admin::LEADER) << "a full leader kept leading";
  ExpectOneLeaderPerTerm();

  std::filesystem::remove(filler);
  const uint64_t commit = CommitOf(*next);
  EXPECT_TRUE(WaitApplied(leader_, commit)) << "the old leader never caught up after space returned";
  EXPECT_TRUE(cluster_->IsRunning(1, leader_));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(SendUntilAcked("after-" + std::to_string(i), Clock::now() + kClusterWait));
  ExpectAckedStoredAndRefusedNot(*next);
}

}  // namespace
}  // namespace raftmq::e2e
