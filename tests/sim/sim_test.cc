// The seeded simulator under ctest: 8 shards of 250 seeds (2,000 per CI run), a replay of one
// seed from RAFTMQ_SEED, determinism, and the failover bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "raft/sim/sim_run.h"

namespace raftmq::raft::sim {
namespace {

constexpr uint64_t kShards = 8;
constexpr uint64_t kSeedsPerShard = 250;

uint64_t SeedsPerShard() {
  const char* cap = std::getenv("RAFTMQ_SIM_SEEDS");
  if (cap == nullptr) return kSeedsPerShard;
  const uint64_t total = std::strtoull(cap, nullptr, 10);
  return std::min(kSeedsPerShard, (total + kShards - 1) / kShards);
}

class RaftSimShard : public testing::TestWithParam<uint64_t> {};

TEST_P(RaftSimShard, EverySeedKeepsTheInvariantsAndRecovers) {
  const uint64_t first = GetParam() * kSeedsPerShard;
  const uint64_t count = SeedsPerShard();
  uint64_t leaders = 0;
  uint64_t truncations = 0;
  uint64_t committed = 0;
  uint64_t recovering_restarts = 0;
  uint64_t compactions = 0;
  uint64_t snapshots_installed = 0;
  uint64_t snapshot_transfers_failed = 0;
  uint64_t promotions = 0;
  uint64_t removals = 0;
  uint64_t joins = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    ReportSeedOnAbort(seed);
    SimRunResult result = RunSeed(seed);
    ASSERT_TRUE(result.ok) << "seed " << seed << " (" << result.node_count << " nodes): " << result.violation
                           << "\n  replay: " << ReplayCommand(seed);
    leaders += result.leaders_elected;
    truncations += result.truncations;
    committed += result.committed;
    recovering_restarts += result.recovering_restarts;
    compactions += result.compactions;
    snapshots_installed += result.snapshots_installed;
    snapshot_transfers_failed += result.snapshot_transfers_failed;
    promotions += result.promotions;
    removals += result.removals + result.leader_removals;
    joins += result.joins;
  }
  // The faults must really have bitten: elections, divergent tails, commits.
  EXPECT_GT(leaders, count);
  EXPECT_GT(committed, count * 10);
  if (count >= 100) {
    EXPECT_GT(truncations, 0u);
    EXPECT_GT(recovering_restarts, 0u);  // power losses under async flush and wipes happened
    // Retention ran, followers behind it caught up by snapshot, and some transfers broke.
    EXPECT_GT(compactions, 0u);
    EXPECT_GT(snapshots_installed, 0u);
    EXPECT_GT(snapshot_transfers_failed, 0u);
    // Membership changed under the faults: learners promoted, voters removed.
    EXPECT_GT(promotions, 0u);
    EXPECT_GT(removals, 0u);
    // Spares start joining and learned their group from entry 1 or a snapshot.
    EXPECT_GT(joins, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RaftSimShard, testing::Range<uint64_t>(0, kShards));

TEST(RaftSim, ReplaysSeedFromEnvironment) {
  const char* seed_text = std::getenv("RAFTMQ_SEED");
  if (seed_text == nullptr) GTEST_SKIP() << "set RAFTMQ_SEED=<n> to replay one seed";
  const uint64_t seed = std::strtoull(seed_text, nullptr, 10);
  ReportSeedOnAbort(seed);
  SimRunResult result = RunSeed(seed);
  std::printf("seed %llu: %zu nodes, %llu ms of faults, %llu entries committed, %llu leaders, recovered in %llu ms\n",
              static_cast<unsigned long long>(seed), result.node_count,
              static_cast<unsigned long long>(result.fault_phase_ms), static_cast<unsigned long long>(result.committed),
              static_cast<unsigned long long>(result.leaders_elected),
              static_cast<unsigned long long>(result.recovery_ms));
  EXPECT_TRUE(result.ok) << result.violation;
}

// Seeds that found bugs, replayed on every run: 3533, 10448 (an empty node that had ended a
// new group's recovery still reported `recovering` long after, and with one power-lost node
// made a false majority loss that elected a leader without committed entries), 1151, 14275
// (the simulator's own count of nodes needing recovery went stale across a restart).
TEST(RaftSim, RegressionSeedsStayClean) {
  for (uint64_t seed : {1151u, 3533u, 10448u, 14275u}) {
    ReportSeedOnAbort(seed);
    SimRunResult result = RunSeed(seed);
    EXPECT_TRUE(result.ok) << "seed " << seed << ": " << result.violation;
  }
}

// Issue 9: kill -9 of a leader with the early campaign on (raft::Node's default): followers
// learn of it when its stream ends, and usually one wins within a few ticks. The tail is
// still an election timeout (issue 9's stragglers; `raft_sim --failover 1000` prints it), so
// the median is what is pinned here.
TEST(RaftSimFailover, EarlyCampaignUsuallyReplacesAKilledLeaderWithinAFewTicks) {
  for (size_t nodes : {3u, 5u}) {
    const uint64_t seeds = std::max<uint64_t>(5, SeedsPerShard() / 5);
    std::vector<uint64_t> times_ms;
    for (uint64_t seed = 0; seed < seeds; ++seed) {
      Result<uint64_t> failover_ms = MeasureFailoverMs(seed, nodes, /*early_campaign=*/true);
      ASSERT_TRUE(failover_ms.ok()) << "seed " << seed << ": " << failover_ms.status().ToString();
      EXPECT_LE(*failover_ms, 1200u) << "seed " << seed << ", " << nodes << " nodes";
      times_ms.push_back(*failover_ms);
    }
    std::sort(times_ms.begin(), times_ms.end());
    EXPECT_LE(times_ms[times_ms.size() / 2], 250u) << nodes << " nodes: median failover";
  }
}

TEST(RaftSim, SameSeedReplaysIdentically) {
  for (uint64_t seed : {7u, 1234u}) {
    SimRunResult first = RunSeed(seed);
    SimRunResult second = RunSeed(seed);
    EXPECT_EQ(first.committed, second.committed) << "seed " << seed;
    EXPECT_EQ(first.leaders_elected, second.leaders_elected) << "seed " << seed;
    EXPECT_EQ(first.recovery_ms, second.recovery_ms) << "seed " << seed;
    EXPECT_EQ(first.truncations, second.truncations) << "seed " << seed;
  }
}

// Default options (50 ms ticks, election timeout 500-1000 ms): a new leader within one
// maximum election timeout plus a vote round after the old one dies, never sooner than the
// lease lets followers vote.
TEST(RaftSimFailover, NewLeaderWithinOneElectionTimeoutOfLeaderCrash) {
  for (size_t nodes : {3u, 5u}) {
    // 50 seeds per size; fewer when RAFTMQ_SIM_SEEDS caps the run (sanitizer pass).
    const uint64_t seeds = std::max<uint64_t>(5, SeedsPerShard() / 5);
    for (uint64_t seed = 0; seed < seeds; ++seed) {
      Result<uint64_t> failover_ms = MeasureFailoverMs(seed, nodes, /*early_campaign=*/false);
      ASSERT_TRUE(failover_ms.ok()) << "seed " << seed << ": " << failover_ms.status().ToString();
      EXPECT_LE(*failover_ms, 1200u) << "seed " << seed << ", " << nodes << " nodes";
      EXPECT_GE(*failover_ms, 400u) << "seed " << seed << ", " << nodes << " nodes";
    }
  }
}

}  // namespace
}  // namespace raftmq::raft::sim
