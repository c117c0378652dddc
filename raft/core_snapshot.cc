// Core: snapshots (see core.h, "Snapshots"; etcd's sendSnap / handleSnapshot / restore). The
// leader names a snapshot to a follower whose next entries are compacted away; the follower
// installs it through its driver (Ready::snapshot) unless its log already covers it.
#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {

bool Core::SendSnapshot(NodeId to) {
  RMQ_ASSERT(role_ == Role::kLeader);
  Progress& progress = progress_.at(to);
  RMQ_ASSERT(!progress.IsPaused());
  // A follower not heard from lately may be down: a snapshot is costly, probe it first.
  if (!progress.recent_active()) return false;
  std::optional<storage::SnapshotMeta> latest;
  if (snapshots_ != nullptr) {
    Result<std::optional<storage::SnapshotMeta>> read = snapshots_->Latest();
    if (read.ok()) latest = *read;
  }
  // Useful only if the log goes on right after it; never beyond what this node committed (a
  // snapshot is of applied state, so one above it is the reader's mistake); never without its
  // configuration (the follower would not know its group).
  if (!latest || latest->index + 1 < log_.FirstIndex() || latest->index > log_.committed() ||
      latest->index <= progress.match() || !CheckConfState(latest->conf_state).ok()) {
    ++snapshots_unavailable_;
    return false;
  }
  progress.BecomeSnapshot(latest->index);
  Send(Message{.type = MessageType::kSnapshot, .to = to, .log_index = latest->index, .log_term = latest->term,
               .commit = log_.committed(), .recovery_target = progress.recovery_target(),
               .conf_state = latest->conf_state});
  progress.set_sent_commit(log_.committed());
  RMQ_ASSERT(progress.IsPaused());
  return true;
}

void Core::ReportSnapshot(NodeId to, bool delivered) {
  RMQ_ASSERT(!ready_outstanding_);
  if (role_ != Role::kLeader) return;
  auto it = progress_.find(to);
  if (it == progress_.end() || it->second.state() != Progress::State::kSnapshot) return;
  it->second.SnapshotReported(delivered);
  RMQ_ASSERT(it->second.state() == Progress::State::kProbe);
}

void Core::HandleSnapshot(const Message& message) {
  RMQ_ASSERT(role_ == Role::kFollower);
  const storage::SnapshotMeta snapshot{.index = message.log_index, .term = message.log_term,
                                       .conf_state = message.conf_state};
  if (snapshot.index <= log_.committed() || log_.MatchTerm(snapshot.index, snapshot.term)) {
    // Stale, or the log already holds it: the snapshot is committed state, so what matches it
    // is committed too. Answer as to an append; the leader moves on from there.
    log_.CommitTo(snapshot.index);
    MaybeEndRecovery(log_.committed(), message.recovery_target);
    Send(Message{.type = MessageType::kAppendResponse, .to = message.from, .log_index = log_.committed(),
                 .commit = log_.committed()});
    return;
  }
  // From the network: a snapshot without a configuration is not installed (the codec refuses
  // one too); the leader's transfer report moves it on.
  if (!CheckConfState(snapshot.conf_state).ok()) return;
  log_.Restore(snapshot);
  config_.Restore(snapshot.conf_state, snapshot.index);
  RMQ_ASSERT(log_.committed() == snapshot.index);
  MaybeEndRecovery(snapshot.index, message.recovery_target);
  // Leaves after the Ready that installs it (messages_after_persist).
  Send(Message{.type = MessageType::kAppendResponse, .to = message.from, .log_index = snapshot.index,
               .commit = log_.committed()});
}

}  // namespace raftmq::raft
