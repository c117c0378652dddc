// Dispatcher: turns *committed* CommitLog entries, in index order, into ConsumeQueue entries.
// An entry of the message batch kind (DispatcherOptions::message_batch_kind: the broker names
// its kinds, storage only knows the batch format) gets one ConsumeQueue entry per message at
// the queue's next offset, so offsets are assigned at apply time and are the same on every
// node; any other kind only advances the applied index.
//
// Checkpoint: every checkpoint_interval_entries entries or checkpoint_interval_ms the
// Dispatcher hands a checkpoint to its CheckpointFlusher, a background thread: it fsyncs
// every ConsumeQueue written since the last one and only then writes the applied index,
// together with every queue's size (MaxOffset) at that index, in one MetaStore batch. So the
// dispatching thread (the Raft loop) never waits for a disk flush, and a checkpoint never
// claims queue entries a crash can take away. While one checkpoint is in flight the next
// waits for the following Dispatch. The write is buffered: losing it only makes recovery
// redo more. A failed checkpoint is sticky: Dispatch answers its error until Recover. A failed
// ConsumeQueue append is not: the entry's appends to other queues are taken back and the entry
// is not applied, so the next Dispatch of it (once space returns) starts clean.
//
// Apply is total: an entry whose payload cannot be indexed (a record that does not decode, a
// topic that is no valid name) is skipped the same way on every node: nothing is appended, the
// applied index moves past it, it is logged once with its index and counted
// (entries_skipped()), and Dispatch says so in DispatchOutcome::skipped. Only I/O failures are
// errors. Recovery skips the same entries the same way, so a restart replays past them.
//
// Recovery (Recover, before the first Dispatch): every queue entry of an entry after the
// checkpoint may be missing, torn or present; cutting every queue at the CommitLog position
// of the first entry after the checkpoint and re-dispatching checkpoint+1..committed leaves
// each committed message in exactly one slot. Before that, every queue is checked against
// the size recorded with the checkpoint: a queue that is missing (its directory lost), shorter
// (a file cut or lost) or longer is emptied and rebuilt from the CommitLog's first entry up
// to the checkpoint, and what was rebuilt is logged; Corruption when the log no longer holds
// the entries a rebuild needs (retention deleted them). If the CommitLog lost entries the
// checkpoint covers (async flush and an OS crash), recovery starts from the log's last entry
// instead, without the size check; Raft brings the lost entries back and they are dispatched
// again.
//
// Threading: one thread (the node's apply loop) calls everything; the queues it writes are
// read concurrently by Pull handlers (see consume_queue.h) and synced by the flusher.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/checkpoint_flusher.h"
#include "storage/consume_queue_store.h"
#include "storage/log_store.h"
#include "storage/message_record.h"
#include "storage/meta_store.h"

namespace raftmq::storage {

struct DispatcherOptions {
  EntryKind message_batch_kind{};  // the kind of the entries whose payload is a message batch; not 0
  uint64_t checkpoint_interval_entries = 10'000;  // entries applied between two checkpoints
  int64_t checkpoint_interval_ms = 1'000;         // time between two checkpoints, when busy
  uint64_t recovery_read_bytes_max = 4u << 20;    // payload bytes per CommitLog read in Recover
  // Called after a queue grew, with its new MaxOffset (e.g. to wake held long polls). Runs on
  // the dispatching thread: keep it short.
  std::function<void(std::string_view topic, uint32_t queue_id, uint64_t max_offset)> on_queue_grown;
};

// What Dispatch did with one entry.
struct DispatchOutcome {
  std::vector<uint64_t> queue_offsets;  // a message batch: each message's queue offset, in payload order
  Status skipped;                       // not OK: why the entry was skipped (nothing indexed)
};

class Dispatcher {
 public:
  Dispatcher(ConsumeQueueStore* queues, MetaStore* meta, DispatcherOptions options);

  // Makes the ConsumeQueues consistent with log entries [1, committed] (see above). Must run
  // once before Dispatch; afterwards applied_index() is min(max(checkpoint, committed),
  // log.LastIndex()). `committed` may lag (e.g. HardState.commit is only a hint): entries up
  // to the checkpoint were committed when they were dispatched.
  Status Recover(const CommitLogReader& log, Index committed);

