// CommitLog: the Raft log of one broker node, stored as RocketMQ-style segment files (format
// in commit_log_format.h) with an EntryIndex beside it (Raft index -> payload position).
// It implements LogStore for raft::Node and CommitLogReader for the Dispatcher and Pull
// handlers; ConsumeQueue entries store the absolute positions it hands out.
//
// Durability (flush_policy):
// - kAsync (default): Append writes into the page cache; a background thread fsyncs every
//   flush_interval_ms. Sync() returns at once. Survives a process crash, not a power loss
//   (up to flush_interval_ms of appends may go).
// - kSync: Sync() fsyncs once for every append before it (group commit); DurableIndex()
//   covers an append only after that. Survives power loss for everything Sync() covered.
//   That one fdatasync of the active segment is all the ack path pays: the entry index is
//   not synced there, because it is derived data. Only the periodic Flush syncs it, before
//   writing the checkpoint that vouches for it; after a crash recovery re-reads every record
//   past the checkpoint and rebuilds the index entries for them (or the whole index when it
//   is behind the checkpoint), so an index lost with the page cache costs a scan, never data.
// Either policy asks the kernel to start writeback every bytes_per_sync bytes, so fsyncs
// (periodic, roll, Sync) find little dirty data left.
// A failed fsync poisons the log: every later write answers that error until the log is
// reopened (recovery then trusts only what it can verify). ENOSPC does not: the failed
// append is cut back and later appends are tried again.
//
// Recovery (Open): starts at the checkpoint (the last position verified and made durable
// together with the entry index) and checks the CRC of every record after it. A torn tail of
// the newest segment (a record cut short, or zeros or garbage with no sound record after
// them: the writer died mid-append) is cut, logging segment, position, bytes and reason. A
// bad record with a sound record after it, or a bad record in any older segment, is
// corruption: Open answers Corruption naming the file, the position and the recovery step
// (wipe the node's data directory so the leader repairs it), and cuts nothing. The entry
// index is rebuilt from the records when it is behind or lost.
//
// Reset to a snapshot (ResetToSnapshot, commit_log_snapshot.cc): the snapshot point file
// records (index, term, resetting) durably before any segment goes; then every segment, the
// entry index and the checkpoint are removed, an empty segment starts at position 0 (positions
// are node-local), and the point is rewritten as in place. A crash before the first write
// keeps the old log; after it, Open finishes the reset. So FirstIndex() == index + 1 and
// TermAt(index) == term across restarts, until retention deletes entries after it.
// Retention writes the point too, in the same two steps: (index, term, trimming) of the last
// entry it will delete, durably before any segment goes, then in place once the deletion is
// durable; a crash between them is finished by Open. So TermAt(FirstIndex() - 1) answers
// after retention as after a reset, across crashes (a leader sends appends right after its
// first entry, and its snapshot at FirstIndex() - 1 names a term).
//
// Retention is split in two: RetentionCutoff, a query any thread may ask (which index the
// deletable whole segments end before), and DeleteSegmentsBefore, which the writer runs when
// the group decided (broker/retention_scheduler.h). A segment is deletable when it holds no
// entry at or after the caller's bound, is not the newest segment holding an entry, and is
// older than retention_hours (when asked to judge by age) or the disk is above
// disk_usage_watermark_percent (then the oldest go until the projected use is below it).
//
// Threading: one writer thread calls Append, TruncateSuffix, ResetToSnapshot, Sync, Flush and
// DeleteSegmentsBefore. Readers (TermAt, Locate, Entries, ReadAt, FirstIndex, LastIndex,
// DurableIndex) may run on any thread at the same time. A reader sees every entry up to the
// LastIndex() it observed, complete (an entry is published after its bytes and index record
// are in place). Entries a concurrent TruncateSuffix removes may still be returned or may
// fail with NotFound; a concurrent retention deletion or reset to a snapshot makes reads of the
// deleted range fail with NotFound. Committed entries are never truncated, so the Dispatcher and Pull handlers,
// which read only committed entries, always get them intact.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "storage/entry_index.h"
#include "storage/fs.h"
#include "storage/log_checkpoint.h"
#include "storage/log_retention.h"
#include "storage/log_segment.h"
#include "storage/log_store.h"
#include "storage/snapshot_point.h"

