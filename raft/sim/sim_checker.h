// SimChecker: the simulator's invariants beyond the core's asserts, checked after every
// step. The first violation is kept (with the virtual time) and stops the run.
//   - election safety: at most one leader per term, across configurations (a node elected
//     under an old configuration and one under a new one share the term counter);
//   - joining: a node without a configuration (a joiner that has not learned its group)
//     never becomes a (pre-)candidate or leader;
//   - log matching: two logs holding an entry with the same index and term hold the same
//     prefix up to it (compared by chain hash, O(1) per appended entry);
//   - committed entries never change: every node's log at its commit index has the same
//     chain hash as every other's, also after a crash and restart;
//   - leader completeness: a new leader's log holds every entry committed in an earlier term;
//   - state machine safety: every node applies the committed sequence, each index once;
//   - learners never counted: when a leader's commit moves, a majority of the voters of its
//     configuration hold the entry (checked under sync flush, where an acknowledgement is
//     durable; a node that lost data since, by a wipe, is given the benefit of the doubt);
//   - snapshots: a snapshot is taken and sent at or below the node's commit index, and its
//     state (the digest of what was applied, sim_snapshot.h) and term are those of the one
//     committed history at its index, when taken and when a node installs it (its applied
//     sequence then goes on from there).
// Compacted entries are not compared again (they were checked while held).
//
// Threading: single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/log_ids.h"
#include "raft/ready.h"
#include "storage/conf_state.h"
#include "raft/sim/sim_disk.h"
#include "raft/sim/sim_snapshot.h"

namespace raftmq::raft::sim {

class SimChecker {
 public:
  bool ok() const { return violation_.empty(); }
  const std::string& violation() const { return violation_; }
  uint64_t committed_count() const { return committed_chain_.size(); }

  void OnLeader(NodeId node, Term term, const SimLogStore& log);
  // `node` became `role` (not a follower) with `configuration` in force.
  void OnCampaign(NodeId node, Role role, const storage::ConfState& configuration);
  void OnAppended(NodeId node, const SimLogStore& log, Index from);
  // `term`: the node's current term (that of the leader which committed what is new).
  void OnCommit(NodeId node, const SimLogStore& log, Index commit, Term term);
  // `applied_before` is what the node's state machine had applied before this entry.
  void OnApply(NodeId node, Index applied_before, const storage::LogEntry& entry);
  // A node came back: its durable commit hint must still be held, and agree.
  void OnRestart(NodeId node, const SimLogStore& log, Index commit);
  void OnSnapshotTaken(NodeId node, const SimSnapshot& snapshot, Index commit);
  void OnSnapshotSent(NodeId node, Index snapshot_index, Index commit);
  // The node's state machine now holds `snapshot` (its next apply is snapshot index + 1).
  void OnRestore(NodeId node, const SimSnapshot& snapshot);
  // `leader` moved its commit to `commit`, holding `voters_holding` of its `voters` at that point.
  void OnLeaderCommit(NodeId leader, Index commit, size_t voters_holding, size_t voters);

 private:
  void Fail(std::string violation);
  void CheckCommittedPrefix(NodeId node, const SimLogStore& log, Index commit, const char* when);
  void CheckSnapshotState(NodeId node, const SimSnapshot& snapshot, const char* when);

  std::string violation_;
  std::map<uint64_t, NodeId> leader_of_term_;
  // (index, term) -> chain hash; index and term packed as index * 2^32 + term is not safe for
  // large values, so the key is a hash of both and the pair is checked alongside.
  struct Seen {
    Index index;
    Term term;
    uint64_t chain = 0;
  };
  std::unordered_map<uint64_t, std::vector<Seen>> seen_;
  std::vector<uint64_t> committed_chain_;  // [i] for index i + 1
  std::vector<uint64_t> committed_entry_;  // HashEntry(0, entry) for index i + 1
  std::vector<Term> committed_term_;       // for index i + 1
  // The term of the leader that committed index i + 1 (non-decreasing): leader completeness
  // binds leaders of later terms only (a leader of an older term may still be elected late).
  std::vector<Term> committed_in_term_;
};

}  // namespace raftmq::raft::sim
