// CoreHarness: a few raft::Cores wired by hand for unit tests. Messages wait in an outbox
// until the test delivers them (all, or only some), so each test steers one rule exactly.
// The driver part follows raft::Node's contract: persist, send, apply, Advance.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raft/core.h"
#include "raft/sim/sim_disk.h"
#include "raft/sim/sim_snapshot.h"

namespace raftmq::raft::test {

class CoreHarness {
 public:
  struct Node {
    sim::SimLogStore log;
    sim::SimHardStateStore hard_state;
    std::unique_ptr<Core> core;
    std::vector<storage::LogEntry> applied;  // since the last restore
    Index restored_at;                       // the last snapshot installed; 0: none
    sim::SimSnapshotStore snapshots;         // its Core's SnapshotReader
    std::vector<Ready> readys;  // every Ready taken, for tests that inspect them
    // The configuration as of the applied index, as a driver persists it (Ready::conf_state);
    // nothing until one was handed out (the bootstrap then).
    std::optional<storage::ConfState> conf_state;

    Index AppliedIndex() const { return applied.empty() ? restored_at : applied.back().index; }
  };

  // Nodes 1..node_count; the first `voter_count` (all when 0) form the bootstrap configuration,
  // the rest start outside it, joining (CoreOptions::voters empty), as nodes to be added later.
  explicit CoreHarness(size_t node_count, CoreOptions base = {}, size_t voter_count = 0);

  Core& core(NodeId id) { return *node(id).core; }
  Node& node(NodeId id) { return *nodes_.at(id - 1); }
  // Creates node `id`'s Core afresh from its disk (a restart). `power_lost`: the driver tells
  // the core it may have lost acknowledged entries (a new boot id under async flush).
  void Restart(NodeId id, bool power_lost = false);
  // Cuts node `id`'s log (and what its state machine applied) back to `keep`: what a torn
  // tail cut or a power loss leaves. Call between a stop and Restart.
  void CutLog(NodeId id, Index keep);
  // Restarts every node as a member of a group that already ran (hard state at `term`, no
  // vote), so none starts recovering as a wiped node does (raft/core.h, "Recovering").
  void StartEstablished(Term term);
  // Retention on node `id`: a snapshot at its applied index, then its log compacted to start
  // at `first` (<= the applied index).
  void Compact(NodeId id, Index first);

  // Drains every node's Readys into the outbox.
  void Process();
  // Delivers the outbox (and what the deliveries cause) until nothing moves; messages to or
  // from an isolated node are dropped.
  void Stabilize();
  // Takes the outbox (after Process), leaving it empty.
  std::vector<Message> TakeOutbox();
  void Deliver(const Message& message);
  void Tick(NodeId id, uint32_t ticks);
  // Campaign on `id` and stabilize; asserts it won.
  void Elect(NodeId id);
  // Proposes an application entry on `leader` and stabilizes; its index (0 when refused,
  // which fails the test).
  Index Propose(NodeId leader, const std::string& payload);

  // True when the message is to or from an isolated node (Deliver drops it).
  bool Dropped(const Message& message) const;
  void Isolate(NodeId id) { isolated_.insert(id); }
  void Heal() { isolated_.clear(); }

  // When set, every Ready handled is described here (the scenario transcripts).
  void set_trace(std::string* trace) { trace_ = trace; }

 private:

  CoreOptions base_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Message> outbox_;
  std::set<NodeId> isolated_;
  std::string* trace_ = nullptr;
};

// One line per fact of a Ready, for transcripts: "n1 Ready: ...".
std::string DescribeReady(NodeId node, const Ready& ready);
std::string DescribeMessage(const Message& message);

// Options for tests: small, fixed timeouts so tick counts are easy to read.
CoreOptions TestOptions();
// TestOptions without check-quorum: there is no lease, so a second election can be forced at once.
CoreOptions NoLeaseOptions();

}  // namespace raftmq::raft::test
