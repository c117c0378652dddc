// RaftLog: raft::Core's view of its log: the durable part read through storage::LogReader
// (the CommitLog) plus the not-yet-handed-out entries held in memory (etcd's log.go and
// log_unstable.go). It also tracks commit and applied.
//
// Invariants (asserted): applied <= committed <= LastIndex(); unstable entries are
// consecutive and start at stable_last + 1; a truncation never reaches at or below committed.
// Entries in memory are handed out by TakeUnstable(), after which they are read back from
// the LogReader.
//
// Compaction: entries below FirstIndex() are gone (retention, or a reset to a snapshot). The
// compaction point FirstIndex() - 1 still answers TermAt when the reader knows its term
// (after LogStore::ResetToSnapshot) or the latest snapshot (SnapshotReader) stands there, so
// an append after it is checked as usual; below it, and at it otherwise, the log is
// IsCompacted() and a follower that needs those entries gets a snapshot. Whoever compacts
// keeps FirstIndex() <= applied + 1: committed entries not yet applied are never dropped.
//
// Restore (a follower installing its leader's snapshot): the log then holds nothing up to the
// snapshot, whose (index, term) answers TermAt; committed = applied = its index. Until the
// driver persisted it (the Ready's snapshot) the reader still shows the old log, so nothing at
// or below the snapshot is read from it; unstable entries and a pending truncation are
// dropped (they were above the old commit and the snapshot replaces them), and nothing is left
// unstable across it but entries appended after it.
//
// Threading: owned by one Core.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "raft/snapshot_reader.h"
#include "storage/log_store.h"

namespace raftmq::raft {

class RaftLog {
 public:
  // `last_term` is the term of reader.LastIndex() (read by the caller, which handles errors);
  // `snapshots` may be null (no snapshots: only a reset log answers its compaction point).
  RaftLog(const storage::LogReader& reader, const SnapshotReader* snapshots, Term last_term, Index committed,
          Index applied);

  Index FirstIndex() const;
  Index LastIndex() const;
  Term LastTerm() const { return last_term_; }
  // Term 0 for index 0; NotFound outside the log: beyond LastIndex(), or compacted (below
  // FirstIndex() - 1, or at it when its term is unknown; not counted as a read error).
  Result<Term> TermAt(Index index) const;
  // True when `index` is compacted away: neither it nor its term can be read any more, so an
  // append after it cannot be sent (the follower needs a snapshot).
  bool IsCompacted(Index index) const;
  bool MatchTerm(Index index, Term term) const;
  // Entries [from, to), at least one when from < to, at most bytes_max of payload otherwise.
  Result<std::vector<storage::LogEntry>> Entries(Index from, Index to, uint64_t bytes_max) const;
  // Raft's "at least as up to date" rule, comparing (last_term, last_index) lexicographically.
  bool IsUpToDate(Index last_index, Term last_term) const;

  // Leader: appends entries that follow LastIndex().
  void Append(std::vector<storage::LogEntry> entries);
  // Follower: the kAppend rule. Returns the last index the append vouches for, or nothing
  // when (prev_index, prev_term) does not match. Truncates a divergent tail (never committed).
  std::optional<Index> MaybeAppend(Index prev_index, Term prev_term, const std::vector<storage::LogEntry>& entries);
  // The largest index <= `index` whose term is <= `term` (etcd's findConflictByTerm), with
  // its term: where a rejected append's logs may agree.
  std::pair<Index, Term> FindConflictByTerm(Index index, Term term) const;

  // Follower: starts the log after the leader's snapshot (see "Restore"); snapshot.index >
  // committed.
  void Restore(const storage::SnapshotMeta& snapshot);

  void CommitTo(Index index);
  // Committed entries after applied, at most bytes_max (at least one); marks them applied.
  std::vector<storage::LogEntry> TakeCommitted(uint64_t bytes_max);
  bool HasCommittedToApply() const { return applied_ < committed_; }

  // What the next Ready persists: the snapshot to reset to or the truncation point (never
  // both), then the in-memory entries.
  bool HasUnstable() const {
    return unstable_snapshot_.has_value() || truncate_after_.has_value() || !unstable_.empty();
  }
  struct Unstable {
    std::optional<storage::SnapshotMeta> snapshot;
    std::optional<Index> truncate_after;
    std::vector<storage::LogEntry> entries;
  };
  // Hands them out (moved, not copied): from now on they are read from the LogReader, which
  // reflects them once the driver persisted the Ready (nothing reads the log before that).
  Unstable TakeUnstable();

  Index committed() const { return committed_; }
  Index applied() const { return applied_; }
  uint64_t read_errors() const { return read_errors_; }

 private:
  void TruncateAndAppend(std::vector<storage::LogEntry> entries);
  Result<Term> CountedTermAt(Index index) const;
  // The term of the reader's compaction point (FirstIndex() - 1), NotFound when unknown.
  Result<Term> CompactionPointTerm(Index index) const;

  const storage::LogReader& reader_;
  const SnapshotReader* const snapshots_;  // may be null
  // Restored but not yet handed out: the reader still shows the log from before it.
  std::optional<storage::SnapshotMeta> unstable_snapshot_;
  // Entries <= stable_last_ are read from reader_; after a truncation into them the reader
  // still holds the old tail until the driver persists the Ready (truncate_after_ says so).
  Index stable_last_;
  std::optional<Index> truncate_after_;
  std::vector<storage::LogEntry> unstable_;
  Term last_term_;
  Index committed_;
  Index applied_;
  mutable uint64_t read_errors_ = 0;
};

}  // namespace raftmq::raft
