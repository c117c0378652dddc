// One simulator run per seed: a random cluster (3 or 5 nodes, randomized limits, sync or async
// flush, early campaign on or off, retention on or off), a fault phase (loss, delay,
// duplication, partitions and one-way cuts, process crashes, power losses (mid-Ready too),
// wiped data dirs, restarts, leadership transfers, client proposals; with retention, periodic
// snapshots and log compaction on every node, so lagging and wiped nodes catch up by
// snapshot; in half of the runs, membership changes: spare nodes added as learners, promoted,
// voters removed, the leader too, between 3 and 5 voters), then a healed phase that must elect a leader and commit a proposal on every node,
// each caught up, none recovering and each with the leader's configuration (a joined spare
// learned it from entry 1 or a snapshot), within kRecoveryMsMax of virtual time. Also the failover
// measurement: virtual time from a leader's crash to a new leader, with default options.
//
// A failing seed prints itself and the replay command; so does an assert (SIGABRT) inside a
// run, via ReportSeedOnAbort.
//
// Threading: single-threaded; runs are independent.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace raftmq::raft::sim {

// Healed cluster must make progress within this much virtual time.
inline constexpr uint64_t kRecoveryMsMax = 15000;
// The simulated tick, as raft::Node's default.
inline constexpr uint64_t kSimTickIntervalMs = 50;

struct SimRunResult {
  bool ok = true;
  std::string violation;  // with the virtual time it was seen at
  size_t node_count = 0;
  uint64_t fault_phase_ms = 0;
  uint64_t recovery_ms = 0;  // heal -> a proposal applied on every node
  uint64_t committed = 0;
  uint64_t proposals = 0;
  uint64_t leaders_elected = 0;
  uint64_t truncations = 0;
  uint64_t crashes = 0;
  uint64_t recovering_restarts = 0;  // restarts after a power loss under async flush, or a wipe
  uint64_t early_campaigns = 0;
  uint64_t compactions = 0;
  uint64_t snapshots_installed = 0;
  uint64_t snapshot_transfers_failed = 0;
  // Membership changes the leader accepted.
  uint64_t learners_added = 0;
  uint64_t promotions = 0;
  uint64_t removals = 0;         // of a follower or learner
  uint64_t leader_removals = 0;  // the leader removed itself
  uint64_t joins = 0;            // a joining node learned its group (entry 1 or a snapshot)
};

SimRunResult RunSeed(uint64_t seed);

// Virtual ms from crashing (kill -9) a healthy leader to another node becoming leader; with
// `early_campaign` its followers campaign when its stream ends, as raft::Node does.
Result<uint64_t> MeasureFailoverMs(uint64_t seed, size_t node_count, bool early_campaign);

std::string ReplayCommand(uint64_t seed);

// Until the next call, a SIGABRT (a failed RMQ_ASSERT) first prints `seed` and its replay
// command to stderr.
void ReportSeedOnAbort(uint64_t seed);

}  // namespace raftmq::raft::sim
