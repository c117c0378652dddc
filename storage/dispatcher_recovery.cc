// Dispatcher::Recover: cut the queues back to the checkpoint, check each against the size
// recorded with it (rebuilding from the CommitLog what is missing or damaged), then
// re-dispatch the committed entries after it.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/assert.h"
#include "storage/dispatcher.h"

namespace raftmq::storage {

namespace {

std::string QueueName(const QueueId& id) { return id.topic + "/" + std::to_string(id.queue_id); }

}  // namespace

// Every message of an entry after `last_dispatched` lies at or after the returned position,
// every message of an entry up to it before.
Result<uint64_t> Dispatcher::CutPosition(const CommitLogReader& log, Index last_dispatched) const {
  if (last_dispatched + 1 <= log.LastIndex()) {
    RMQ_ASSIGN_OR_RETURN(EntryLocation next, log.Locate(last_dispatched + 1));
    return next.payload_position;
  }
  if (last_dispatched >= log.FirstIndex()) {
    RMQ_ASSIGN_OR_RETURN(EntryLocation last, log.Locate(last_dispatched));
    return last.payload_position + last.payload_size;
  }
  return UINT64_MAX;  // the log holds no entry: nothing to place a cut by, nothing to redo
}

Status Dispatcher::Recover(const CommitLogReader& log, Index committed) {
  flusher_ = std::make_unique<CheckpointFlusher>(meta_);  // the old one finishes first; its error goes with it
  RMQ_ASSIGN_OR_RETURN(Index checkpoint, meta_->LoadDispatchCheckpoint());
  const Index last_dispatched = std::min(checkpoint, log.LastIndex());
  if (last_dispatched < checkpoint) {
    spdlog::warn("dispatcher: checkpoint {} is past the CommitLog's last entry {}: redoing from there", checkpoint.value(),
                 log.LastIndex().value());
  }
  if (last_dispatched + 1 < log.FirstIndex() && last_dispatched < committed) {
    return Status::Corruption("dispatch checkpoint " + std::to_string(last_dispatched.value()) +
                              " is before the CommitLog's first entry " + std::to_string(log.FirstIndex().value()));
  }
  RMQ_ASSIGN_OR_RETURN(uint64_t cut_position, CutPosition(log, last_dispatched));
  RMQ_RETURN_IF_ERROR(queues_->TruncateAllFrom(cut_position));
  RMQ_ASSIGN_OR_RETURN(std::vector<QueueSize> recorded, meta_->ListQueueSizes());
  // The sizes describe the queues at the checkpoint; a log that lost entries before it has
  // queues cut shorter on purpose, and Raft redoes them.
  if (last_dispatched == checkpoint) {
    RMQ_ASSIGN_OR_RETURN(std::set<QueueId> damaged, FindDamagedQueues(recorded));
    if (!damaged.empty()) RMQ_RETURN_IF_ERROR(RebuildQueues(log, damaged, last_dispatched, recorded));
  }
  recorded_sizes_.clear();
  for (const QueueSize& size : recorded) recorded_sizes_[QueueId{size.topic, size.queue_id}] = size.max_offset;
  recovered_ = true;
  failure_ = Status::Ok();
  applied_ = last_dispatched;
  checkpointed_ = last_dispatched;
  checkpointed_at_ = std::chrono::steady_clock::now();
  RMQ_RETURN_IF_ERROR(Redispatch(log, std::min(committed, log.LastIndex())));
  RMQ_ASSERT(applied_ >= std::min(committed, log.LastIndex()));
  return Checkpoint();
}

Result<std::set<QueueId>> Dispatcher::FindDamagedQueues(const std::vector<QueueSize>& recorded) const {
  std::set<QueueId> damaged;
  for (const QueueSize& size : recorded) {
    const ConsumeQueue* queue = queues_->Find(size.topic, size.queue_id);
    const uint64_t found = queue == nullptr ? 0 : queue->MaxOffset();
    if (found == size.max_offset) continue;
    QueueId id{size.topic, size.queue_id};
    spdlog::warn("dispatcher: consume queue {} {} but the checkpoint recorded {} entries; rebuilding it from the "
                 "CommitLog", QueueName(id), queue == nullptr ? std::string("is missing")
                                                             : "holds " + std::to_string(found) + " entries",
                 size.max_offset);
    damaged.insert(std::move(id));
  }
  return damaged;
}

// Empties each damaged queue and dispatches into it alone every message of entries
// [log first, last_dispatched]: queue offsets start at 0, so the log must still hold entry 1.
Status Dispatcher::RebuildQueues(const CommitLogReader& log, const std::set<QueueId>& damaged, Index last_dispatched,
                                 const std::vector<QueueSize>& recorded) {
  RMQ_ASSERT(!damaged.empty());
  const std::string first_name = QueueName(*damaged.begin());
  if (log.FirstIndex() > Index(1)) {
    return Status::Corruption("consume queue " + first_name + " must be rebuilt from the CommitLog, but the log "
                              "starts at entry " + std::to_string(log.FirstIndex().value()) +
                              " (older entries were deleted). To recover: stop this node, delete its whole data "
                              "directory and start it again; the leader sends it the log");
  }
  for (const QueueId& id : damaged) {
    ConsumeQueue* queue = queues_->Find(id.topic, id.queue_id);
    if (queue != nullptr) RMQ_RETURN_IF_ERROR(queue->TruncateFrom(queue->MinOffset()));
  }
  for (Index next = log.FirstIndex(); next <= last_dispatched;) {
    RMQ_ASSIGN_OR_RETURN(std::vector<LogEntry> entries,
                         log.Entries(next, last_dispatched + 1, options_.recovery_read_bytes_max));
    RMQ_ASSERT(!entries.empty());
    for (const LogEntry& entry : entries) {
      if (entry.kind != options_.message_batch_kind) continue;
      // An entry that cannot be indexed was skipped when it was applied: skip it again.
      Result<std::vector<ScannedRecord>> records = ScanBatch(entry.payload);
      if (!records.ok()) continue;
      std::erase_if(*records, [&](const ScannedRecord& record) {
        return !damaged.contains(QueueId{std::string(record.summary.topic), record.summary.queue_id});
      });
      RMQ_ASSIGN_OR_RETURN(EntryLocation location, log.Locate(entry.index));
      RMQ_RETURN_IF_ERROR(DispatchBatch(*records, location.payload_position).status());
    }
    next = entries.back().index + 1;
  }
  for (const QueueSize& size : recorded) {
    const QueueId id{size.topic, size.queue_id};
    if (!damaged.contains(id)) continue;
    const ConsumeQueue* queue = queues_->Find(id.topic, id.queue_id);
    const uint64_t rebuilt = queue == nullptr ? 0 : queue->MaxOffset();
    if (rebuilt != size.max_offset) {
      return Status::Corruption("consume queue " + QueueName(id) + " rebuilt from CommitLog entries [1, " +
                                std::to_string(last_dispatched.value()) + "] holds " + std::to_string(rebuilt) +
                                " entries, but the checkpoint recorded " + std::to_string(size.max_offset));
    }
    spdlog::warn("dispatcher: rebuilt consume queue {} from CommitLog entries [1, {}]: {} entries", QueueName(id),
                 last_dispatched.value(), rebuilt);
  }
  return queues_->SyncAll();
}

Status Dispatcher::Redispatch(const CommitLogReader& log, Index last) {
  while (applied_ < last) {
    RMQ_ASSIGN_OR_RETURN(std::vector<LogEntry> entries, log.Entries(applied_ + 1, last + 1, options_.recovery_read_bytes_max));
    RMQ_ASSERT(!entries.empty());
    for (const LogEntry& entry : entries) {
      RMQ_ASSIGN_OR_RETURN(EntryLocation location, log.Locate(entry.index));
      RMQ_RETURN_IF_ERROR(Dispatch(entry, location).status());
    }
  }
  return Status::Ok();
}

}  // namespace raftmq::storage
