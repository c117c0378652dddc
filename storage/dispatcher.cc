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
    : queues_(queues), meta_(meta), options_(std::move(options)),
      flusher_(std::make_unique<CheckpointFlusher>(meta)) {
  RMQ_ASSERT(queues_ != nullptr);
  RMQ_ASSERT(meta_ != nullptr);
  RMQ_ASSERT(options_.checkpoint_interval_entries > 0);
  RMQ_ASSERT(KindByte(options_.message_batch_kind) != 0);
}

Result<DispatchOutcome> Dispatcher::Dispatch(const LogEntry& entry, const EntryLocation& location) {
  RMQ_ASSERT(recovered_);
  RMQ_ASSERT(entry.index == applied_ + 1);
  RMQ_RETURN_IF_ERROR(failure_);
  DispatchOutcome outcome;
  if (entry.kind == options_.message_batch_kind) {
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
  for (size_t i = 0; i < plans.size(); ++i) {
    Status status = plans[i].queue->Append(plans[i].first_offset, plans[i].entries);
    if (!status.ok()) {
      // Take back what this entry appended to other queues, so the entry can be dispatched
      // again once the cause (a full disk) is gone; only a failed take-back is sticky.
      for (size_t done = 0; done < i; ++done) {
        Status undone = plans[done].queue->TruncateFrom(plans[done].first_offset);
        if (!undone.ok()) failure_ = undone;
      }
      return status;
    }
    RMQ_ASSERT(plans[i].queue->MaxOffset() == plans[i].first_offset + plans[i].entries.size());
  }
  if (options_.on_queue_grown) {
    for (const PlannedAppend& plan : plans) options_.on_queue_grown(plan.topic, plan.queue_id, plan.queue->MaxOffset());
  }
  return offsets;
}

Status Dispatcher::MaybeCheckpoint() {
  Status flushed = flusher_->error();
  if (!flushed.ok()) {
    failure_ = flushed;  // a failed fsync leaves unknown data on disk: only recovery can tell
    return flushed;
  }
  const bool entries_due = applied_ - checkpointed_ >= options_.checkpoint_interval_entries;
  const bool time_due =
      std::chrono::steady_clock::now() - checkpointed_at_ >= std::chrono::milliseconds(options_.checkpoint_interval_ms);
  if (!(entries_due || time_due) || flusher_->Busy()) return Status::Ok();
  return StartCheckpoint();
}

// Takes what the queues must sync and their sizes now, on the dispatching thread, so the
// checkpoint describes exactly the entries up to applied_.
Status Dispatcher::StartCheckpoint() {
  CheckpointJob job{.syncs = queues_->TakeUnsynced(), .record = meta_->NewBatch()};
  RMQ_RETURN_IF_ERROR(job.record.PutDispatchCheckpoint(applied_));
  for (const auto& [id, queue] : queues_->Queues()) {
    const uint64_t size = queue->MaxOffset();
    const auto recorded = recorded_sizes_.find(id);
    if (recorded == recorded_sizes_.end() ? size == 0 : recorded->second == size) continue;
    RMQ_RETURN_IF_ERROR(job.record.PutQueueSize(QueueSize{id.topic, id.queue_id, size}));
    recorded_sizes_[id] = size;
  }
  flusher_->Submit(std::move(job));
  checkpointed_ = applied_;
  checkpointed_at_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status Dispatcher::Checkpoint() {
  RMQ_RETURN_IF_ERROR(failure_);
  Status status = flusher_->Wait();
  if (status.ok()) status = StartCheckpoint();
  if (status.ok()) status = flusher_->Wait();
  if (!status.ok()) failure_ = status;
  return status;
}

std::vector<QueueSize> Dispatcher::EveryQueueAt(uint64_t (ConsumeQueue::*offset)() const) const {
  std::vector<QueueSize> sizes;
  for (const auto& [id, queue] : queues_->Queues()) sizes.push_back(QueueSize{id.topic, id.queue_id, (*queue.*offset)()});
  return sizes;
}

Status Dispatcher::ResetQueuesToCheckpoint() {
  RMQ_RETURN_IF_ERROR(flusher_->Wait());
  RMQ_ASSIGN_OR_RETURN(std::vector<QueueSize> recorded, meta_->ListQueueSizes());
  std::map<QueueId, uint64_t> max_offsets;
  for (const QueueSize& size : recorded) max_offsets[QueueId{size.topic, size.queue_id}] = size.max_offset;
  RMQ_RETURN_IF_ERROR(queues_->ResetAll(max_offsets));
  recovered_ = false;  // the queues moved under applied_: Recover must run before Dispatch
  if (options_.on_queue_grown) {
    for (const auto& [id, queue] : queues_->Queues()) options_.on_queue_grown(id.topic, id.queue_id, queue->MaxOffset());
  }
  return Status::Ok();
}

}  // namespace raftmq::storage
