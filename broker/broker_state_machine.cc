#include "broker/broker_state_machine.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "broker/entry_kind.h"
#include "common/assert.h"

namespace raftmq::broker {
namespace {

constexpr uint64_t kReplayReadBytesMax = 4u << 20;

}  // namespace

BrokerStateMachine::BrokerStateMachine(storage::Fs* fs, const storage::CommitLogReader* log,
                                       storage::LogRetention* retention, storage::MetaStore* meta,
                                       storage::Dispatcher* dispatcher, TopicConfigManager* topics,
                                       ConsumerOffsetManager* offsets)
    : fs_(fs),
      log_(log),
      retention_(retention),
      meta_(meta),
      dispatcher_(dispatcher),
      topics_(topics),
      offsets_(offsets),
      pops_(meta) {
  RMQ_ASSERT(fs_ != nullptr);
  RMQ_ASSERT(log_ != nullptr && meta_ != nullptr && dispatcher_ != nullptr);
  RMQ_ASSERT(topics_ != nullptr && offsets_ != nullptr);
}

Status BrokerStateMachine::Recover(Index committed) {
  RMQ_ASSIGN_OR_RETURN(std::optional<Index> restoring, meta_->LoadRestoring());
  if (restoring) {
    spdlog::warn("broker state machine: finishing the restore of the snapshot at index {} that a crash interrupted",
                 restoring->value());
    RMQ_RETURN_IF_ERROR(FinishRestore(*restoring));
  }
  RMQ_RETURN_IF_ERROR(topics_->Load());
  RMQ_ASSIGN_OR_RETURN(Index checkpoint, meta_->LoadDispatchCheckpoint());
  if (checkpoint + 1 < log_->FirstIndex()) return FinishInterruptedInstall(checkpoint);
  RMQ_ASSIGN_OR_RETURN(std::optional<Index> command_applied, meta_->LoadCommandApplied());
  // A store written before commands recorded their index: every command up to the
  // checkpoint is in (see the header), the ones after it are replayed as before.
  command_applied_ = command_applied.value_or(checkpoint);
  RMQ_ASSIGN_OR_RETURN(retained_from_, meta_->LoadRetainedFrom());
  RMQ_RETURN_IF_ERROR(dispatcher_->Recover(*log_, committed));
  const Index applied = dispatcher_->applied_index();
  // Every command up to the checkpoint is at or below command_applied_: start after both.
  Index next = std::max(std::min(std::max(checkpoint, command_applied_), log_->LastIndex()) + 1, log_->FirstIndex());
  while (next <= applied) {
    RMQ_ASSIGN_OR_RETURN(auto entries, log_->Entries(next, applied + 1, kReplayReadBytesMax));
    RMQ_ASSERT(!entries.empty());
    for (const storage::LogEntry& entry : entries) {
      if (entry.kind == kBrokerCommandEntry) RMQ_RETURN_IF_ERROR(ApplyCommand(entry).status());
    }
    next = entries.back().index + 1;
  }
  // A crash may have come between storing retained_from and deleting; queue min offsets are
  // raised again in any case.
  RMQ_RETURN_IF_ERROR(RetainFrom(retained_from_));
  applied_index_.store(applied.value(), std::memory_order_release);
  if (applied >= log_->FirstIndex()) {
    RMQ_ASSIGN_OR_RETURN(Term term, log_->TermAt(applied));
    applied_term_.store(term.value(), std::memory_order_release);
  } else if (applied > Index(0) && applied + 1 == log_->FirstIndex()) {
    // Applied up to a snapshot the log was reset to: the log answers its term. (After
    // retention deleted up to it, it does not: the next applied entry sets the term.)
    Result<Term> term = log_->TermAt(applied);
    if (term.ok()) applied_term_.store(term->value(), std::memory_order_release);
  }
  return Status::Ok();
}

Result<std::any> BrokerStateMachine::Apply(const storage::LogEntry& entry) {
  RMQ_ASSERT(entry.index == applied_index() + 1);
  AppliedEntry applied;
  if (entry.kind == kMessageBatchEntry) {
    RMQ_ASSIGN_OR_RETURN(applied, ApplyMessages(entry));
  } else if (entry.kind == kBrokerCommandEntry) {
    RMQ_ASSIGN_OR_RETURN(applied, ApplyCommand(entry));
    // The command's MetaStore writes are in: the Dispatcher may checkpoint past it now.
    RMQ_RETURN_IF_ERROR(dispatcher_->Dispatch(entry, storage::EntryLocation{}).status());
  } else {
    // Raft's own kinds (its no-op) and any kind this version does not know: nothing to do
    // but advance the applied index, the same on every node.
    RMQ_RETURN_IF_ERROR(dispatcher_->Dispatch(entry, storage::EntryLocation{}).status());
  }
  RMQ_ASSERT(dispatcher_->applied_index() == entry.index);
  Publish(entry);
  return std::any(std::move(applied));
}

Result<AppliedEntry> BrokerStateMachine::ApplyMessages(const storage::LogEntry& entry) {
  RMQ_ASSIGN_OR_RETURN(storage::EntryLocation location, log_->Locate(entry.index));
  RMQ_ASSIGN_OR_RETURN(storage::DispatchOutcome dispatched, dispatcher_->Dispatch(entry, location));
  AppliedEntry applied;
  if (!dispatched.skipped.ok()) {
    // The Dispatcher counted and logged it.
    applied.status = {grpc::StatusCode::INVALID_ARGUMENT, "entry " + std::to_string(entry.index.value()) +
                                                              " was skipped: " + dispatched.skipped.ToString()};
    return applied;
  }
  applied.queue_offsets.assign(dispatched.queue_offsets.begin(), dispatched.queue_offsets.end());
  return applied;
}

// Exactly once per node: the command's effect and its index go in one MetaStore batch, and a
// command at or below the stored index (replayed after a restart, or sent again by Raft
// after the log lost its tail) changes nothing.
Result<AppliedEntry> BrokerStateMachine::ApplyCommand(const storage::LogEntry& entry) {
  AppliedEntry applied;
  if (entry.index <= command_applied_) return applied;
  BrokerCommand command;
  storage::MetaWriteBatch batch = meta_->NewBatch();
  std::optional<Index> retain_from;
  if (!command.ParseFromString(entry.payload)) {
    applied.status = {grpc::StatusCode::INVALID_ARGUMENT, "the broker command does not parse"};
  } else {
    switch (command.command_case()) {
      case BrokerCommand::kCreateTopic:
        applied.status = topics_->ApplyCreate(command.create_topic(), &batch, &applied.topic);
        break;
      case BrokerCommand::kUpdateTopic:
        applied.status = topics_->ApplyUpdate(command.update_topic(), &batch, &applied.topic);
        break;
      case BrokerCommand::kDeleteTopic:
        applied.status = topics_->ApplyDelete(command.delete_topic(), &batch, &applied.topic);
        break;
      case BrokerCommand::kCommitOffsets:
        offsets_->Apply(command.commit_offsets(), &batch);
        break;
      case BrokerCommand::kPop:
      case BrokerCommand::kPopAck:
      case BrokerCommand::kPopChangeInvisible: {
        RMQ_ASSIGN_OR_RETURN(applied.status, ApplyPopCommand(command, entry.index, &batch));
        applied.pop_epoch = static_cast<int64_t>(entry.index.value());
        break;
      }
      case BrokerCommand::kDeleteLogBefore: {
        RMQ_ASSIGN_OR_RETURN(retain_from, PlanRetention(command.delete_log_before(), entry.index, &batch));
        break;
      }
      case BrokerCommand::COMMAND_NOT_SET:
        applied.status = {grpc::StatusCode::INVALID_ARGUMENT, "the broker command is empty"};
        break;
    }
  }
  if (applied.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    commands_skipped_.fetch_add(1, std::memory_order_relaxed);
    spdlog::error("broker state machine: skipping command entry {} (term {}): {}", entry.index.value(),
                  entry.term.value(), applied.status.error_message());
    applied.status = {grpc::StatusCode::INVALID_ARGUMENT, "entry " + std::to_string(entry.index.value()) +
                                                              " was skipped: " + applied.status.error_message()};
  }
  // A refused or skipped command changes nothing but the applied index.
  if (!applied.status.ok()) batch = meta_->NewBatch();
  RMQ_RETURN_IF_ERROR(batch.PutCommandApplied(entry.index));
  // Retention's record must outlive a power loss that the deletion after it survives.
  RMQ_RETURN_IF_ERROR(meta_->Write(std::move(batch), retain_from ? storage::Durability::kSync
                                                                 : storage::Durability::kBuffered));
  command_applied_ = entry.index;
  if (retain_from) {
    retained_from_ = *retain_from;
    RMQ_RETURN_IF_ERROR(RetainFrom(retained_from_));
    SnapshotAfterRetention(entry.index);
  }
  return applied;
}

Result<grpc::Status> BrokerStateMachine::ApplyPopCommand(const BrokerCommand& command, Index index,
                                                         storage::MetaWriteBatch* batch) {
  switch (command.command_case()) {
    case BrokerCommand::kPop: return pops_.ApplyPop(command.pop(), index, batch);
    case BrokerCommand::kPopAck: return pops_.ApplyAck(command.pop_ack(), batch);
    case BrokerCommand::kPopChangeInvisible:
      return pops_.ApplyChangeInvisible(command.pop_change_invisible(), index, batch);
    default: RMQ_ASSERT(false && "not a pop command");
  }
  return grpc::Status::OK;
}

Result<std::optional<Index>> BrokerStateMachine::PlanRetention(const DeleteLogBeforeCommand& command, Index at,
                                                               storage::MetaWriteBatch* batch) {
  // Every entry before `at` is applied on this node; `at` and later are not.
  const Index from = std::min(Index(command.index()), at);
  if (from <= retained_from_) return std::optional<Index>();
  // A restart's Dispatcher::Recover starts after its checkpoint: it must not need what goes.
  RMQ_RETURN_IF_ERROR(dispatcher_->Checkpoint());
  RMQ_RETURN_IF_ERROR(batch->PutRetainedFrom(from));
  return std::optional<Index>(from);
}

// Also during Recover's replay: what the snapshot records does not depend on how far the
// Dispatcher re-indexed (the queues' min offsets, commands up to `at`, which Recover replays
// in order).
void BrokerStateMachine::SnapshotAfterRetention(Index at) {
  if (snapshots_ == nullptr || retained_from_ <= Index(1) || log_->LastIndex() < retained_from_) return;
  const Index index = retained_from_ - 1;
  Result<Term> term = log_->TermAt(index);
  Status saved = term.status();
  if (saved.ok()) {
    const storage::SnapshotMeta meta{.index = index, .term = *term};
    saved = snapshots_->Save(meta, [&](const std::string& dir) {
      return WriteState(dir, meta, at, dispatcher_->QueueStarts());
    });
  }
  if (saved.ok()) {
    snapshots_taken_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  snapshot_failures_.fetch_add(1, std::memory_order_relaxed);
  spdlog::error("retention: no snapshot at index {} after deleting (followers that need the deleted entries wait for "
                "a leader holding one): {}", index.value(), saved.ToString());
}

Status BrokerStateMachine::FinishInterruptedInstall(Index checkpoint) {
  const Index index = log_->FirstIndex() - 1;
  Result<Term> term = log_->TermAt(index);
  Result<std::string> dir = !term.ok()              ? Result<std::string>(term.status())
                            : snapshots_ != nullptr ? snapshots_->DirOf({index, *term})
                                                    : Result<std::string>(Status::NotFound("no snapshot store"));
  if (!dir.ok()) {
    return Status::Corruption(
        "broker state machine: the state was applied up to entry " + std::to_string(checkpoint.value()) +
        " but the CommitLog starts at entry " + std::to_string(log_->FirstIndex().value()) +
        " (a reset to a snapshot whose restore cannot begin, or entries deleted before they were applied): no entry "
        "can bring the state forward. To recover: stop this node, delete its whole data directory and start it "
        "again; it rejoins empty and catches up by snapshot (" + dir.status().ToString() + ")");
  }
  spdlog::warn("broker state machine: the state stands at entry {} and the CommitLog was reset to the snapshot at "
               "index {}: restoring it from {} (a crash cut the install short)", checkpoint.value(),
               index.value(), *dir);
  return RestoreSnapshot(*dir, {index, *term});
}

Status BrokerStateMachine::RetainFrom(Index from) {
  if (retention_ == nullptr || from <= Index(1)) return Status::Ok();
  // A log reset to a snapshot holds no entry until the next append: no queue entry points into
  // it, and the restored queues already start at their max offset (ConsumeQueue::ResetTo).
  if (log_->LastIndex() < std::max(from, log_->FirstIndex())) return Status::Ok();
  // The queues first: each starts at its first message of entry `from` or later (the same
  // offset on every node, whatever its segment boundaries), before any segment goes, so a pull
  // that meets a deleted position finds its offset below the min offset: OUT_OF_RANGE.
  RMQ_ASSIGN_OR_RETURN(storage::EntryLocation kept, log_->Locate(std::max(from, log_->FirstIndex())));
  RMQ_ASSIGN_OR_RETURN(size_t queue_files, dispatcher_->DeleteQueueEntriesBefore(kept.payload_position));
  RMQ_ASSIGN_OR_RETURN(storage::SegmentsDeleted deleted, retention_->DeleteSegmentsBefore(from));
  RMQ_ASSERT(log_->FirstIndex() <= from);
  retention_segments_deleted_.fetch_add(deleted.segments, std::memory_order_relaxed);
  retention_bytes_deleted_.fetch_add(deleted.bytes, std::memory_order_relaxed);
  if (deleted.segments > 0) {
    spdlog::info("retention: kept the log from index {} (asked {}): {} segments ({} bytes), {} consume queue files "
                 "deleted", log_->FirstIndex().value(), from.value(), deleted.segments, deleted.bytes, queue_files);
  }
  return Status::Ok();
}

void BrokerStateMachine::Publish(const storage::LogEntry& entry) {
  applied_term_.store(entry.term.value(), std::memory_order_release);
  applied_index_.store(entry.index.value(), std::memory_order_release);
}

}  // namespace raftmq::broker
