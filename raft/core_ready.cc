// Core: the Ready handshake (rawnode.go's HasReady / Ready / Advance).
#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {

storage::HardState Core::CurrentHardState() const {
  return storage::HardState{.term = term_, .voted_for = vote_, .commit = log_.committed()};
}

SoftState Core::CurrentSoftState() const {
  return SoftState{.role = role_, .leader = leader_, .term = term_, .recovering = recovering_};
}

bool Core::HasReady() const {
  if (ready_outstanding_) return false;
  return broadcast_pending_ || HasRoundToStart() || !read_states_.empty() || majority_loss_.has_value() ||
         !messages_.empty() || !messages_after_persist_.empty() || log_.HasUnstable() ||
         log_.HasCommittedToApply() || CurrentSoftState() != reported_soft_ || CurrentHardState() != reported_hard_;
}

Ready Core::TakeReady() {
  RMQ_ASSERT_MSG(!ready_outstanding_, "TakeReady called twice without Advance");
  if (role_ == Role::kLeader) {
    const bool commit_moved = log_.committed() != reported_hard_.commit;
    if (broadcast_pending_ || commit_moved) BroadcastAppends(commit_moved ? EmptyAppend::kIfCommitNews : EmptyAppend::kNever);
    if (HasRoundToStart()) StartReadRound();
    // After the broadcast, so the followers (and the node removed) learn of the removal.
    ForgetRemoved();
    MaybeStepDownRemoved();
  }
  broadcast_pending_ = false;
  Ready ready;
  const SoftState soft = CurrentSoftState();
  if (soft != reported_soft_) ready.soft_state = soft;
  const storage::HardState hard = CurrentHardState();
  if (hard != reported_hard_) ready.hard_state = hard;
  // Committed entries first: some may still be in memory, and TakeUnstable moves them out.
  ready.committed_entries = log_.TakeCommitted(options_.apply_entries_bytes_max);
  if (config_.AppliedTo(log_.applied())) ready.conf_state = config_.applied();
  if (role_ == Role::kLeader) {
    for (const storage::LogEntry& entry : ready.committed_entries) {
      if (entry.term != term_) continue;
      uncommitted_bytes_ -= std::min<uint64_t>(uncommitted_bytes_, entry.payload.size());
    }
  }
  RaftLog::Unstable unstable = log_.TakeUnstable();
  ready.snapshot = unstable.snapshot;
  ready.truncate_after = unstable.truncate_after;
  ready.entries = std::move(unstable.entries);
  ready.must_sync = !ready.entries.empty() || ready.snapshot.has_value() || hard.term != reported_hard_.term ||
                    hard.voted_for != reported_hard_.voted_for;
  ready.read_states = std::move(read_states_);
  read_states_.clear();
  ready.majority_loss = majority_loss_;
  majority_loss_.reset();
  ready.messages = std::move(messages_);
  ready.messages_after_persist = std::move(messages_after_persist_);
  messages_.clear();
  messages_after_persist_.clear();
  reported_soft_ = soft;
  reported_hard_ = hard;
  ready_outstanding_ = true;
  RMQ_ASSERT(!ready.truncate_after || (!ready.entries.empty() && ready.entries.front().index == *ready.truncate_after + 1));
  RMQ_ASSERT(!ready.snapshot || ready.committed_entries.empty() ||
             ready.committed_entries.front().index == ready.snapshot->index + 1);
  return ready;
}

void Core::Advance() {
  RMQ_ASSERT_MSG(ready_outstanding_, "Advance without TakeReady");
  ready_outstanding_ = false;
  persisted_hard_ = reported_hard_;
  if (role_ == Role::kLeader) {
    // Its own entries count toward commit only now that they are durable.
    progress_.at(options_.id).MaybeUpdate(log_.LastIndex());
    MaybeCommit();
  } else if (role_ == Role::kCandidate) {
    CountSelfVote();
  }
}

std::vector<PeerStatus> Core::Peers() const {
  std::vector<PeerStatus> peers;
  for (const auto& [member, progress] : progress_) {
    if (member == options_.id || !IsMemberOf(config_.current(), member)) continue;
    peers.push_back(PeerStatus{.id = member, .match = progress.match(), .next = progress.next(),
                               .replicating = progress.state() == Progress::State::kReplicate,
                               .pending_snapshot = progress.pending_snapshot(),
                               .recent_active = progress.recent_active(),
                               .learner = IsLearnerIn(config_.current(), member)});
  }
  return peers;
}

}  // namespace raftmq::raft
