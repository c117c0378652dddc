#include "raft/raft_log.h"

#include "common/assert.h"

namespace raftmq::raft {

using storage::LogEntry;

RaftLog::RaftLog(const storage::LogReader& reader, const SnapshotReader* snapshots, Term last_term, Index committed,
                 Index applied)
    : reader_(reader), snapshots_(snapshots), stable_last_(reader.LastIndex()), last_term_(last_term),
      committed_(committed), applied_(applied) {
  RMQ_ASSERT(applied_ <= committed_);
  RMQ_ASSERT(committed_ <= stable_last_);
  RMQ_ASSERT(applied_ + 1 >= reader.FirstIndex());
}

Index RaftLog::FirstIndex() const {
  return unstable_snapshot_ ? unstable_snapshot_->index + 1 : reader_.FirstIndex();
}

Index RaftLog::LastIndex() const { return unstable_.empty() ? stable_last_ : unstable_.back().index; }

Result<Term> RaftLog::TermAt(Index index) const {
  if (index == Index(0)) return Term(0);
  if (index > LastIndex()) return Status::NotFound("index beyond the last entry");
  if (index > stable_last_) return unstable_[index - (stable_last_ + 1)].term;
  if (unstable_snapshot_) {
    if (index == unstable_snapshot_->index) return unstable_snapshot_->term;
    return Status::NotFound("index compacted: below the snapshot being installed");
  }
  const Index first = reader_.FirstIndex();
  if (index + 1 < first) return Status::NotFound("index compacted");
  if (index + 1 == first) return CompactionPointTerm(index);
  return CountedTermAt(index);
}

Result<Term> RaftLog::CompactionPointTerm(Index index) const {
  // The reader knows it after a reset to a snapshot; after retention only a snapshot taken
  // exactly there does.
  if (Result<Term> term = reader_.TermAt(index); term.ok()) return term;
  if (snapshots_ != nullptr) {
    Result<std::optional<storage::SnapshotMeta>> latest = snapshots_->Latest();
    if (latest.ok() && latest->has_value() && (*latest)->index == index) return (*latest)->term;
  }
  return Status::NotFound("index compacted: the term of the compaction point is unknown");
}

bool RaftLog::IsCompacted(Index index) const {
  const Index first = FirstIndex();
  if (index + 1 < first) return true;
  return index + 1 == first && index > Index(0) && !TermAt(index).ok();
}

Result<Term> RaftLog::CountedTermAt(Index index) const {
  Result<Term> term = reader_.TermAt(index);
  if (!term.ok()) ++read_errors_;
  return term;
}

bool RaftLog::MatchTerm(Index index, Term term) const {
  Result<Term> found = TermAt(index);
  return found.ok() && *found == term;
}

Result<std::vector<LogEntry>> RaftLog::Entries(Index from, Index to, uint64_t bytes_max) const {
  RMQ_ASSERT(from <= to);
  RMQ_ASSERT(to <= LastIndex() + 1);
  std::vector<LogEntry> entries;
  uint64_t bytes = 0;
  if (unstable_snapshot_ && from <= stable_last_) return Status::NotFound("entries compacted by a snapshot");
  if (from <= stable_last_) {
    Index stable_to = to <= stable_last_ + 1 ? to : stable_last_ + 1;
    auto stored = reader_.Entries(from, stable_to, bytes_max);
    if (!stored.ok()) {
      ++read_errors_;
      return stored.status();
    }
    entries = std::move(stored).value();
    for (const LogEntry& entry : entries) bytes += entry.payload.size();
    // Stopped early on bytes (or the reader returned fewer): the batch ends here.
    if (entries.empty() || entries.back().index + 1 != stable_to) return entries;
    from = stable_to;
  }
  for (Index index = from; index < to; ++index) {
    const LogEntry& entry = unstable_[index - (stable_last_ + 1)];
    if (!entries.empty() && bytes + entry.payload.size() > bytes_max) break;
    bytes += entry.payload.size();
    entries.push_back(entry);
  }
  return entries;
}

bool RaftLog::IsUpToDate(Index last_index, Term last_term) const {
  return last_term > last_term_ || (last_term == last_term_ && last_index >= LastIndex());
}

void RaftLog::Append(std::vector<LogEntry> entries) {
  RMQ_ASSERT(!entries.empty());
  RMQ_ASSERT(entries.front().index == LastIndex() + 1);
  last_term_ = entries.back().term;
  for (LogEntry& entry : entries) unstable_.push_back(std::move(entry));
}

std::optional<Index> RaftLog::MaybeAppend(Index prev_index, Term prev_term, const std::vector<LogEntry>& entries) {
  if (!MatchTerm(prev_index, prev_term)) return std::nullopt;
  Index last_new = prev_index + entries.size();
  // The first entry that is new or conflicts; entries before it are already held.
  size_t first_new = 0;
  while (first_new < entries.size() && MatchTerm(entries[first_new].index, entries[first_new].term)) ++first_new;
  if (first_new < entries.size()) {
    RMQ_ASSERT_MSG(entries[first_new].index > committed_, "a leader asked to overwrite a committed entry");
    TruncateAndAppend(std::vector<LogEntry>(entries.begin() + static_cast<std::ptrdiff_t>(first_new), entries.end()));
  }
  return last_new;
}

void RaftLog::TruncateAndAppend(std::vector<LogEntry> entries) {
  Index first = entries.front().index;
  RMQ_ASSERT(first > committed_);
  RMQ_ASSERT(first <= LastIndex() + 1);
  if (first <= stable_last_) {
    // The divergent tail reaches into persisted entries: the driver truncates them first.
    stable_last_ = first - 1;
    truncate_after_ = truncate_after_ && *truncate_after_ < stable_last_ ? *truncate_after_ : stable_last_;
    unstable_.clear();
  } else {
    unstable_.resize(first - (stable_last_ + 1));
  }
  Append(std::move(entries));
}

std::pair<Index, Term> RaftLog::FindConflictByTerm(Index index, Term term) const {
  // Bounded by the log's length; every TermAt here is an in-memory lookup in the CommitLog's
  // entry index.
  while (index > Index(0)) {
    Result<Term> found = TermAt(index);
    if (!found.ok()) return {index, Term(0)};
    if (*found <= term) return {index, *found};
    index = index - 1;
  }
  return {Index(0), Term(0)};
}

void RaftLog::Restore(const storage::SnapshotMeta& snapshot) {
  RMQ_ASSERT(snapshot.index > committed_);
  RMQ_ASSERT(applied_ <= committed_);
  unstable_snapshot_ = snapshot;
  truncate_after_.reset();
  unstable_.clear();
  stable_last_ = snapshot.index;
  last_term_ = snapshot.term;
  committed_ = snapshot.index;
  applied_ = snapshot.index;
  RMQ_ASSERT(LastIndex() == snapshot.index);
  RMQ_ASSERT(!truncate_after_ && unstable_.empty());
}

void RaftLog::CommitTo(Index index) {
  if (index <= committed_) return;
  RMQ_ASSERT(index <= LastIndex());
  committed_ = index;
}

std::vector<LogEntry> RaftLog::TakeCommitted(uint64_t bytes_max) {
  RMQ_ASSERT(applied_ <= committed_);
  if (applied_ == committed_) return {};
  auto entries = Entries(applied_ + 1, committed_ + 1, bytes_max);
  if (!entries.ok()) return {};  // counted in read_errors_; retried by the next Ready
  RMQ_ASSERT(!entries->empty());
  RMQ_ASSERT(entries->front().index == applied_ + 1);
  applied_ = entries->back().index;
  return std::move(entries).value();
}

RaftLog::Unstable RaftLog::TakeUnstable() {
  // A restore drops the truncation: the driver resets the whole log instead.
  RMQ_ASSERT(!(unstable_snapshot_ && truncate_after_));
  RMQ_ASSERT(!unstable_snapshot_ || unstable_.empty() || unstable_.front().index == unstable_snapshot_->index + 1);
  Unstable taken{unstable_snapshot_, truncate_after_, std::move(unstable_)};
  unstable_snapshot_.reset();
  // The truncated entries were never committed (asserted in TruncateAndAppend); the commit
  // may since have moved into the entries that replace them.
  RMQ_ASSERT(!taken.truncate_after || (!taken.entries.empty() && taken.entries.front().index == *taken.truncate_after + 1));
  stable_last_ = taken.entries.empty() ? stable_last_ : taken.entries.back().index;
  truncate_after_.reset();
  unstable_.clear();
  RMQ_ASSERT(LastIndex() == stable_last_);
  return taken;
}

}  // namespace raftmq::raft
