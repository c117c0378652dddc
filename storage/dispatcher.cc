#include "storage/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "common/assert.h"
#include "storage/message_record.h"

namespace raftmq::storage {

// The entries one batch adds to one queue, appended with a single write.
struct Dispatcher::PlannedAppend {
  ConsumeQueue* queue = nullptr;
  std::string_view topic;
  uint32_t queue_id = 0;
  uint64_t first_offset = 0;
  std::vector<ConsumeQueueEntry> entries;
};

Dispatcher::Dispatcher(ConsumeQueueStore* queues, MetaStore* meta, DispatcherOptions options)
    : queues_(queues), meta_(meta), options_(std::move(options)) {
  RMQ_ASSERT(queues_ != nullptr);
  RMQ_ASSERT(meta_ != nullptr);
  RMQ_ASSERT(options_.checkpoint_interval_entries > 0);
}

Result<DispatchOutcome> Dispatcher::Dispatch(const LogEntry& entry, const EntryLocation& location) {
  RMQ_ASSERT(recovered_);
  RMQ_ASSERT(entry.index == applied_ + 1);
  RMQ_RETURN_IF_ERROR(failure_);
  DispatchOutcome outcome;
  if (entry.type == EntryType::kMessageBatch) {
    RMQ_ASSERT(location.payload_size == entry.payload.size());
    Result<std::vector<ScannedRecord>> records = ScanBatch(entry.payload);
    if (records.ok()) {
      Result<std::vector<uint64_t>> dispatched = DispatchBatch(*records, location.payload_position);
      if (!dispatched.ok()) {
        return dispatched.status().WithContext("dispatch entry " + std::to_string(entry.index.value()));
      }
      outcome.queue_offsets = std::move(dispatched).value();
    } else {
      // Decided from the payload alone, so every node skips the same entry.
      outcome.skipped = records.status();
      entries_skipped_.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("dispatcher: skipping entry {} (term {}), its messages cannot be indexed: {}", entry.index.value(),
                    entry.term.value(), outcome.skipped.ToString());
    }
  }
  applied_ = entry.index;
  RMQ_RETURN_IF_ERROR(MaybeCheckpoint());
  return outcome;
}

Result<std::vector<Dispatcher::ScannedRecord>> Dispatcher::ScanBatch(std::string_view payload) {
  std::vector<ScannedRecord> records;
  for (size_t offset = 0; offset < payload.size();) {
    RMQ_ASSIGN_OR_RETURN(MessageRecordSummary record, ScanMessageRecord(payload, offset));
    RMQ_RETURN_IF_ERROR(CheckTopicName(record.topic));
    records.push_back({offset, record});
    offset += record.record_size;
  }
  return records;
}

// The records passed ScanBatch: only I/O can fail here.
Result<std::vector<uint64_t>> Dispatcher::DispatchBatch(std::span<const ScannedRecord> records,
                                                        uint64_t payload_position) {
  std::vector<PlannedAppend> plans;
  std::vector<uint64_t> offsets;
  offsets.reserve(records.size());
  for (const auto& [offset, record] : records) {
    auto plan = std::find_if(plans.begin(), plans.end(), [&](const PlannedAppend& p) {
      return p.queue_id == record.queue_id && p.topic == record.topic;
    });
    if (plan == plans.end()) {
      RMQ_ASSIGN_OR_RETURN(ConsumeQueue * queue, queues_->FindOrCreate(record.topic, record.queue_id));
      plans.push_back(PlannedAppend{queue, record.topic, record.queue_id, queue->MaxOffset(), {}});
      plan = plans.end() - 1;
    }
    offsets.push_back(plan->first_offset + plan->entries.size());
    plan->entries.push_back(ConsumeQueueEntry{payload_position + offset, record.record_size, TagHash(record.tag)});
  }
  for (const PlannedAppend& plan : plans) {
    Status status = plan.queue->Append(plan.first_offset, plan.entries);
    if (!status.ok()) {
      failure_ = status;
      return status;
    }
    RMQ_ASSERT(plan.queue->MaxOffset() == plan.first_offset + plan.entries.size());
  }
  if (options_.on_queue_grown) {
    for (const PlannedAppend& plan : plans) options_.on_queue_grown(plan.topic, plan.queue_id, plan.queue->MaxOffset());
  }
  return offsets;
}

Status Dispatcher::MaybeCheckpoint() {
  const bool entries_due = applied_ - checkpointed_ >= options_.checkpoint_interval_entries;
  const bool time_due =
      std::chrono::steady_clock::now() - checkpointed_at_ >= std::chrono::milliseconds(options_.checkpoint_interval_ms);
  return entries_due || time_due ? Checkpoint() : Status::Ok();
}

Status Dispatcher::Checkpoint() {
  RMQ_RETURN_IF_ERROR(failure_);
  // Queues first: the checkpoint may only promise entries that are already durable.
  Status status = queues_->SyncAll();
  if (!status.ok()) {
    failure_ = status;  // a failed fsync leaves unknown data on disk: only recovery can tell
    return status;
  }
  MetaWriteBatch batch = meta_->NewBatch();
  RMQ_RETURN_IF_ERROR(batch.PutDispatchCheckpoint(applied_));
  RMQ_RETURN_IF_ERROR(meta_->Write(std::move(batch), Durability::kBuffered));
  checkpointed_ = applied_;
  checkpointed_at_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

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
  recovered_ = true;
  failure_ = Status::Ok();
  applied_ = last_dispatched;
  checkpointed_ = last_dispatched;
  checkpointed_at_ = std::chrono::steady_clock::now();
  RMQ_RETURN_IF_ERROR(Redispatch(log, std::min(committed, log.LastIndex())));
  RMQ_ASSERT(applied_ >= std::min(committed, log.LastIndex()));
  return Checkpoint();
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
