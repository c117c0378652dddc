// The contract between raft/ and storage/: the Raft log *is* the CommitLog, so raft::Core
// reads entries through LogReader and raft::Node persists a Ready through LogStore. There is
// no second copy of an entry anywhere.
//
// Threading: one writer thread (the raft::Node loop) calls Append, TruncateSuffix and Sync.
// Readers (the core on the node thread, the Dispatcher, Pull handlers) may run concurrently
// with the writer; an implementation documents which entries such readers may see.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "common/status.h"
#include "storage/conf_state.h"

namespace raftmq::storage {

// What an entry is: one byte stored in every CommitLog record header and carried as is on
// the wire. Storage and Raft's transport keep it opaque, as etcd keeps its entries: Raft owns
// the few kinds it writes and reads itself (raft/entry_kind.h: its no-op, membership), the
// application above it names the rest (broker/entry_kind.h). Storage checks no value (the
// record CRC covers the byte); Raft refuses to propose 0, the kind of an entry never given one.
enum class EntryKind : uint8_t {};

constexpr uint8_t KindByte(EntryKind kind) { return static_cast<uint8_t>(kind); }

struct LogEntry {
  Index index;
  Term term;
  EntryKind kind{};
  std::string payload;

  bool operator==(const LogEntry&) const = default;
};

// Where an entry's payload lies in the CommitLog: what the entry index maps an Index to.
// ConsumeQueue entries point into payloads by absolute position.
struct EntryLocation {
  uint64_t payload_position = 0;  // absolute byte position of the payload in the CommitLog
  uint32_t payload_size = 0;
  Term term;
};

// Where a snapshot of the state machine stands in the log: the state after applying every
// entry up to `index`, whose term is `term`. A log reset to a snapshot (LogStore::ResetToSnapshot)
// holds no entry up to `index` and answers TermAt(index) with `term`, so the next append's
// (prev_index, prev_term) check works as if the entries were there.
struct SnapshotMeta {
  Index index;
  Term term;

  // The membership as of `index` (voters and learners); a snapshot without voters is one whose
  // configuration was not recorded, and Raft never sends it (raft/core.h, "Membership").
  ConfState conf_state;

  bool operator==(const SnapshotMeta&) const = default;
};

class LogReader {
 public:
  virtual ~LogReader() = default;

  // The first entry still held (retention deletes old segments); LastIndex() + 1 when empty.
  virtual Index FirstIndex() const = 0;
  // The last entry appended (durable or not); Index(0) when the log has never held one, or
  // FirstIndex() - 1 after retention emptied it.
  virtual Index LastIndex() const = 0;
  // NotFound outside [FirstIndex() - 1, LastIndex()]; FirstIndex() - 1 answers only after a
  // ResetToSnapshot (or index 0: term 0).
  virtual Result<Term> TermAt(Index index) const = 0;
  // Entries [from, to) in order. Stops early once the payloads reach bytes_max, but always
  // returns at least one entry when from < to. NotFound when `from` is out of range.
  virtual Result<std::vector<LogEntry>> Entries(Index from, Index to, uint64_t bytes_max) const = 0;
};

// LogReader is a virtual base here and in CommitLogReader, so the CommitLog, which is both,
// is one LogReader (no cast needed to pick one).
class LogStore : public virtual LogReader {
 public:
  // Appends consecutive entries, the first at LastIndex() + 1. Durable only after Sync()
  // (or the background flush of the async policy).
  virtual Status Append(std::span<const LogEntry> entries) = 0;
  // Removes every entry after `last_kept` (a follower's divergent, uncommitted tail).
  virtual Status TruncateSuffix(Index last_kept) = 0;
  // Makes everything appended so far durable.
  virtual Status Sync() = 0;
  // Drops every entry and starts the log after `snapshot`: FirstIndex() == snapshot.index + 1,
  // LastIndex() == snapshot.index, TermAt(snapshot.index) == snapshot.term, durably (a restart
  // reopens it so). A follower installing a snapshot calls it before restoring the state machine.
  virtual Status ResetToSnapshot(const SnapshotMeta& snapshot) = 0;
  // True once a write failed in a way that only reopening the log can answer (a failed fsync:
  // what the page cache still holds is unknown, so recovery must re-verify from the last
  // durable point). raft::Node stops for good then instead of retrying. Any thread.
  virtual bool NeedsReopen() const { return false; }
};

}  // namespace raftmq::storage

namespace raftmq::storage {

// What readers of messages need beyond Raft's view: where an entry's payload lies, and raw
// reads by position (a ConsumeQueue entry points at a message by its CommitLog position).
class CommitLogReader : public virtual LogReader {
 public:
  // NotFound outside [FirstIndex(), LastIndex()].
  virtual Result<EntryLocation> Locate(Index index) const = 0;
  // Bytes [position, position + size) of the log; NotFound when the segment holding them was
  // deleted by retention, InvalidArgument when the range crosses a segment's end.
  virtual Result<std::string> ReadAt(uint64_t position, uint32_t size) const = 0;
};

}  // namespace raftmq::storage
