// SimCluster: N raft::Cores on a virtual clock, each with a simulated disk (sim_disk.h) and a
// durable state machine (it remembers the last index it applied), joined by SimNetwork. It
// plays the driver's part exactly as raft::Node must (persist -> send -> apply -> Advance),
// can crash a node in the middle of persisting a Ready, and runs the checker after every step.
//
// What it models of the real driver (SimModel): the flush policy (sync: a Ready's entries are
// fsynced before its acks leave; async: acks leave at once and the log is fsynced every
// flush_interval_ms, so a power loss may take acknowledged entries), the two kinds of crash
// (a process crash keeps the page cache; a power loss keeps only what was fsynced and, under
// async, restarts the node recovering, as a new boot id makes the broker do), a wiped data
// dir, raft::Node's early campaign when the stream from its leader ends, and retention: every
// compaction_interval_ms each node snapshots its state machine and drops old durable entries
// (never past what it applied), so lagging or wiped followers catch up by snapshot. A
// kSnapshot travels with its snapshot; the driver reports each transfer to the leader's Core
// (delivered, or lost: dropped, cut off, or to a node that is down), installs a received one
// as raft::Node must (reset the log, then restore the state machine) and, when a crash fell
// between the two, finishes the restore at restart from the received snapshot it kept.
//
// Membership: `spare_nodes` more nodes run outside the bootstrap configuration until a change
// adds them; they start joining (CoreOptions::voters empty) and learn their group from entry 1
// (the bootstrap) or a snapshot. The driver records each node's configuration as raft::Node
// does (Core::applied_conf_record() when a Ready carries conf_state, an installed snapshot's)
// and hands it back at restart; a wiped bootstrap voter starts again from the bootstrap, a
// wiped spare joins again.
//
// Time: every node ticks every tick_interval_ms (+/- a per-node drift), starting at a random
// phase; messages arrive when the network says. Everything derives from one seed.
//
// Threading: single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "raft/core.h"
#include "raft/core_options.h"
#include "raft/prng.h"
#include "raft/sim/sim_checker.h"
#include "raft/sim/sim_disk.h"
#include "raft/sim/sim_network.h"

namespace raftmq::raft::sim {

struct SimModel {
  bool async_flush = false;
  uint64_t flush_interval_ms = 500;  // async: the CommitLog's flush_interval_ms
  bool early_campaign = false;       // raft::NodeOptions::campaign_on_leader_disconnect
  uint64_t compaction_interval_ms = 0;  // 0: never compact (no snapshots are sent)
  // Nodes started empty outside the bootstrap configuration (ids after the voters'), for
  // membership changes to add.
  size_t spare_nodes = 0;
};

enum class CrashKind : uint8_t {
  kProcess,    // kill -9: the page cache survives, the node comes back as it was
  kPowerLoss,  // only fsynced data survives; under async the node restarts recovering
};

class SimCluster {
 public:
  // `base` gives every option but id, voters and random_seed.
  SimCluster(uint64_t seed, size_t node_count, const CoreOptions& base, uint64_t tick_interval_ms,
             const SimModel& model = {});

  // Processes every tick and delivery due up to `time_ms`, in time order; stops early on a
  // checker violation.
  void RunUntil(uint64_t time_ms);
  uint64_t now_ms() const { return now_ms_; }

  const std::vector<NodeId>& ids() const { return ids_; }
  const SimModel& model() const { return model_; }
  bool IsUp(NodeId node) const { return Get(node).core != nullptr; }
  // When `mid_ready`, the node dies while persisting its next Ready instead (entries written
  // but not synced, nothing sent; a power loss). A power loss that would leave a majority of
  // the group recovering at once is taken as a process crash instead: the simulator checks
  // the guarantee that holds while a majority keeps its data.
  void Crash(NodeId node, CrashKind kind, bool mid_ready = false);
  void CancelMidReadyCrash(NodeId node) { Get(node).crash_mid_ready = false; }
  // The node's data dir is wiped (it must be down); refused like a power loss above.
  void Wipe(NodeId node);
  void Restart(NodeId node);
  Result<Index> Propose(NodeId node, std::string payload);
  Status TransferLeadership(NodeId node, NodeId target);
  Result<Index> ProposeConfChange(NodeId node, const ConfChange& change);
  // True when a majority of `voters` keep their data (none lost, or caught up since), if
  // `losing` (kNoNode: none) loses its own.
  bool KeepsMajority(const std::vector<NodeId>& voters, NodeId losing = kNoNode) const;
  // The configuration in force on a live node; nothing when it is down.
  std::optional<ConfState> ConfigurationOf(NodeId node) const;
  // The live leader of the highest term, or kNoNode.
  NodeId Leader() const;
  Index Applied(NodeId node) const { return Get(node).applied; }
  Term TermOf(NodeId node) const;
  // Lost data (power loss under async, wipe) or never joined, and has not caught up yet (down
  // or recovering).
  bool NeedsRecovery(NodeId node) const { return Get(node).needs_recovery; }
  // One line per node (role, term, leader, log, recovery, voters; the leader's view of each
  // peer), for a failure report.
  std::string Describe() const;

