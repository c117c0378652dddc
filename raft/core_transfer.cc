// Core: leadership transfer (etcd's MsgTransferLeader / MsgTimeoutNow) and the preferred
// leader. While a transfer runs the leader refuses proposals, so the target can catch up.
#include <string>

#include "common/assert.h"
#include "raft/core.h"

namespace raftmq::raft {

Status Core::TransferLeadership(NodeId target) {
  RMQ_ASSERT(!ready_outstanding_);
  if (!IsVoter(target) || target == options_.id) {
    return Status::InvalidArgument("cannot transfer leadership to " + std::to_string(target));
  }
  if (role_ != Role::kLeader) return Status::Unavailable("not the leader; leader=" + std::to_string(leader_));
  if (transfer_target_ == target) return Status::Ok();
  if (transfer_target_ != kNoNode) {
    return Status::Unavailable("leadership transfer to " + std::to_string(transfer_target_) + " in progress");
  }
  const Progress& progress = progress_.at(target);
  const uint64_t lag = log_.LastIndex() - progress.match();
  if (lag > options_.transfer_lag_entries_max) {
    return Status::Aborted("node " + std::to_string(target) + " lags by " + std::to_string(lag) +
                           " entries (transfer_lag_entries_max " + std::to_string(options_.transfer_lag_entries_max) +
                           ")");
  }
  transfer_target_ = target;
  // The transfer must finish within one election timeout, counted from now.
  election_elapsed_ = 0;
  MaybeSendTimeoutNow(target);
  SendAppend(target, EmptyAppend::kNever);
  RMQ_ASSERT(transfer_target_ == target);
  return Status::Ok();
}

void Core::MaybeSendTimeoutNow(NodeId to) {
  RMQ_ASSERT(role_ == Role::kLeader);
  RMQ_ASSERT(to == transfer_target_);
  if (progress_.at(to).match() == log_.LastIndex()) Send(Message{.type = MessageType::kTimeoutNow, .to = to});
}

void Core::AbortTransfer() {
  RMQ_ASSERT(role_ == Role::kLeader);
  RMQ_ASSERT(transfer_target_ != kNoNode);
  transfer_target_ = kNoNode;
}

// Checked once per election timeout, so a preferred node that cannot win leaves the leader
// a full timeout of normal service between attempts.
void Core::MaybeTransferToPreferred() {
  RMQ_ASSERT(role_ == Role::kLeader);
  const NodeId preferred = options_.preferred_leader;
  // A preferred node outside the voters (not added yet, a learner, removed) is not asked.
  if (preferred == kNoNode || preferred == options_.id || transfer_target_ != kNoNode || !IsVoter(preferred)) return;
  const Progress& progress = progress_.at(preferred);
  if (!progress.recent_active() || progress.match() != log_.LastIndex()) return;
  Status status = TransferLeadership(preferred);
  RMQ_ASSERT(status.ok());
}

}  // namespace raftmq::raft
