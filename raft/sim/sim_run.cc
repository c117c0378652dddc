#include "raft/sim/sim_run.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>

#include "common/assert.h"
#include "raft/sim/sim_cluster.h"

namespace raftmq::raft::sim {

namespace {

// Written before each run, so the signal handler only calls write(2).
char abort_report[256];
size_t abort_report_size = 0;

void OnAbort(int) {
  if (abort_report_size > 0) {
    [[maybe_unused]] ssize_t written = write(STDERR_FILENO, abort_report, abort_report_size);
  }
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

// Membership runs: nodes that start outside the group, and the voter counts changes stay within
// (3 -> 5 and back; replacing one is add, promote, remove).
constexpr size_t kSpareNodes = 3;
constexpr size_t kVotersMin = 3;
constexpr size_t kVotersMax = 5;

template <typename T, size_t N>
T Pick(Prng& prng, const T (&choices)[N]) {
  return choices[prng.Between(0, N)];
}

CoreOptions RandomOptions(Prng& prng, size_t node_count) {
  CoreOptions options;
  options.pre_vote = !prng.Chance(1, 10);
  options.check_quorum = !prng.Chance(1, 10);
  const uint32_t inflight_appends[] = {1, 2, 8, 256};
  const uint64_t small_or_default_bytes[] = {16, 256, 4096, 1ull << 20};
  options.inflight_appends_max = Pick(prng, inflight_appends);
  options.inflight_bytes_max = Pick(prng, small_or_default_bytes);
  options.append_entries_bytes_max = Pick(prng, small_or_default_bytes);
  options.uncommitted_bytes_max = Pick(prng, small_or_default_bytes);
  options.apply_entries_bytes_max = Pick(prng, small_or_default_bytes);
  const uint64_t lags[] = {0, 10, 1000};
  options.transfer_lag_entries_max = Pick(prng, lags);
  options.learner_promote_lag_entries_max = Pick(prng, lags);
  if (prng.Chance(1, 5)) options.preferred_leader = prng.Between(1, node_count + 1);
  return options;
}

NetworkFaults RandomFaults(Prng& prng) {
  NetworkFaults faults;
  faults.drop_per_mille = static_cast<uint32_t>(prng.Between(0, 300));
  faults.duplicate_per_mille = static_cast<uint32_t>(prng.Between(0, 100));
  faults.delay_ms_min = prng.Between(1, 5);
  faults.delay_ms_max = faults.delay_ms_min + prng.Between(1, prng.Chance(1, 4) ? 400 : 40);
  return faults;
}

NodeId RandomNode(SimCluster& cluster) { return cluster.prng().Between(1, cluster.ids().size() + 1); }

SimModel RandomModel(Prng& prng) {
  SimModel model;
  model.async_flush = prng.Chance(1, 2);
  model.flush_interval_ms = prng.Chance(1, 2) ? 500 : prng.Between(20, 200);
  model.early_campaign = !prng.Chance(1, 5);
  // Retention in three runs of four, from eager (a follower down a moment falls behind the
  // leader's first index) to rare.
  if (!prng.Chance(1, 4)) {
    model.compaction_interval_ms = prng.Chance(1, 2) ? prng.Between(50, 300) : prng.Between(300, 3000);
  }
  // Membership changes in half of the runs, with spare nodes to add.
  if (prng.Chance(1, 2)) model.spare_nodes = kSpareNodes;
  return model;
}

void Partition(SimCluster& cluster) {
  Prng& prng = cluster.prng();
  const NodeId leader = cluster.Leader();
  if (prng.Chance(1, 4)) {
    // One-way: a node hears its peers but they do not hear it (or the other way round).
    const NodeId node = RandomNode(cluster);
    const bool outgoing = prng.Chance(1, 2);
    for (NodeId peer : cluster.ids()) {
      if (peer == node) continue;
      if (outgoing) {
        cluster.network().CutOneWay(node, peer);
      } else {
        cluster.network().CutOneWay(peer, node);
      }
    }
    return;
  }
  for (NodeId node : cluster.ids()) cluster.network().SetGroup(node, static_cast<uint32_t>(prng.Between(0, 2)));
  // Often cut the leader off alone: the case check-quorum and the lease are for.
  if (leader != kNoNode && prng.Chance(1, 2)) {
    for (NodeId node : cluster.ids()) cluster.network().SetGroup(node, node == leader ? 1 : 0);
  }
}

void ClientPropose(SimCluster& cluster, uint64_t& proposals) {
  Prng& prng = cluster.prng();
  NodeId target = cluster.Leader();
  if (target == kNoNode || prng.Chance(1, 5)) target = RandomNode(cluster);
  std::string payload = std::to_string(proposals++);
  payload.append(prng.Between(0, 48), 'x');
  (void)cluster.Propose(target, payload);
}

// How often faults strike: a calm run exercises replication under load, a stormy one
// elections and divergent tails (per mille of RandomAction calls).
struct FaultRates {
  uint64_t propose = 400;
  uint64_t crash = 10;
  uint64_t restart = 20;
  uint64_t partition = 10;
  uint64_t heal = 10;
  uint64_t network = 10;
  uint64_t transfer = 5;
  uint64_t membership = 40;  // with spare nodes only
};

FaultRates RandomRates(Prng& prng) {
  if (prng.Chance(1, 2)) return FaultRates{};
  return FaultRates{.propose = 300, .crash = 60, .restart = 120, .partition = 60, .heal = 40, .network = 20,
                    .transfer = 20, .membership = 60};
}

// One membership step through the leader, as an operator would drive it: a learner is promoted
// (refused until caught up) or now and then given up; else a spare is added while there is room
// or the group is at its smallest (a replacement's first step); else a random voter goes, the
// leader included. Spares are never reused, so a removed node stays out.
void ChangeMembership(SimCluster& cluster, NodeId& next_spare) {
  const NodeId leader = cluster.Leader();
  if (leader == kNoNode) return;
  const ConfState config = cluster.ConfigurationOf(leader).value();
  Prng& prng = cluster.prng();
  const bool spare_left = next_spare <= cluster.ids().size();
  ConfChange change;
  if (!config.learners.empty()) {
    change = ConfChange{.type = prng.Chance(1, 20) ? ConfChangeType::kRemove : ConfChangeType::kPromote,
                        .node = config.learners.front()};
  } else if (spare_left && (config.voters.size() <= kVotersMin || (config.voters.size() < kVotersMax && prng.Chance(1, 2)))) {
    change = ConfChange{.type = ConfChangeType::kAddLearner, .node = next_spare};
  } else if (config.voters.size() > kVotersMin) {
    change = ConfChange{.type = ConfChangeType::kRemove, .node = config.voters[prng.Between(0, config.voters.size())]};
  } else {
    return;
  }
  // The simulator checks progress while a majority of every configuration keeps its data: an
  // operator does not shrink the group onto its broken nodes.
  Result<ConfState> next = ApplyConfChange(config, change);
  if (!next.ok() || !cluster.KeepsMajority(next->voters)) return;
  if (cluster.ProposeConfChange(leader, change).ok() && change.type == ConfChangeType::kAddLearner) ++next_spare;
}

// One random fault or client action (about every 30 ms of virtual time).
void RandomAction(SimCluster& cluster, const FaultRates& rates, uint64_t& proposals, NodeId& next_spare) {
  Prng& prng = cluster.prng();
  uint64_t roll = prng.Between(0, 1000);
  auto hit = [&roll](uint64_t rate) {
    if (roll < rate) return true;
    roll -= rate;
    return false;
  };
  if (hit(rates.propose)) {
    ClientPropose(cluster, proposals);
  } else if (hit(rates.crash)) {
    // Leaders half of the time: a leader dying with a half-replicated tail is where the
    // commit rules matter (Raft paper, figure 8).
    const NodeId leader = cluster.Leader();
    const NodeId node = leader != kNoNode && prng.Chance(1, 2) ? leader : RandomNode(cluster);
    const bool mid_ready = prng.Chance(1, 4);
    cluster.Crash(node, mid_ready || prng.Chance(1, 2) ? CrashKind::kPowerLoss : CrashKind::kProcess, mid_ready);
  } else if (hit(rates.restart)) {
    const NodeId node = RandomNode(cluster);
    if (!cluster.IsUp(node)) {
      if (prng.Chance(1, 20)) cluster.Wipe(node);
      cluster.Restart(node);
    }
  } else if (hit(rates.partition)) {
    Partition(cluster);
  } else if (hit(rates.heal)) {
    cluster.network().Heal();
  } else if (hit(rates.network)) {
    cluster.network().set_faults(RandomFaults(prng));
  } else if (hit(rates.transfer) && cluster.Leader() != kNoNode) {
    (void)cluster.TransferLeadership(cluster.Leader(), RandomNode(cluster));
  } else if (hit(rates.membership) && cluster.model().spare_nodes > 0) {
    ChangeMembership(cluster, next_spare);
  }
}

void HealAll(SimCluster& cluster) {
  cluster.network().Heal();
  cluster.network().set_faults(NetworkFaults{});
  // Live nodes stay up: a follower whose log lost a tail must catch up under the leader it
  // has, not only after a restart changes the leader.
  for (NodeId node : cluster.ids()) {
    cluster.CancelMidReadyCrash(node);
    if (!cluster.IsUp(node)) cluster.Restart(node);
  }
}

// Proposes a marker through whoever leads until every node has applied it.
bool RecoverAndCommit(SimCluster& cluster, uint64_t seed) {
  const uint64_t deadline_ms = cluster.now_ms() + kRecoveryMsMax;
  const std::string marker = "marker-" + std::to_string(seed);
  Index marker_index;
  uint64_t proposed_ms = 0;
  while (cluster.now_ms() < deadline_ms && cluster.checker().ok()) {
    cluster.RunUntil(cluster.now_ms() + 10);
    const NodeId leader = cluster.Leader();
    if (leader != kNoNode && (marker_index == Index(0) || cluster.now_ms() - proposed_ms > 2000)) {
      Result<Index> index = cluster.Propose(leader, marker);
      if (index.ok()) {
        marker_index = *index;
        proposed_ms = cluster.now_ms();
      }
    }
    if (marker_index == Index(0)) continue;
    // Every member caught up: applied the marker, no longer recovering and holding the leader's
    // configuration (a removed node, or a spare never added, is not the group's).
    const std::optional<ConfState> config = cluster.ConfigurationOf(leader == kNoNode ? cluster.ids().front() : leader);
    bool everywhere = leader != kNoNode && config.has_value();
    for (NodeId node : cluster.ids()) {
      if (!everywhere || !IsMemberOf(*config, node)) continue;
      everywhere = cluster.Applied(node) >= marker_index && !cluster.NeedsRecovery(node) &&
                   cluster.ConfigurationOf(node) == config;
    }
    if (everywhere) return true;
  }
  return false;
}

}  // namespace

std::string ReplayCommand(uint64_t seed) {
  return "RAFTMQ_SEED=" + std::to_string(seed) + " ./build/tests/sim/sim_test --gtest_filter='RaftSim.ReplaysSeed*'" +
         "  (or: ./build/raft/sim/raft_sim --start " + std::to_string(seed) + " --seeds 1)";
}

void ReportSeedOnAbort(uint64_t seed) {
  const std::string report = "\nraft_sim: ABORT in seed " + std::to_string(seed) + "; replay: " + ReplayCommand(seed) + "\n";
  abort_report_size = report.copy(abort_report, sizeof(abort_report) - 1);
  std::signal(SIGABRT, OnAbort);
}

SimRunResult RunSeed(uint64_t seed) {
  Prng setup(seed ^ 0x5eedull);
  SimRunResult result;
  result.node_count = setup.Chance(1, 2) ? 3 : 5;
  const CoreOptions options = RandomOptions(setup, result.node_count);
  SimCluster cluster(seed, result.node_count, options, kSimTickIntervalMs, RandomModel(setup));
  cluster.network().set_faults(RandomFaults(setup));
  result.fault_phase_ms = setup.Between(3000, 15000);
  const FaultRates rates = RandomRates(setup);
  uint64_t proposals = 0;
  NodeId next_spare = NodeId(result.node_count + 1);
  while (cluster.now_ms() < result.fault_phase_ms && cluster.checker().ok()) {
    RandomAction(cluster, rates, proposals, next_spare);
    cluster.RunUntil(cluster.now_ms() + setup.Between(1, 60));
  }
  const uint64_t heal_ms = cluster.now_ms();
  bool recovered = false;
  if (cluster.checker().ok()) {
    HealAll(cluster);
    recovered = RecoverAndCommit(cluster, seed);
  }
  result.recovery_ms = cluster.now_ms() - heal_ms;
  result.committed = cluster.checker().committed_count();
  result.proposals = proposals;
  result.leaders_elected = cluster.stats().leaders_elected;
  result.truncations = cluster.stats().truncations;
  result.crashes = cluster.stats().crashes;
  result.recovering_restarts = cluster.stats().power_losses_recovering;
  result.early_campaigns = cluster.stats().early_campaigns;
  result.compactions = cluster.stats().compactions;
  result.snapshots_installed = cluster.stats().snapshots_installed;
  result.snapshot_transfers_failed = cluster.stats().snapshot_transfers_failed;
  result.learners_added = cluster.stats().learners_added;
  result.promotions = cluster.stats().promotions;
  result.removals = cluster.stats().removals;
  result.leader_removals = cluster.stats().leader_removals;
  result.joins = cluster.stats().joins;
  if (!cluster.checker().ok()) {
    result.ok = false;
    result.violation = cluster.checker().violation() + " (at " + std::to_string(cluster.now_ms()) + " ms)";
  } else if (!recovered) {
    result.ok = false;
    result.violation = "no proposal committed on every node (each caught up, none recovering, each with the leader's "
                       "configuration) within " +
                       std::to_string(kRecoveryMsMax) + " ms after the faults stopped; the nodes then:\n" +
                       cluster.Describe();
  }
  return result;
}

Result<uint64_t> MeasureFailoverMs(uint64_t seed, size_t node_count, bool early_campaign) {
  CoreOptions defaults;
  SimCluster cluster(seed, node_count, defaults, kSimTickIntervalMs, SimModel{.early_campaign = early_campaign});
  cluster.network().set_faults(NetworkFaults{.delay_ms_min = 1, .delay_ms_max = 5});
  if (!RecoverAndCommit(cluster, seed)) return Status::Aborted("no initial leader");
  // Steady traffic for a while, so the crash lands at a random point of the heartbeat cycle.
  const uint64_t steady_until_ms = cluster.now_ms() + cluster.prng().Between(500, 2500);
  uint64_t proposals = 0;
  while (cluster.now_ms() < steady_until_ms) {
    ClientPropose(cluster, proposals);
    cluster.RunUntil(cluster.now_ms() + 20);
  }
  const NodeId old_leader = cluster.Leader();
  if (old_leader == kNoNode) return Status::Aborted("leader lost before the crash");
  const uint64_t crash_ms = cluster.now_ms();
  cluster.Crash(old_leader, CrashKind::kProcess);
  while (cluster.now_ms() < crash_ms + kRecoveryMsMax && cluster.checker().ok()) {
    cluster.RunUntil(cluster.now_ms() + 1);
    const NodeId leader = cluster.Leader();
    if (leader != kNoNode && leader != old_leader) return cluster.last_leader_elected_ms() - crash_ms;
  }
  return Status::Aborted("no new leader: " + cluster.checker().violation());
}

}  // namespace raftmq::raft::sim
