// SimCluster: N raft::Cores on a virtual clock, each with a simulated disk (sim_disk.h) and a
// durable state machine (it remembers the last index it applied), joined by SimNetwork. It
// plays the driver's part exactly as raft::Node must (persist -> send -> apply -> Advance),
// can crash a node in the middle of persisting a Ready, and runs the checker after every step.
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

class SimCluster {
 public:
  // `base` gives every option but id, voters and random_seed.
  SimCluster(uint64_t seed, size_t node_count, const CoreOptions& base, uint64_t tick_interval_ms);

  // Processes every tick and delivery due up to `time_ms`, in time order; stops early on a
  // checker violation.
  void RunUntil(uint64_t time_ms);
  uint64_t now_ms() const { return now_ms_; }

  const std::vector<NodeId>& ids() const { return ids_; }
  bool IsUp(NodeId node) const { return Get(node).core != nullptr; }
  // Power loss now. When `mid_ready`, the node dies while persisting its next Ready instead
  // (entries written but not synced, nothing sent).
  void Crash(NodeId node, bool mid_ready);
  void Restart(NodeId node);
  Result<Index> Propose(NodeId node, std::string payload);
  Status TransferLeadership(NodeId node, NodeId target);
  // The live leader of the highest term, or kNoNode.
  NodeId Leader() const;
  Index Applied(NodeId node) const { return Get(node).applied; }
  Term TermOf(NodeId node) const;

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
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Node {
    NodeId id = kNoNode;
    SimLogStore log;
    SimHardStateStore hard_state;
    Index applied;  // durable, like a state machine that records what it applied
    std::unique_ptr<Core> core;
    uint64_t next_tick_ms = 0;
    uint64_t tick_interval_ms = 0;
    bool crash_mid_ready = false;
    uint32_t restarts = 0;
  };

  Node& Get(NodeId node);
  const Node& Get(NodeId node) const;
  void Drain(Node& node);
  // False when the node crashed while persisting.
  bool HandleReady(Node& node, Ready& ready);
  void Persist(Node& node, const Ready& ready);
  void Apply(Node& node, const std::vector<storage::LogEntry>& entries);
  void SendAll(std::vector<Message>& messages);

  Prng prng_;
  CoreOptions base_;
  SimNetwork network_;
  SimChecker checker_;
  std::vector<NodeId> ids_;
  std::vector<std::unique_ptr<Node>> nodes_;
  uint64_t now_ms_ = 0;
  uint64_t last_leader_elected_ms_ = 0;
  Stats stats_;
};

}  // namespace raftmq::raft::sim