  SimNetwork& network() { return network_; }
  const SimChecker& checker() const { return checker_; }
  Prng& prng() { return prng_; }
  // When the last node became leader (virtual ms) and in which term.
  uint64_t last_leader_elected_ms() const { return last_leader_elected_ms_; }
  // What a run exercised, so tests can assert that faults really happened.
  struct Stats {
    uint64_t readys = 0;
    uint64_t leaders_elected = 0;
    uint64_t truncations = 0;  // a follower overwrote a divergent tail on disk
    uint64_t crashes = 0;
    uint64_t crashes_mid_ready = 0;
    uint64_t power_losses_recovering = 0;  // power losses under async and wipes that took data
    uint64_t early_campaigns = 0;
    uint64_t compactions = 0;
    uint64_t snapshots_sent = 0;
    uint64_t snapshots_installed = 0;
    uint64_t snapshot_transfers_failed = 0;
    // Membership changes the leader accepted, by type; removals of the leader itself apart.
    uint64_t learners_added = 0;
    uint64_t promotions = 0;
    uint64_t removals = 0;
    uint64_t leader_removals = 0;
    // A joining node learned its group (from entry 1 or a snapshot).
    uint64_t joins = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Node {
    NodeId id = kNoNode;
    SimLogStore log;
    SimHardStateStore hard_state;
    Index applied;  // durable, like a state machine that records what it applied
    uint64_t applied_chain = 0;  // the state: the digest of what it applied (sim_snapshot.h)
    // The configuration records saved (Core::applied_conf_record() for a Ready's conf_state, an
    // installed snapshot's), each at the index of the change that made it, durable with the
    // applied index; the last is the one as of `applied` (none yet: the bootstrap voters, or
    // nothing for a joiner). A power loss that takes applied entries back takes the records of
    // changes above them too.
    std::vector<std::pair<Index, storage::ConfState>> confs;
    std::optional<storage::ConfState> AppliedConf() const {
      if (confs.empty()) return std::nullopt;
      return confs.back().second;
    }
    SimSnapshotStore snapshots;  // durable; its Core's SnapshotReader
    // Received with a kSnapshot; kept until restored (also across a crash in between).
    std::optional<SimSnapshot> received;
    uint64_t compacted_ms = 0;
    std::unique_ptr<Core> core;
    uint64_t next_tick_ms = 0;
    uint64_t tick_interval_ms = 0;
    uint64_t synced_ms = 0;  // async: the last periodic fsync
    bool crash_mid_ready = false;
    Index reported_commit;  // the commit of the last Ready that carried a hard state
    // The voters of the configuration last in force on it (kept while down: its log holds it).
    std::vector<NodeId> voters_in_force;
    bool configured = false;  // had a configuration when last seen up (a joiner: learned it)
    bool needs_recovery = false;
    // Wiped (or never joined) and not caught up since: it forgot its term and vote, also across
    // restarts (what the broker keeps with its boot id).
    bool forgot_term = false;
    uint32_t restarts = 0;
    // Early campaign (raft::Node's node_failover.cc).
    uint32_t ticks_since_leader = 0;
    NodeId suspected_leader = kNoNode;
    uint64_t campaign_at_ms = 0;
  };

  Node& Get(NodeId node);
  const Node& Get(NodeId node) const;
  bool IsBootstrapVoter(NodeId node) const;
  // True when taking `node`'s data would leave fewer than a majority keeping theirs, in any
  // configuration a node holds (last in force, or applied) or the bootstrap.
  bool WouldLoseMajority(NodeId node) const;
  // Learners never counted: a leader's new commit is held by a majority of its voters.
  void CheckLeaderCommit(const Node& leader, Index commit);
  void Drain(Node& node);
  // False when the node crashed while persisting.
  bool HandleReady(Node& node, Ready& ready);
  void Persist(Node& node, const Ready& ready);
  void Apply(Node& node, const std::vector<storage::LogEntry>& entries,
             const std::optional<storage::ConfState>& conf_state);
  void SendAll(const Node& node, std::vector<Message>& messages);
  // Installing a received snapshot: the log's reset, then the state machine's restore.
  void ResetLogToSnapshot(Node& node, const storage::SnapshotMeta& snapshot);
  void RestoreStateMachine(Node& node);
  void ReportSnapshot(NodeId leader, NodeId to, bool delivered);
  void Deliver(SimNetwork::Delivery delivery);
  // Retention: a snapshot at the applied index, then old durable entries dropped.
  void Compact(Node& node);
  void Step(Node& node, const Message& message);
  void Tick(Node& node);
  // sim_early_campaign.cc: the peers of a dead node whose stream from it ended.
  void StreamsEnded(NodeId dead);
  void MaybeCampaignEarly(Node& node);
  uint64_t NextCampaignMs() const;

  Prng prng_;
  CoreOptions base_;
  std::vector<NodeId> bootstrap_voters_;  // base_.voters: sorted
  SimModel model_;
  SimNetwork network_;
  SimChecker checker_;
  std::vector<NodeId> ids_;
  std::vector<std::unique_ptr<Node>> nodes_;
  uint64_t now_ms_ = 0;
  uint64_t last_leader_elected_ms_ = 0;
  Stats stats_;
};

}  // namespace raftmq::raft::sim