namespace raftmq::storage {

enum class FlushPolicy : uint8_t { kAsync, kSync };

struct CommitLogOptions {
  std::string dir;                                 // created if missing
  uint64_t segment_size_bytes = uint64_t{1} << 30;  // 1 GiB; a bigger lone record gets its own segment
  FlushPolicy flush_policy = FlushPolicy::kAsync;
  // Background fsync period (kAsync) and checkpoint period (both policies).
  uint64_t flush_interval_ms = 500;
  // kAsync and kSync: after this many appended bytes the CommitLog asks the kernel to start
  // writing them back (WritableFile::StartWriteback), so the periodic fsync (or the roll
  // fsync) finds little dirty data and writeback overlaps appends instead of arriving as a
  // burst. 0 turns it off. 8 MiB, not RocksDB's usual 1 MiB: sync_file_range submits the
  // writeback on the appending thread, and at 1 MiB storage_bench measured it slower than off.
  uint64_t bytes_per_sync = uint64_t{8} << 20;
  // RetentionCutoff (judging by age) counts segments whose last write is older than this.
  uint64_t retention_hours = 72;
  // Above this disk usage RetentionCutoff counts the oldest segments whatever their age.
  uint32_t disk_usage_watermark_percent = 85;
  // Records per entry-index file (24 bytes each).
  uint64_t index_entries_per_file = uint64_t{1} << 20;
  // Read size of recovery scans and Entries.
  uint64_t read_chunk_bytes = 1 << 20;
};

class CommitLog final : public LogStore, public CommitLogReader, public LogRetention {
 public:
  static Result<std::unique_ptr<CommitLog>> Open(Fs* fs, CommitLogOptions options);
  // Stops the flusher and flushes (errors are logged).
  ~CommitLog() override;
  CommitLog(const CommitLog&) = delete;
  CommitLog& operator=(const CommitLog&) = delete;

  // --- LogReader / CommitLogReader ---
  Index FirstIndex() const override;
  Index LastIndex() const override;
  Result<Term> TermAt(Index index) const override;
  // `to` is clamped to LastIndex() + 1.
  Result<std::vector<LogEntry>> Entries(Index from, Index to, uint64_t bytes_max) const override;
  Result<EntryLocation> Locate(Index index) const override;
  Result<std::string> ReadAt(uint64_t position, uint32_t size) const override;

  // --- LogStore ---
  // On error a prefix of `entries` may have been appended (LastIndex() says how much); the
  // log itself stays well formed. InvalidArgument for a payload over 4 GiB.
  Status Append(std::span<const LogEntry> entries) override;
  // Also makes the truncation durable. InvalidArgument below FirstIndex() - 1.
  Status TruncateSuffix(Index last_kept) override;
  // kSync: fsync (skipped when nothing was appended since the last one). kAsync: nothing.
  Status Sync() override;
  // True once poisoned (a failed fsync, or a failed cut of a failed append).
  bool NeedsReopen() const override;
  // A failure after the snapshot point was written poisons the log: reopening finishes the reset.
  Status ResetToSnapshot(const SnapshotMeta& snapshot) override;

  // Whatever the policy: fsyncs the log and the entry index and writes the checkpoint.
  Status Flush();
  // The last index known durable (fsynced).
  Index DurableIndex() const;
  // The index the deletable segments (see the top) end before, at wall-clock `now_seconds`,
  // never past `bound`; FirstIndex() when none is. `by_age`: count segments older than
  // retention_hours (else only the disk watermark counts). Reads file times and disk space.
  Result<Index> RetentionCutoff(int64_t now_seconds, Index bound, bool by_age) const;
  // --- LogRetention ---
  Result<SegmentsDeleted> DeleteSegmentsBefore(Index index) override;
  // Absolute position just after the last record (where the next append goes).
  uint64_t EndPosition() const;
  size_t SegmentCount() const;

