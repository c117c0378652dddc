// Dispatcher: turns *committed* CommitLog entries, in index order, into ConsumeQueue entries.
// A kMessageBatch entry gets one ConsumeQueue entry per message at the queue's next offset,
// so offsets are assigned at apply time and are the same on every node; any other entry type
// only advances the applied index.
//
// Checkpoint: every checkpoint_interval_entries entries or checkpoint_interval_ms (and on
// Close) the Dispatcher syncs every ConsumeQueue and only then writes its applied index to the
// MetaStore, so a checkpoint never claims queue entries a crash can take away. The write is
// buffered: losing it only makes recovery redo more.
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
// each committed message in exactly one slot. If the CommitLog lost entries the checkpoint
// covers (async flush and an OS crash), recovery starts from the log's last entry instead;
// Raft brings the lost entries back and they are dispatched again.
//
// Threading: one thread (the node's apply loop) calls everything; the queues it writes are
// read concurrently by Pull handlers (see consume_queue.h).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/consume_queue_store.h"
#include "storage/log_store.h"
#include "storage/message_record.h"
#include "storage/meta_store.h"

namespace raftmq::storage {

struct DispatcherOptions {
  uint64_t checkpoint_interval_entries = 10'000;  // entries applied between two checkpoints
  int64_t checkpoint_interval_ms = 1'000;         // time between two checkpoints, when busy
  uint64_t recovery_read_bytes_max = 4u << 20;    // payload bytes per CommitLog read in Recover
  // Called after a queue grew, with its new MaxOffset (e.g. to wake held long polls). Runs on
  // the dispatching thread: keep it short.
  std::function<void(std::string_view topic, uint32_t queue_id, uint64_t max_offset)> on_queue_grown;
};

// What Dispatch did with one entry.
struct DispatchOutcome {
  std::vector<uint64_t> queue_offsets;  // kMessageBatch: each message's queue offset, in payload order
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
  // advances applied_index(). A kMessageBatch gets the queue offset of each message; other
  // types nothing. A payload that is no valid batch is skipped (see above). An error is an
  // I/O failure: the Dispatcher then refuses further entries until Recover.
  Result<DispatchOutcome> Dispatch(const LogEntry& entry, const EntryLocation& location);

  // Syncs every queue, then records applied_index() in the MetaStore.
  Status Checkpoint();
  // The final checkpoint.
  Status Close() { return Checkpoint(); }

  Index applied_index() const { return applied_; }
  // Entries skipped since start-up (recovery included); readable from any thread.
  uint64_t entries_skipped() const { return entries_skipped_.load(std::memory_order_relaxed); }

 private:
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
  Status MaybeCheckpoint();

  ConsumeQueueStore* const queues_;
  MetaStore* const meta_;
  const DispatcherOptions options_;

  bool recovered_ = false;
  Status failure_;  // sticky I/O failure: queues and applied_ may disagree until Recover
  Index applied_;
  Index checkpointed_;
  std::chrono::steady_clock::time_point checkpointed_at_;
  std::atomic<uint64_t> entries_skipped_{0};
};

}  // namespace raftmq::storage
