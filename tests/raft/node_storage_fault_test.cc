// Fail-stop or step aside, never a zombie: real raft::Nodes over gRPC whose storage fails
// (FaultFs under each CommitLog: a full disk, read errors; a state machine whose disk fails;
// a damaged committed entry). A node set aside stops leading at once with a hint that is never
// itself, the group elects another, and the node rejoins and catches up by itself once storage
// works; damage it cannot repair stops it for good with the reason.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "storage/log_segment.h"
#include "tests/raft/local_cluster.h"
#include "tests/raft/application_entry.h"

namespace raftmq::raft::testing {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kWait{20000};

bool WaitUntil(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

ProposalOutcome ProposeAndWait(Node* node, const std::string& payload) {
  std::future<ProposalOutcome> future = node->Propose(kApplicationEntry, payload);
  if (future.wait_for(kWait) != std::future_status::ready) {
    ADD_FAILURE() << "proposal '" << payload << "' never completed";
    return ProposalOutcome{.status = Status::Aborted("never completed")};
  }
  return future.get();
}

// Stop() must return even while the node is set aside; a hang would wedge the test binary, so
// it ends the process instead.
void ExpectStopReturns(Node* node) {
  std::promise<void> stopped;
  std::future<void> done = stopped.get_future();
  std::thread([node, &stopped] {
    node->Stop();
    stopped.set_value();
  }).detach();
  if (done.wait_for(kWait) != std::future_status::ready) {
    std::fprintf(stderr, "FAILED: Node::Stop() did not return within %lld ms\n", static_cast<long long>(kWait.count()));
    std::_Exit(1);
  }
}

std::unique_ptr<LocalCluster> StartGroupOfOne() {
  auto cluster = std::make_unique<LocalCluster>(LocalClusterOptions{.members = 1, .fault_fs = true});
  EXPECT_TRUE(cluster->StartMember(1).ok());
  return cluster;
}

TEST(NodeStorageFault, ALeaderWhoseDiskFillsStepsAsideAnotherLeadsAndItRejoinsWhenSpaceReturns) {
  LocalCluster cluster(LocalClusterOptions{.members = 3, .fault_fs = true});
  for (NodeId id = 1; id <= 3; ++id) ASSERT_TRUE(cluster.StartMember(id).ok());
  const NodeId leader = cluster.WaitForLeader(kWait);
  ASSERT_NE(leader, kNoNode);
  ASSERT_TRUE(ProposeAndWait(cluster.node(leader), "before").status.ok());

  cluster.fault_fs(leader).SetAppendBudgetBytes(0);
  // The leader sent the entry to its followers before its own write failed: it may commit.
  const ProposalOutcome during = ProposeAndWait(cluster.node(leader), "during");
  EXPECT_TRUE(during.status.IsAborted()) << during.status.ToString();
  EXPECT_NE(during.status.ToString().find("may still commit"), std::string::npos) << during.status.ToString();
  EXPECT_TRUE(WaitUntil([&] { return !cluster.node(leader)->IsLeader(); }, kWait)) << "a zombie leader";
  EXPECT_TRUE(cluster.node(leader)->storage_fault().IsNoSpace()) << cluster.node(leader)->storage_fault().ToString();

  const NodeId next = cluster.WaitForLeader(kWait, leader);
  ASSERT_NE(next, kNoNode) << "no other leader was elected";
  const ProposalOutcome after = ProposeAndWait(cluster.node(next), "after");
  ASSERT_TRUE(after.status.ok()) << after.status.ToString();
  // Set aside, it refuses with a definite error and never names itself.
  const ProposalOutcome refused = ProposeAndWait(cluster.node(leader), "refused");
  EXPECT_TRUE(refused.status.IsUnavailable()) << refused.status.ToString();
  EXPECT_NE(refused.leader_hint, leader);
  EXPECT_TRUE(WaitUntil([&] { return cluster.node(leader)->LeaderHint() == next; }, kWait))
      << "hint " << cluster.node(leader)->LeaderHint() << ", leader " << next;
  Result<NodeStatus> status = cluster.node(leader)->CurrentStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->role, Role::kFollower);

  cluster.fault_fs(leader).SetAppendBudgetBytes(std::nullopt);
  EXPECT_TRUE(cluster.state_machine(leader).WaitApplied(after.index, kWait)) << "it never caught up after space returned";
  EXPECT_TRUE(cluster.node(leader)->storage_fault().ok()) << cluster.node(leader)->storage_fault().ToString();
  EXPECT_TRUE(cluster.state_machine(leader).Applied() == cluster.state_machine(next).Applied());
}

TEST(NodeStorageFault, AFollowerWhoseDiskFillsFallsBehindAndCatchesUpWhenSpaceReturns) {
  LocalCluster cluster(LocalClusterOptions{.members = 3, .fault_fs = true});
  for (NodeId id = 1; id <= 3; ++id) ASSERT_TRUE(cluster.StartMember(id).ok());
  const NodeId leader = cluster.WaitForLeader(kWait);
  ASSERT_NE(leader, kNoNode);
  const NodeId follower = leader == 1 ? 2 : 1;

  cluster.fault_fs(follower).SetAppendBudgetBytes(0);
  Index last;
  for (int i = 0; i < 20; ++i) {
    const ProposalOutcome outcome = ProposeAndWait(cluster.node(leader), "entry " + std::to_string(i));
    ASSERT_TRUE(outcome.status.ok()) << "the group must keep serving: " << outcome.status.ToString();
    last = outcome.index;
  }
  EXPECT_TRUE(WaitUntil([&] { return !cluster.node(follower)->storage_fault().ok(); }, kWait));
  EXPECT_EQ(cluster.WaitForLeader(milliseconds(0)), leader) << "the follower's fault must not disturb the leader";

  cluster.fault_fs(follower).SetAppendBudgetBytes(std::nullopt);
  EXPECT_TRUE(cluster.state_machine(follower).WaitApplied(last, kWait)) << "the follower never applied again";
  EXPECT_TRUE(cluster.node(follower)->storage_fault().ok());
}

TEST(NodeStorageFault, AFailedApplySetsTheNodeAsideUntilTheStateMachineHeals) {
  std::unique_ptr<LocalCluster> group = StartGroupOfOne();
  LocalCluster& cluster = *group;
  ASSERT_EQ(cluster.WaitForLeader(kWait), NodeId{1}) << "a group of one elects itself";
  ASSERT_TRUE(ProposeAndWait(cluster.node(1), "ok").status.ok());

  cluster.state_machine(1).SetApplyFailing(true);
  const ProposalOutcome lost = ProposeAndWait(cluster.node(1), "applied later");
  // Committed but not applied: the proposer cannot know yet.
  EXPECT_TRUE(lost.status.IsAborted()) << lost.status.ToString();
  EXPECT_TRUE(WaitUntil([&] { return !cluster.node(1)->IsLeader(); }, kWait));
  EXPECT_TRUE(cluster.node(1)->storage_fault().IsIoError()) << cluster.node(1)->storage_fault().ToString();
  EXPECT_TRUE(cluster.node(1)->failure().ok()) << "set aside, not stopped";

  cluster.state_machine(1).SetApplyFailing(false);
  EXPECT_TRUE(cluster.state_machine(1).WaitApplied(lost.index, kWait)) << "the entry was never applied";
  EXPECT_EQ(cluster.WaitForLeader(kWait), NodeId{1}) << "it leads again once healthy";
  EXPECT_TRUE(ProposeAndWait(cluster.node(1), "after").status.ok());
}

TEST(NodeStorageFault, ACommittedEntryThatCannotBeReadSetsTheNodeAsideUntilItReadsAgain) {
  std::unique_ptr<LocalCluster> group = StartGroupOfOne();
  LocalCluster& cluster = *group;
  ASSERT_EQ(cluster.WaitForLeader(kWait), NodeId{1});
  ASSERT_TRUE(ProposeAndWait(cluster.node(1), "ok").status.ok());

  cluster.fault_fs(1).SetReadErrors(true);
  std::future<ProposalOutcome> unreadable = cluster.node(1)->Propose(kApplicationEntry, "unreadable");
  EXPECT_TRUE(WaitUntil([&] { return !cluster.node(1)->storage_fault().ok(); }, kWait))
      << "the loop retried the read forever instead of stepping aside";
  EXPECT_FALSE(cluster.node(1)->IsLeader());
  ASSERT_EQ(unreadable.wait_for(kWait), std::future_status::ready);
  const ProposalOutcome outcome = unreadable.get();
  EXPECT_TRUE(outcome.status.IsAborted()) << outcome.status.ToString();

  cluster.fault_fs(1).SetReadErrors(false);
  EXPECT_TRUE(cluster.state_machine(1).WaitApplied(outcome.index, kWait));
  EXPECT_TRUE(cluster.node(1)->storage_fault().ok());
}

TEST(NodeStorageFault, StopReturnsWhileACommittedEntryCannotBeRead) {
  std::unique_ptr<LocalCluster> group = StartGroupOfOne();
  LocalCluster& cluster = *group;
  ASSERT_EQ(cluster.WaitForLeader(kWait), NodeId{1});
  // Applied: the leader's no-op is behind it, so the read errors hit this node's next entry.
  const ProposalOutcome ok = ProposeAndWait(cluster.node(1), "ok");
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  cluster.fault_fs(1).SetReadErrors(true);
  std::future<ProposalOutcome> unreadable = cluster.node(1)->Propose(kApplicationEntry, "unreadable");
  // Appended: the loop reads it to apply right after (before the fix it spins there for good).
  EXPECT_TRUE(WaitUntil([&] { return cluster.log(1)->LastIndex() > ok.index; }, kWait));
  ExpectStopReturns(cluster.node(1));
  ASSERT_EQ(unreadable.wait_for(kWait), std::future_status::ready);
}

TEST(NodeStorageFault, ADamagedCommittedEntryStopsTheNodeForGoodWithTheReason) {
  LocalClusterOptions options{.members = 1, .fault_fs = true};
  std::promise<Status> fatal;
  options.node.on_storage_fatal = [&fatal](const Status& status) { fatal.set_value(status); };
  LocalCluster cluster(std::move(options));
  ASSERT_TRUE(cluster.StartMember(1).ok());
  ASSERT_EQ(cluster.WaitForLeader(kWait), NodeId{1});
  // Applied: the leader's no-op is behind it, so the failing apply is the victim's.
  ASSERT_TRUE(ProposeAndWait(cluster.node(1), "ok").status.ok());

  cluster.state_machine(1).SetApplyFailing(true);
  const ProposalOutcome victim = ProposeAndWait(cluster.node(1), "victim payload");
  ASSERT_TRUE(victim.status.IsAborted()) << victim.status.ToString();
  ASSERT_TRUE(WaitUntil([&] { return !cluster.node(1)->storage_fault().ok(); }, kWait));
  // Flip a payload byte of the committed, unapplied entry on disk.
  Result<storage::EntryLocation> location = cluster.log(1)->Locate(victim.index);
  ASSERT_TRUE(location.ok()) << location.status().ToString();
  const std::string segment = cluster.log_dir(1) + "/" + storage::SegmentFileName(0);
  const int fd = ::open(segment.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0) << segment;
  ASSERT_EQ(::pwrite(fd, "X", 1, static_cast<off_t>(location->payload_position)), 1);
  ::close(fd);

  cluster.state_machine(1).SetApplyFailing(false);
  std::future<Status> reason = fatal.get_future();
  ASSERT_EQ(reason.wait_for(kWait), std::future_status::ready) << "on_storage_fatal never ran";
  EXPECT_TRUE(reason.get().IsCorruption());
  EXPECT_TRUE(cluster.node(1)->failure().IsCorruption()) << cluster.node(1)->failure().ToString();
  EXPECT_FALSE(cluster.node(1)->IsLeader());
  EXPECT_TRUE(cluster.node(1)->CurrentStatus().status().IsAborted());
  for (const AppliedEntry& entry : cluster.state_machine(1).Applied()) {
    EXPECT_LT(entry.index, victim.index) << "the damaged entry must never be applied";
  }
}

}  // namespace
}  // namespace raftmq::raft::testing