 private:
  CommitLog(Fs* fs, CommitLogOptions options) : fs_(fs), options_(std::move(options)) {}

  // Recovery (commit_log_recovery.cc).
  Status Recover();
  Status LoadSegments();
  Status ReadFirstIndexes();
  Result<LogCheckpoint> ChooseScanStart();
  Status ScanFrom(LogCheckpoint start);
  Status CheckTornTail(const LogSegment& segment, uint64_t bad_offset, RecordCheck check);
  Status CorruptionAt(const LogSegment& segment, uint64_t bad_offset, RecordCheck check,
                      const std::string& why_not_torn) const;
  Status CutTail(LogSegment& segment, uint64_t valid_bytes, std::string_view reason);
  Status OpenActiveSegment();
  Result<std::optional<SnapshotPoint>> LoadSnapshotPoint();
  Status ApplySnapshotPoint(const std::optional<SnapshotPoint>& point);

  // Retention (commit_log_trim.cc): the first entry of the oldest segment DeleteSegmentsBefore
  // keeps; then the deletion of every segment before it, ending with the point in place.
  Index FirstKeptBefore(Index index) const;
  Result<SegmentsDeleted> DeleteSegmentsThrough(const SnapshotMeta& last_deleted);

  // Reset to a snapshot (commit_log_snapshot.cc): removes every file of the log but the
  // snapshot point, and starts an empty segment at position 0 and an empty entry index.
  Status RemoveLogFiles(const SnapshotMeta& snapshot);
  Status StartEmptyLogLocked(const SnapshotMeta& snapshot);

  // Writing (commit_log.cc).
  Status WriteBufferLocked();
  void StartWritebackLocked();
  Status RollLocked();
  Status FlushLocked();
  Status PoisonLocked(Status status);
  Status CutSegmentsAfterLocked(uint64_t cut_position);
  // Bytes above the disk usage watermark now (0 when below it or the size is unknown).
  Result<uint64_t> BytesAboveWatermark() const;
  std::shared_ptr<LogSegment> SegmentAt(uint64_t position) const;
  void FlusherLoop();
  std::string SegmentPath(uint64_t base) const;
  Result<std::unique_ptr<RandomAccessFile>> OpenSegmentReader(uint64_t base);

  Fs* const fs_;
  const CommitLogOptions options_;
  std::unique_ptr<EntryIndex> index_;

  // Readers take it shared to find a segment; the writer exclusively to add or remove one.
  mutable std::shared_mutex segments_mu_;
  std::map<uint64_t, std::shared_ptr<LogSegment>> segments_;  // by base

  // Held by the writing operations and by the flusher while it snapshots what to sync.
  mutable std::mutex write_mu_;
  std::shared_ptr<LogSegment> active_;
  std::shared_ptr<WritableFile> active_writer_;
  uint64_t durable_position_ = 0;
  uint64_t writeback_position_ = 0;  // absolute; StartWriteback was asked for the active segment up to here
  Status poisoned_;            // a failed fsync: the log refuses writes until reopened
  std::string encode_buffer_;  // records of the append in progress, reused across appends
  std::vector<std::pair<Index, EntryLocation>> encoded_locations_;  // the same records' places
  std::vector<uint32_t> record_crcs_;  // the append's record CRCs, computed before encoding

  // One flush (and checkpoint write) at a time; TruncateSuffix and retention hold it
  // throughout so a checkpoint can never point past a cut.
  std::mutex flush_mu_;
  LogCheckpoint checkpoint_;

  // Guarded by segments_mu_: the last reset to a snapshot or retention's last deletion, if any
  // (TermAt(index) answers it while index == FirstIndex() - 1).
  std::optional<SnapshotMeta> snapshot_;

  std::atomic<uint64_t> first_index_{1};
  std::atomic<uint64_t> last_index_{0};
  std::atomic<uint64_t> durable_index_{0};

  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;
  bool flusher_stopping_ = false;
  std::thread flusher_;
};

}  // namespace raftmq::storage
