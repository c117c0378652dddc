// raft::Node, part four: fail-stop or step aside, never a zombie (see node.h).
//
// Why the Core is dropped rather than told: after a failed Persist the Core has handed out
// entries and a hard state that storage does not hold, and after a failed Apply it counts an
// entry as delivered that the state machine never took. Rebuilding it from storage (as a
// restart would, but without losing the process) is the one state that is known to be true,
// and it keeps raft::Core free of any notion of I/O. Without a Core the node cannot lead,
// vote, campaign or acknowledge anything, which is exactly "step aside".
#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/node.h"

namespace raftmq::raft {

bool Node::IsFatal(const Status& status) const {
  // Corruption: a committed entry or the hard state is damaged; retrying cannot fix it.
  // NeedsReopen: after a failed fsync the page cache may have dropped what was written
  // (Postgres' "fsyncgate"); only recovery from the last durable point can say what is there.
  return status.IsCorruption() || log_->NeedsReopen();
}

Status Node::StepAside(const Status& fault) {
  RMQ_ASSERT(!fault.ok());
  RMQ_ASSERT(core_ != nullptr);
  const bool fatal = IsFatal(fault);
  const Clock::time_point now = Clock::now();
  // A fault soon after a rejoin means the cause is still there: back off further.
  const auto max = std::chrono::milliseconds(options_.storage_fault_retry_interval_ms_max);
  rejoin_interval_ms_ = rejoin_interval_ms_ != 0 && now - rejoined_at_ < max
                            ? std::min(rejoin_interval_ms_ * 2, options_.storage_fault_retry_interval_ms_max)
                            : options_.storage_fault_retry_interval_ms_min;
  rejoin_at_ = now + std::chrono::milliseconds(rejoin_interval_ms_);
  if (fatal) {
    spdlog::error("raft node {}: storage cannot be trusted, stopping for good (a restart recovers from the last "
                  "durable point): {}",
                  id_, fault.ToString());
  } else {
    spdlog::warn("raft node {}: storage fault, stepping aside (not leading, not campaigning); retrying in {} ms: {}",
                 id_, rejoin_interval_ms_, fault.ToString());
  }
  {
    std::lock_guard lock(mutex_);
    storage_fault_ = fault;
  }
  const Term term = core_->term();
  core_.reset();
  suspected_leader_ = kNoNode;
  campaign_retries_left_ = 0;
  // Never itself as the hint: clients following it would loop.
  const NodeId hint = soft_state_.leader != id_ ? soft_state_.leader : kNoNode;
  ObserveSoftState(SoftState{.role = Role::kFollower, .leader = hint, .term = term});
  // A follower tracks nothing; a leader's proposals were failed by the lost leadership.
  RMQ_ASSERT(proposals_.tracked() == 0);
  return fatal ? fault : Status::Ok();
}

Status Node::WhileAside(LoopInput* input) {
  RMQ_ASSERT(core_ == nullptr);
  RMQ_ASSERT(!loop_ended_);
  if (Clock::now() >= rejoin_at_) {
    RMQ_RETURN_IF_ERROR(TryRejoin());
    if (core_ != nullptr) return Status::Ok();  // the loop handles the input with the new Core
  }
  // A leader of this term or a later one speaks: it becomes the hint clients are sent to.
  for (const Message& message : input->inbox) {
    const bool from_leader = message.type == MessageType::kAppend || message.type == MessageType::kHeartbeat;
    if (!from_leader || message.term < soft_state_.term || message.from == soft_state_.leader) continue;
    ObserveSoftState(SoftState{.role = Role::kFollower, .leader = message.from, .term = message.term});
  }
  input->inbox.clear();
  for (QueuedProposal& proposal : input->proposals) {
    proposals_.Fail(proposal.done, Status::Unavailable("not the leader: set aside by a storage fault; not stored"),
                    soft_state_.leader);
  }
  input->proposals.clear();
  input->disconnected.clear();
  return Status::Ok();
}

Status Node::TryRejoin() {
  RMQ_ASSERT(core_ == nullptr);
  Result<storage::HardState> hard_state = hard_state_store_->LoadHardState();
  Status status = hard_state.status().WithContext("loading the hard state");
  std::unique_ptr<Core> core;
  if (status.ok()) {
    CoreOptions core_options = options_.core;
    core_options.random_seed ^= ++cores_built_ * 0x9E3779B97F4A7C15ull;
    Result<std::unique_ptr<Core>> created =
        BuildCore(core_options, *log_, *hard_state_store_, *hard_state, state_machine_applied_, snapshots_.store);
    status = created.status().WithContext("rebuilding the raft core from storage");
    if (status.ok()) core = std::move(created).value();
  }
  // The entry whose read or apply failed comes first: read it once here, so a damaged one
  // stops the node now rather than after a rejoin.
  if (status.ok() && core->commit_index() > state_machine_applied_) status = ReadNextToApply();
  if (!status.ok()) {
    if (IsFatal(status)) {
      spdlog::error("raft node {}: storage cannot be trusted, stopping for good: {}", id_, status.ToString());
      return status;
    }
    rejoin_interval_ms_ = std::min(rejoin_interval_ms_ * 2, options_.storage_fault_retry_interval_ms_max);
    rejoin_at_ = Clock::now() + std::chrono::milliseconds(rejoin_interval_ms_);
    spdlog::warn("raft node {}: storage still failing; retrying in {} ms: {}", id_, rejoin_interval_ms_,
                 status.ToString());
    return Status::Ok();
  }
  core_ = std::move(core);
  snapshots_unavailable_seen_ = 0;
  ObserveSoftState(core_->CurrentSoftState());
  saved_hard_state_ = *hard_state;
  rejoined_at_ = Clock::now();
  next_tick_ = rejoined_at_ + std::chrono::milliseconds(options_.tick_interval_ms);
  commit_saved_at_ = rejoined_at_;
  ticks_since_leader_ = 0;
  {
    std::lock_guard lock(mutex_);
    storage_fault_ = Status::Ok();
  }
  spdlog::info("raft node {}: retrying after the storage fault: rejoining as a follower (log last index {}, "
               "applied {})",
               id_, log_->LastIndex().value(), state_machine_applied_.value());
  PublishGauges();
  return Status::Ok();
}

Status Node::ReadNextToApply() const {
  const Index next = state_machine_applied_ + 1;
  return log_->Entries(next, next + 1, 1).status().WithContext("reading committed entry " + std::to_string(next.value()));
}

Result<NodeStatus> Node::StatusWithoutCore() const {
  if (loop_ended_) return Status::Aborted("node stopped");
  return NodeStatus{.id = id_, .role = Role::kFollower, .term = soft_state_.term, .leader = soft_state_.leader,
                    .commit = Index(metrics_.commit_index.load(std::memory_order_relaxed)),
                    .applied = state_machine_applied_, .last_index = log_->LastIndex()};
}

}  // namespace raftmq::raft
