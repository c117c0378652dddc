// RaftLog: raft::Core's view of its log: the durable part read through storage::LogReader
// (the CommitLog) plus the not-yet-handed-out entries held in memory (etcd's log.go and
// log_unstable.go). It also tracks commit and applied.
//
// Invariants (asserted): applied <= committed <= LastIndex(); unstable entries are
// consecutive and start at stable_last + 1; a truncation never reaches at or below committed.
// Entries in memory are handed out by TakeUnstable(), after which they are read back from
// the LogReader.
//
// Threading: owned by one Core.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "storage/log_store.h"

namespace raftmq::raft {

class RaftLog {
 public:
  // `last_term` is the term of reader.LastIndex() (read by the caller, which handles errors).
  RaftLog(const storage::LogReader& reader, Term last_term, Index committed, Index applied);

  Index LastIndex() const;
  Term LastTerm() const { return last_term_; }
  // Term 0 for index 0; NotFound outside the log (or below the reader's FirstIndex).
  Result<Term> TermAt(Index index) const;
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

  void CommitTo(Index index);
  // Committed entries after applied, at most bytes_max (at least one); marks them applied.
  std::vector<storage::LogEntry> TakeCommitted(uint64_t bytes_max);
  bool HasCommittedToApply() const { return applied_ < committed_; }

  // What the next Ready persists: the truncation point (if any) and the in-memory entries.
  bool HasUnstable() const { return truncate_after_.has_value() || !unstable_.empty(); }
  struct Unstable {
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

  const storage::LogReader& reader_;
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
