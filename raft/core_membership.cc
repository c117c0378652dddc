// Core: membership (see core.h, "Membership"; etcd's raft.go applyConfChange and
// tracker/progress.go IsLearner; the Raft dissertation ch. 4). Changes move one node at a
// time, take effect when appended, and the leader's Progress follows the configuration.
#include <algorithm>
#include <string>

#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {
namespace {

// Membership entries are few and small; the tail above applied is read in batches of this.
constexpr uint64_t kConfigReadBytesMax = 4ull << 20;

}  // namespace

Result<ConfigLog> Core::ReadConfigLog(const CoreOptions& options, const storage::LogReader& log, Index applied,
                                      const std::optional<storage::ConfRecord>& applied_conf) {
  storage::ConfRecord base;
  if (applied_conf) {
    base = *applied_conf;
  } else {
    base.conf.voters = options.voters;
    std::sort(base.conf.voters.begin(), base.conf.voters.end());
  }
  // A joining node without a record starts without voters (see core.h, "Joining"); a record
  // always has them, as the bootstrap voters do.
  if (applied_conf || !options.joining()) RMQ_RETURN_IF_ERROR(CheckConfState(base.conf));
  RMQ_ASSERT(!base.conf.voters.empty() || base.index == Index(0));
  // A record below the applied index: the membership entries between it and the applied
  // index fold in too. Those retention deleted hold no change after the record (the driver
  // saves a record before applying, so before deleting, the entries that changed it).
  const Index start = std::min(base.index, applied);
  ConfigLog config(std::move(base), start);
  // Bounded by the log's length: every batch holds at least one entry.
  for (Index from = std::max(start + 1, log.FirstIndex()); from <= log.LastIndex();) {
    Result<std::vector<LogEntry>> entries = log.Entries(from, log.LastIndex() + 1, kConfigReadBytesMax);
    if (!entries.ok()) return entries.status().WithContext("reading membership entries after the applied index");
    RMQ_ASSERT(!entries->empty() && entries->front().index == from);
    for (const LogEntry& entry : *entries) config.Append(entry);
    from = entries->back().index + 1;
  }
  config.AppliedTo(applied);
  RMQ_ASSERT(config.applied_index() == applied);
  return config;
}

void Core::NoteAppended(const std::vector<LogEntry>& entries) {
  bool changed = false;
  for (const LogEntry& entry : entries) changed = config_.Append(entry) || changed;
  if (changed && role_ == Role::kLeader) TrackMembers(/*new_term=*/false);
}

// The leader's Progress: one per member and one for itself, whatever the configuration says of
// it (a leader replicating its own removal keeps counting its log, not its vote). A removed
// node keeps its Progress, uncounted, until its removal commits (ForgetRemoved), so it appends
// the entry that removes it and stops campaigning.
void Core::TrackMembers(bool new_term) {
  RMQ_ASSERT(role_ == Role::kLeader);
  const ConfState& config = config_.current();
  const Index next = log_.LastIndex() + 1;
  auto track = [&](NodeId member) {
    auto [it, inserted] = progress_.try_emplace(member, next, options_.inflight_appends_max, options_.inflight_bytes_max);
    if (inserted) it->second.set_recent_active(new_term);
  };
  track(options_.id);
  for (NodeId voter : config.voters) track(voter);
  for (NodeId learner : config.learners) track(learner);
  if (transfer_target_ != kNoNode && !IsVoter(transfer_target_)) AbortTransfer();
  RMQ_ASSERT(progress_.size() >= config.voters.size() + config.learners.size());
}

void Core::ForgetRemoved() {
  RMQ_ASSERT(role_ == Role::kLeader);
  if (config_.last_change_index() > log_.committed()) return;
  const ConfState& config = config_.current();
  std::erase_if(progress_, [&](const auto& item) { return item.first != options_.id && !IsMemberOf(config, item.first); });
  RMQ_ASSERT(progress_.contains(options_.id));
}

// The first entry of a new group's log: a bootstrap, so a node that joins later and replays
// the log from index 1 learns the group from it (see core.h, "Joining").
void Core::AppendFirstEntryOfTerm() {
  RMQ_ASSERT(role_ == Role::kLeader);
  if (log_.LastIndex() == Index(0)) {
    RMQ_ASSERT(!config_.current().voters.empty());
    AppendAsLeader(kMembershipEntry, EncodeConfChange(BootstrapChange(config_.current().voters, options_.addresses)));
    RMQ_ASSERT(config_.last_change_index() == Index(1));
  } else {
    AppendAsLeader(kNoopEntry, std::string());
  }
  term_start_index_ = log_.LastIndex();
}

