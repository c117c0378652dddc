// raft::Node, part two: handling one Ready (see ready.h for the order and why).
#include <algorithm>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/node.h"

namespace raftmq::raft {

Status Node::HandleReady(Ready ready) {
  metrics_.readys_total.fetch_add(1, std::memory_order_relaxed);
  PublishConfiguration();
  // These promise nothing durable: out first, so followers write while the leader writes.
  SendMessages(ready.messages);
  RMQ_RETURN_IF_ERROR(Persist(ready));
  SendMessages(ready.messages_after_persist);
  ConfirmedReads(ready.read_states);
  // Before applying (see node.h, "Membership").
  if (ready.conf_state) RMQ_RETURN_IF_ERROR(SaveConfRecord(core_->applied_conf_record()));
  RMQ_RETURN_IF_ERROR(Apply(ready.committed_entries));
  ReleaseAppliedReads();
  if (ready.majority_loss) ReportMajorityLoss(*ready.majority_loss);
  // After applying: entries committed before a lost leadership still answer their proposers.
  if (ready.soft_state) ObserveSoftState(*ready.soft_state);
  return Status::Ok();
}

void Node::ObserveSoftState(const SoftState& soft) {
  const bool campaigning = soft.role == Role::kPreCandidate || soft.role == Role::kCandidate;
  if (campaigning && soft.role != soft_state_.role) metrics_.elections_started_total.fetch_add(1, std::memory_order_relaxed);
  if (soft.leader != soft_state_.leader) metrics_.leader_changes_total.fetch_add(1, std::memory_order_relaxed);
  const bool lost_leadership = soft_state_.role == Role::kLeader && (soft.role != Role::kLeader || soft.term != soft_state_.term);
  if (soft.role == Role::kLeader && soft_state_.role != Role::kLeader) {
    spdlog::info("raft node {} leads term {}", id_, soft.term.value());
  }
  if (soft.recovering != soft_state_.recovering) {
    spdlog::warn("raft node {} {}", id_,
                 soft.recovering ? "recovers: it may have lost entries it acknowledged, so it neither votes nor counts "
                                   "toward commit until it caught up with a leader"
                                 : "caught up: it votes and counts toward commit again");
  }
  soft_state_ = soft;
  metrics_.recovering.store(soft.recovering ? 1 : 0, std::memory_order_relaxed);
  leader_hint_.store(soft.leader, std::memory_order_relaxed);
  metrics_.is_leader.store(soft.role == Role::kLeader ? 1 : 0, std::memory_order_relaxed);
  // Published before the proposers hear of the loss: the answers they build read the hint
  // from it, and must not name this node any more.
  if (options_.on_soft_state_change) options_.on_soft_state_change(soft);
  if (lost_leadership) {
    proposals_.FailAll(Status::Aborted("leadership lost; the entry may still commit"), soft.leader);
    FailReads(Status::Unavailable("leadership lost before the read was confirmed"));
  }
  RMQ_ASSERT(!lost_leadership || proposals_.tracked() == 0);
}

void Node::PublishConfiguration(bool always) {
  const ConfState& current = core_->configuration();
  if (current == published_configuration_ && !always) return;
  published_configuration_ = current;
  {
    std::lock_guard lock(mutex_);
    configuration_ = current;
  }
  spdlog::info("raft node {}: configuration in force {}", id_, DescribeConfState(current));
  if (options_.on_configuration_change) options_.on_configuration_change(current);
}

void Node::ReportMajorityLoss(const MajorityLossNotice& notice) {
  if (notice.log_last == Index(0) && notice.commit_seen == Index(0)) {
    spdlog::warn("raft node {}: a majority of the group started empty (a new group, or wiped data dirs): forming it", id_);
    return;
  }
  spdlog::error("raft node {}: a majority of the group may have lost acknowledged entries at once (power loss under "
                "async flush, or wiped data dirs) and goes on without them: entries after index {} (this node's log) "
                "up to at least index {} (the commit it had seen) may be lost for good",
                id_, notice.log_last.value(), notice.commit_seen.value());
}

Status Node::Persist(Ready& ready) {
  RMQ_ASSERT(!ready.truncate_after || ready.entries.empty() || ready.entries.front().index == *ready.truncate_after + 1);
  if (ready.snapshot) RMQ_RETURN_IF_ERROR(InstallSnapshot(*ready.snapshot));
  if (ready.truncate_after) {
    RMQ_RETURN_IF_ERROR(log_->TruncateSuffix(*ready.truncate_after).WithContext("raft log truncate"));
  }
  if (!ready.entries.empty()) {
    RMQ_RETURN_IF_ERROR(log_->Append(ready.entries).WithContext("raft log append"));
    metrics_.entries_appended_total.fetch_add(ready.entries.size(), std::memory_order_relaxed);
    if (ready.must_sync) {
      // A no-op under the CommitLog's async policy (see node.h).
      RMQ_RETURN_IF_ERROR(log_->Sync().WithContext("raft log sync"));
      metrics_.log_syncs_total.fetch_add(1, std::memory_order_relaxed);
    }
  }
  RMQ_ASSERT(ready.entries.empty() || log_->LastIndex() == ready.entries.back().index);
  return MaybeSaveHardState(ready.hard_state);
}

Status Node::SaveConfRecord(const storage::ConfRecord& record) {
  RMQ_RETURN_IF_ERROR(hard_state_store_->SaveConfRecord(record).WithContext("raft configuration save"));
  if (snapshots_.store != nullptr) snapshots_.store->NoteConfiguration(record);
  spdlog::info("raft node {}: configuration {} as of index {}", id_, DescribeConfState(record.conf),
               record.index.value());
  return Status::Ok();
}

Status Node::MaybeSaveHardState(const std::optional<storage::HardState>& hard_state) {
  if (!hard_state) return Status::Ok();
  const bool vote_changed = hard_state->term != saved_hard_state_.term || hard_state->voted_for != saved_hard_state_.voted_for;
  const Clock::time_point now = Clock::now();
  // The commit index alone is a recovery hint: saved at most every commit_save_interval_ms,
  // so a busy leader does not pay a synced RocksDB write per Ready.
  if (!vote_changed && now - commit_saved_at_ < std::chrono::milliseconds(options_.commit_save_interval_ms)) {
    return Status::Ok();
  }
  RMQ_RETURN_IF_ERROR(hard_state_store_->SaveHardState(*hard_state).WithContext("raft hard state save"));
  saved_hard_state_ = *hard_state;
  commit_saved_at_ = now;
  metrics_.hard_state_saves_total.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status Node::Apply(std::vector<storage::LogEntry>& entries) {
  for (storage::LogEntry& entry : entries) {
    RMQ_ASSERT(entry.index == state_machine_applied_ + 1);
    Result<std::any> value = state_machine_->Apply(entry);
    if (!value.ok()) return value.status().WithContext("apply index " + std::to_string(entry.index.value()));
    state_machine_applied_ = entry.index;
    proposals_.Applied(entry.index, entry.term, value.value());
    metrics_.entries_applied_total.fetch_add(1, std::memory_order_relaxed);
  }
  return Status::Ok();
}

void Node::SendMessages(std::vector<Message>& messages) {
  const auto files_first = std::stable_partition(messages.begin(), messages.end(), [](const Message& message) {
    return message.type != MessageType::kSnapshot;
  });
  std::for_each(files_first, messages.end(), [this](const Message& message) { ShipSnapshot(message); });
  messages.erase(files_first, messages.end());
  if (messages.empty()) return;
  metrics_.messages_sent_total.fetch_add(messages.size(), std::memory_order_relaxed);
  transport_->Send(std::move(messages));
}

}  // namespace raftmq::raft