  // Indexes entry `entry` (index applied_index() + 1), whose payload lies at `location`, and
  // advances applied_index(). A message batch gets the queue offset of each message; other
  // kinds nothing. A payload that is no valid batch is skipped (see above). An error is an
  // I/O failure: the Dispatcher then refuses further entries until Recover.
  Result<DispatchOutcome> Dispatch(const LogEntry& entry, const EntryLocation& location);

  // Syncs every queue, then records applied_index() and the queue sizes in the MetaStore;
  // waits for both (unlike the periodic checkpoints Dispatch starts).
  Status Checkpoint();
  // The final checkpoint.
  Status Close() { return Checkpoint(); }
  // Retention: the CommitLog now starts at `commit_log_position`; every queue drops what
  // points before it (ConsumeQueueStore::DeleteBefore). Returns the files removed.
  Result<size_t> DeleteQueueEntriesBefore(uint64_t commit_log_position) {
    return queues_->DeleteBefore(commit_log_position);
  }
  // Waits for the checkpoint in flight, if any; the error of a failed one.
  Status WaitForCheckpoint() { return flusher_->Wait(); }

  // Every queue's size (MaxOffset) now, ordered by topic, then queue id: between two
  // Dispatch calls, the queues as of applied_index() (what a snapshot records).
  std::vector<QueueSize> QueueSizes() const { return EveryQueueAt(&ConsumeQueue::MaxOffset); }
  // Every queue's MinOffset as a QueueSize: after retention, the queues as of the log's first
  // index - 1 (the entries after it are the ones a queue still holds).
  std::vector<QueueSize> QueueStarts() const { return EveryQueueAt(&ConsumeQueue::MinOffset); }
  // Snapshot restore, once the MetaStore holds the snapshot's checkpoint (its applied index
  // and queue sizes, written by the caller with the rest of the restored state): starts every
  // ConsumeQueue over, empty at its recorded size (ConsumeQueueStore::ResetAll), durably.
  // Recover must run next. Idempotent, so recovery of an interrupted restore runs it again.
  Status ResetQueuesToCheckpoint();

  Index applied_index() const { return applied_; }
  // Entries skipped since start-up (recovery included); readable from any thread.
  uint64_t entries_skipped() const { return entries_skipped_.load(std::memory_order_relaxed); }

 private:
  // (topic, queue id, `offset` of the queue) for every queue, ordered by topic, then queue id.
  std::vector<QueueSize> EveryQueueAt(uint64_t (ConsumeQueue::*offset)() const) const;
  struct PlannedAppend;

  struct ScannedRecord {
    size_t offset = 0;  // in the payload
    MessageRecordSummary summary;
  };

  // Every record of a batch payload; Corruption or InvalidArgument when one cannot be indexed
  // (a content problem, never I/O: a bad payload leaves the queues untouched).
  static Result<std::vector<ScannedRecord>> ScanBatch(std::string_view payload);
  Result<std::vector<uint64_t>> DispatchBatch(std::span<const ScannedRecord> records, uint64_t payload_position);
  Result<uint64_t> CutPosition(const CommitLogReader& log, Index last_dispatched) const;
  Status Redispatch(const CommitLogReader& log, Index last);
  // Recovery's check of the queues against the sizes recorded with the checkpoint
  // (dispatcher_recovery.cc).
  Result<std::set<QueueId>> FindDamagedQueues(const std::vector<QueueSize>& recorded) const;
  Status RebuildQueues(const CommitLogReader& log, const std::set<QueueId>& damaged, Index last_dispatched,
                       const std::vector<QueueSize>& recorded);
  Status MaybeCheckpoint();
  // Hands the next checkpoint to the flusher (which must be idle).
  Status StartCheckpoint();

  ConsumeQueueStore* const queues_;
  MetaStore* const meta_;
  const DispatcherOptions options_;

  std::unique_ptr<CheckpointFlusher> flusher_;
  // Each queue's MaxOffset as recorded by the last checkpoint handed to the flusher.
  std::map<QueueId, uint64_t> recorded_sizes_;
  bool recovered_ = false;
  Status failure_;  // sticky I/O failure: queues and applied_ may disagree until Recover
  Index applied_;
  Index checkpointed_;
  std::chrono::steady_clock::time_point checkpointed_at_;
  std::atomic<uint64_t> entries_skipped_{0};
};

}  // namespace raftmq::storage
