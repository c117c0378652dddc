#include "raft/sim/sim_checker.h"

#include <algorithm>
#include <string>

#include "common/assert.h"

namespace raftmq::raft::sim {

namespace {
std::string Node(NodeId node) { return "node " + std::to_string(node); }
std::string At(Index index) { return "index " + std::to_string(index.value()); }
}  // namespace

void SimChecker::Fail(std::string violation) {
  if (violation_.empty()) violation_ = std::move(violation);
}

void SimChecker::OnLeader(NodeId node, Term term, const SimLogStore& log) {
  auto [it, inserted] = leader_of_term_.try_emplace(term.value(), node);
  if (!inserted && it->second != node) {
    Fail("two leaders in term " + std::to_string(term.value()) + ": " + Node(it->second) + " and " + Node(node));
  }
  const auto later = std::lower_bound(committed_in_term_.begin(), committed_in_term_.end(), term);
  CheckCommittedPrefix(node, log, Index(static_cast<uint64_t>(later - committed_in_term_.begin())),
                       "new leader lacks a committed entry");
}

void SimChecker::OnCampaign(NodeId node, Role role, const storage::ConfState& configuration) {
  if (configuration.voters.empty()) {
    Fail(Node(node) + " became " + std::string(RoleName(role)) + " without a configuration (a joining node must wait "
         "for its group)");
  }
}

void SimChecker::OnAppended(NodeId node, const SimLogStore& log, Index from) {
  for (Index index = from; index <= log.LastIndex(); ++index) {
    const storage::LogEntry& entry = log.At(index);
    const uint64_t key = index.value() * 0x9E3779B97F4A7C15ull ^ entry.term.value();
    std::vector<Seen>& bucket = seen_[key];
    bool found = false;
    for (const Seen& seen : bucket) {
      if (seen.index != index || seen.term != entry.term) continue;
      found = true;
      if (seen.chain != log.ChainHashAt(index)) {
        Fail("log matching broken: " + Node(node) + " " + At(index) + " term " + std::to_string(entry.term.value()) +
             " has a different prefix than another log with the same entry");
      }
    }
    if (!found) bucket.push_back(Seen{index, entry.term, log.ChainHashAt(index)});
  }
}

void SimChecker::CheckCommittedPrefix(NodeId node, const SimLogStore& log, Index commit, const char* when) {
  if (commit == Index(0)) return;
  if (commit > log.LastIndex()) {
    Fail(std::string(when) + ": " + Node(node) + " holds up to " + At(log.LastIndex()) + " but commit is " +
         At(commit));
    return;
  }
  const Index known = Index(committed_chain_.size());
  const Index checked = commit < known ? commit : known;
  if (checked + 1 < log.FirstIndex()) return;  // compacted after it was checked
  if (checked > Index(0) && log.ChainHashAt(checked) != committed_chain_[checked.value() - 1]) {
    Fail(std::string(when) + ": " + Node(node) + " disagrees with the committed log at " + At(checked));
  }
}

void SimChecker::OnLeaderCommit(NodeId leader, Index commit, size_t voters_holding, size_t voters) {
  if (voters_holding < voters / 2 + 1) {
    Fail(Node(leader) + " committed " + At(commit) + " held by only " + std::to_string(voters_holding) + " of its " +
         std::to_string(voters) + " voters (a learner or a non-voter counted?)");
  }
}

void SimChecker::OnCommit(NodeId node, const SimLogStore& log, Index commit, Term term) {
  CheckCommittedPrefix(node, log, commit, "committed entry changed");
  for (Index index = Index(committed_chain_.size()) + 1; index <= commit && ok(); ++index) {
    committed_chain_.push_back(log.ChainHashAt(index));
    committed_entry_.push_back(HashEntry(0, log.At(index)));
    committed_term_.push_back(log.At(index).term);
    committed_in_term_.push_back(committed_in_term_.empty() ? term : std::max(committed_in_term_.back(), term));
  }
}

void SimChecker::CheckSnapshotState(NodeId node, const SimSnapshot& snapshot, const char* when) {
  const Index index = snapshot.meta.index;
  if (index > Index(committed_chain_.size())) {
    Fail(std::string(when) + ": " + Node(node) + " snapshot at " + At(index) + " beyond what was committed");
    return;
  }
  if (index == Index(0)) return;
  if (snapshot.applied_chain != committed_chain_[index.value() - 1] ||
      snapshot.meta.term != committed_term_[index.value() - 1]) {
    Fail(std::string(when) + ": " + Node(node) + " snapshot at " + At(index) + " differs from the committed history");
  }
}

void SimChecker::OnSnapshotTaken(NodeId node, const SimSnapshot& snapshot, Index commit) {
  if (snapshot.meta.index > commit) {
    Fail(Node(node) + " took a snapshot at " + At(snapshot.meta.index) + " above its commit " + At(commit));
  }
  CheckSnapshotState(node, snapshot, "snapshot taken");
}

void SimChecker::OnSnapshotSent(NodeId node, Index snapshot_index, Index commit) {
  if (snapshot_index > commit) {
    Fail(Node(node) + " sent a snapshot at " + At(snapshot_index) + " above its commit " + At(commit));
  }
}

void SimChecker::OnRestore(NodeId node, const SimSnapshot& snapshot) {
  CheckSnapshotState(node, snapshot, "snapshot installed");
}

void SimChecker::OnApply(NodeId node, Index applied_before, const storage::LogEntry& entry) {
  if (entry.index != applied_before + 1) {
    Fail(Node(node) + " applied " + At(entry.index) + " after " + At(applied_before));
    return;
  }
  if (entry.index > Index(committed_entry_.size())) {
    Fail(Node(node) + " applied " + At(entry.index) + " before anyone committed it");
    return;
  }
  if (HashEntry(0, entry) != committed_entry_[entry.index.value() - 1]) {
    Fail(Node(node) + " applied a different entry at " + At(entry.index));
  }
}

void SimChecker::OnRestart(NodeId node, const SimLogStore& log, Index commit) {
  CheckCommittedPrefix(node, log, commit, "restart lost or changed a committed entry");
}

}  // namespace raftmq::raft::sim
