// raft_sim: runs the deterministic simulator over a range of seeds, printing progress, the
// failing seeds with their replay command, and with --failover the failover times.
//
//   raft_sim --seeds 100000 --start 0
//   raft_sim --failover 1000 --nodes 3 [--early-campaign 0|1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "raft/sim/sim_run.h"

namespace {

struct Args {
  uint64_t seeds = 1000;
  uint64_t start = 0;
  uint64_t failover = 0;
  size_t nodes = 3;
  uint64_t early_campaign = 1;  // raft::Node's default
};

bool Parse(int argc, char** argv, Args& args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const uint64_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--seeds") == 0) args.seeds = value;
    else if (std::strcmp(argv[i], "--start") == 0) args.start = value;
    else if (std::strcmp(argv[i], "--failover") == 0) args.failover = value;
    else if (std::strcmp(argv[i], "--nodes") == 0) args.nodes = value;
    else if (std::strcmp(argv[i], "--early-campaign") == 0) args.early_campaign = value;
    else return false;
  }
  return argc % 2 == 1;
}

int RunSeeds(const Args& args) {
  using raftmq::raft::sim::RunSeed;
  const auto started = std::chrono::steady_clock::now();
  uint64_t failures = 0;
  uint64_t committed = 0;
  uint64_t leaders = 0;
  uint64_t truncations = 0;
  uint64_t crashes = 0;
  uint64_t recovering_restarts = 0;
  uint64_t early_campaigns = 0;
  uint64_t snapshots_installed = 0;
  uint64_t snapshot_transfers_failed = 0;
  uint64_t learners_added = 0;
  uint64_t promotions = 0;
  uint64_t removals = 0;
  uint64_t leader_removals = 0;
  uint64_t joins = 0;
  std::vector<uint64_t> recovery_ms;
  uint64_t longest_recovery_seed = 0;
  uint64_t longest_recovery_ms = 0;
  double slowest_seconds = 0;
  uint64_t slowest_seed = 0;
  const uint64_t progress_every = std::max<uint64_t>(1, args.seeds / 20);
  for (uint64_t seed = args.start; seed < args.start + args.seeds; ++seed) {
    raftmq::raft::sim::ReportSeedOnAbort(seed);
    const auto seed_started = std::chrono::steady_clock::now();
    auto result = RunSeed(seed);
    const double seed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_started).count();
    if (seed_seconds > slowest_seconds) {
      slowest_seconds = seed_seconds;
      slowest_seed = seed;
    }
    committed += result.committed;
    leaders += result.leaders_elected;
    truncations += result.truncations;
    crashes += result.crashes;
    recovering_restarts += result.recovering_restarts;
    early_campaigns += result.early_campaigns;
    snapshots_installed += result.snapshots_installed;
    snapshot_transfers_failed += result.snapshot_transfers_failed;
    learners_added += result.learners_added;
    promotions += result.promotions;
    removals += result.removals;
    leader_removals += result.leader_removals;
    joins += result.joins;
    if (result.recovery_ms >= longest_recovery_ms) {
      longest_recovery_ms = result.recovery_ms;
      longest_recovery_seed = seed;
    }
    recovery_ms.push_back(result.recovery_ms);
    if (!result.ok) {
      ++failures;
      std::printf("FAIL seed %llu (%zu nodes): %s\n  replay: %s\n", static_cast<unsigned long long>(seed),
                  result.node_count, result.violation.c_str(), raftmq::raft::sim::ReplayCommand(seed).c_str());
    }
    const uint64_t done = seed - args.start + 1;
    if (done % progress_every == 0 || done == args.seeds) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::printf("[raft_sim] %llu/%llu seeds, %llu failed; %llu entries committed, %llu leaders elected, "
                  "%llu divergent tails truncated, %llu crashes, %llu recovering restarts, %llu early campaigns, "
                  "%llu snapshots installed (%llu transfers failed); membership: %llu learners added, %llu promoted, "
                  "%llu removed, %llu leaders removed themselves, %llu joiners learned their group; %.1f s\n",
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(args.seeds),
                  static_cast<unsigned long long>(failures), static_cast<unsigned long long>(committed),
                  static_cast<unsigned long long>(leaders), static_cast<unsigned long long>(truncations),
                  static_cast<unsigned long long>(crashes), static_cast<unsigned long long>(recovering_restarts),
                  static_cast<unsigned long long>(early_campaigns),
                  static_cast<unsigned long long>(snapshots_installed),
                  static_cast<unsigned long long>(snapshot_transfers_failed),
                  static_cast<unsigned long long>(learners_added), static_cast<unsigned long long>(promotions),
                  static_cast<unsigned long long>(removals), static_cast<unsigned long long>(leader_removals),
                  static_cast<unsigned long long>(joins), seconds);
      std::fflush(stdout);
    }
  }
  std::printf("[raft_sim] slowest seed %llu: %.3f s\n", static_cast<unsigned long long>(slowest_seed), slowest_seconds);
  std::sort(recovery_ms.begin(), recovery_ms.end());
  if (!recovery_ms.empty()) {
    std::printf("[raft_sim] heal -> proposal applied on every node (virtual): median %llu ms, p99 %llu ms, max %llu ms "
                "(seed %llu)\n",
                static_cast<unsigned long long>(recovery_ms[recovery_ms.size() / 2]),
                static_cast<unsigned long long>(recovery_ms[(recovery_ms.size() - 1) * 99 / 100]),
                static_cast<unsigned long long>(recovery_ms.back()),
                static_cast<unsigned long long>(longest_recovery_seed));
  }
  return failures == 0 ? 0 : 1;
}

int RunFailover(const Args& args) {
  std::vector<uint64_t> times_ms;
  for (uint64_t seed = args.start; seed < args.start + args.failover; ++seed) {
    raftmq::raft::sim::ReportSeedOnAbort(seed);
    auto failover = raftmq::raft::sim::MeasureFailoverMs(seed, args.nodes, args.early_campaign != 0);
    if (!failover.ok()) {
      std::printf("FAIL seed %llu: %s\n", static_cast<unsigned long long>(seed), failover.status().ToString().c_str());
      return 1;
    }
    times_ms.push_back(*failover);
  }
  if (times_ms.empty()) return 0;
  std::sort(times_ms.begin(), times_ms.end());
  auto at = [&times_ms](double quantile) { return times_ms[static_cast<size_t>(quantile * (times_ms.size() - 1))]; };
  std::printf("[raft_sim] failover after kill -9 (%zu nodes, default options, 50 ms ticks, early campaign %s) over %zu "
              "seeds: min %llu ms, median %llu ms, p99 %llu ms, max %llu ms\n",
              args.nodes, args.early_campaign != 0 ? "on" : "off", times_ms.size(), static_cast<unsigned long long>(times_ms.front()),
              static_cast<unsigned long long>(at(0.5)), static_cast<unsigned long long>(at(0.99)),
              static_cast<unsigned long long>(times_ms.back()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, args)) {
    std::fprintf(stderr, "usage: raft_sim [--seeds N] [--start S] [--failover N --nodes 3|5 --early-campaign 0|1]\n");
    return 2;
  }
  return args.failover > 0 ? RunFailover(args) : RunSeeds(args);
}