// A node added now replays the log from the leader's first index; from index 1 it learns the
// group only if entry 1 is a bootstrap. A log that begins later sends it a snapshot, which
// carries the configuration.
Status Core::CheckNewNodeCanLearnConfiguration() const {
  if (log_.FirstIndex() > Index(1)) return Status::Ok();
  RMQ_ASSERT(log_.LastIndex() >= Index(1));  // a leader holds at least its first entry
  Result<std::vector<LogEntry>> first = log_.Entries(Index(1), Index(2), 1);
  if (!first.ok()) {
    // Retention (its own thread) may have deleted it meanwhile: then a snapshot serves.
    if (log_.FirstIndex() > Index(1)) return Status::Ok();
    return Status::Unavailable("reading entry 1: " + first.status().ToString());
  }
  RMQ_ASSERT(!first->empty() && first->front().index == Index(1));
  const LogEntry& entry = first->front();
  Result<ConfChange> change = DecodeConfChange(entry.payload);
  if (entry.kind == kMembershipEntry && change.ok() && change->type == ConfChangeType::kBootstrap) return Status::Ok();
  return Status::NotSupported(
      "this group's log begins without its configuration (it was created before bootstrap entries), so a new node "
      "replaying it from index 1 could not learn the group; adding a node becomes possible once retention has "
      "deleted index 1 (snapshots carry the configuration)");
}

Result<Index> Core::ProposeConfChange(const ConfChange& change) {
  RMQ_ASSERT(!ready_outstanding_);
  if (change.type == ConfChangeType::kBootstrap) {
    return Status::InvalidArgument("a bootstrap is written only by a new group's first leader");
  }
  if (change.node == kNoNode) return Status::InvalidArgument("membership change of node 0");
  if (role_ != Role::kLeader) return Status::Unavailable("not the leader; leader=" + std::to_string(leader_));
  if (transfer_target_ != kNoNode) {
    return Status::Unavailable("leadership transfer to " + std::to_string(transfer_target_) + " in progress");
  }
  // A leader that has not committed an entry of its term may not know the latest configuration
  // committed (the single-server change fix, raft-dev 2015).
  if (log_.committed() < term_start_index_) {
    return Status::Unavailable("this leader's first entry (index " + std::to_string(term_start_index_.value()) +
                               ") is not committed yet");
  }
  if (config_.last_change_index() > log_.committed()) {
    return Status::Unavailable("the membership change at index " + std::to_string(config_.last_change_index().value()) +
                               " is not committed yet: one change at a time");
  }
  Result<ConfState> next = ApplyConfChange(config_.current(), change);
  if (!next.ok()) return next.status();
  if (change.type == ConfChangeType::kAddLearner) RMQ_RETURN_IF_ERROR(CheckNewNodeCanLearnConfiguration());
  if (change.type == ConfChangeType::kPromote) {
    const Progress& progress = progress_.at(change.node);
    const std::string node = "learner " + std::to_string(change.node);
    const uint64_t lag = log_.LastIndex() - progress.match();
    if (lag > options_.learner_promote_lag_entries_max) {
      return Status::Aborted(node + " lags by " + std::to_string(lag) + " entries (learner_promote_lag_entries_max " +
                             std::to_string(options_.learner_promote_lag_entries_max) + ")");
    }
    if (progress.recovering()) return Status::Aborted(node + " is recovering");
    if (!progress.recent_active()) return Status::Aborted(node + " was not heard from lately");
    // Its match is known only once it accepted an append of this leader.
    if (progress.state() != Progress::State::kReplicate) {
      return Status::Aborted(node + " has not accepted this leader's appends yet");
    }
  }
  if (change.type == ConfChangeType::kRemove && IsVoter(change.node)) {
    // etcd's strict reconfiguration check: the voters left must still hold a majority that
    // can vote (heard from lately, not recovering), or the group stalls until others return.
    size_t able = 0;
    for (NodeId voter : next->voters) {
      const Progress& progress = progress_.at(voter);
      able += voter == options_.id || (progress.recent_active() && !progress.recovering()) ? 1 : 0;
    }
    const size_t quorum = next->voters.size() / 2 + 1;
    if (able < quorum) {
      return Status::Aborted("removing node " + std::to_string(change.node) + " leaves " + std::to_string(able) +
                             " of " + std::to_string(next->voters.size()) +
                             " voters heard from lately and not recovering, fewer than a majority");
    }
  }
  AppendAsLeader(kMembershipEntry, EncodeConfChange(change));
  RMQ_ASSERT(config_.current() == *next);
  RMQ_ASSERT(config_.last_change_index() == log_.LastIndex());
  return log_.LastIndex();
}

void Core::MaybeStepDownRemoved() {
  RMQ_ASSERT(role_ == Role::kLeader);
  if (IsVoter(options_.id) || config_.last_change_index() > log_.committed()) return;
  // Its own removal committed: what it could still send would only disturb the new voters.
  BecomeFollower(term_, kNoNode);
  RMQ_ASSERT(progress_.empty());
}

}  // namespace raftmq::raft
