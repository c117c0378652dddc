// EntryIndex: Raft index -> where the entry's payload lies in the CommitLog (position, size,
// term), in fixed-width records so a lookup is one pread. It is derived data: the CommitLog
// rebuilds it from its records when it is lost or behind (CommitLog::Open), so it is never
// synced on the append path.
//
// On disk: files in one directory, each named by the first index it holds (20 digits) and
// holding consecutive records; a new file starts at every index i with (i - 1) %
// entries_per_file == 0. One record (kRecordBytes):
//
//   0                 8        12                20       24
//   +-----------------+--------+-----------------+--------+
//   | position (u64)  | size   |   term (u64)    | crc    |
//   +-----------------+--------+-----------------+--------+
//   crc = crc32c::Mask(CRC32C(bytes [0, 20)))
//
// Appends are buffered in memory (up to buffer_bytes_max) and written by Flush; Get serves
// buffered records too, so an entry is visible as soon as Append returns.
//
// Threading: one writer (Append, TruncateAfter, TruncateBefore, Reset); Flush and Sync may
// also come from a flusher thread; Get from any thread. One mutex guards the state; the pread
// of a Get runs outside it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "storage/fs.h"
#include "storage/log_store.h"

namespace raftmq::storage {

struct EntryIndexOptions {
  std::string dir;
  // Records per file: 2^20 records make 24 MiB files.
  uint64_t entries_per_file = uint64_t{1} << 20;
  // Buffered records are written once they reach this many bytes (or on Flush).
  uint64_t buffer_bytes_max = 64 * 1024;
};

class EntryIndex {
 public:
  static constexpr size_t kRecordBytes = 24;

  // Loads the files; drops a torn or corrupt tail of the last file and any file after a gap.
  static Result<std::unique_ptr<EntryIndex>> Open(Fs* fs, EntryIndexOptions options);

  bool Empty() const;
  // Meaningful only when !Empty().
  Index FirstIndex() const;
  Index LastIndex() const;

  // `index` must be LastIndex() + 1, or anything when empty.
  Status Append(Index index, const EntryLocation& location);
  // NotFound outside [FirstIndex(), LastIndex()]; Corruption when the record fails its CRC.
  Result<EntryLocation> Get(Index index) const;
  // Forgets every index after `last_kept` (all of them when last_kept < FirstIndex()).
  Status TruncateAfter(Index last_kept);
  // Deletes files that hold only indexes before `first_kept` (never the last file).
  Status TruncateBefore(Index first_kept);
  // Deletes everything.
  Status Reset();
  // Writes buffered records to the files.
  Status Flush();
  // Flush, then makes the files durable.
  Status Sync();

 private:
  struct IndexFile {
    std::shared_ptr<RandomAccessFile> reader;
    uint64_t records = 0;  // written to the file (buffered ones excluded)
  };

  EntryIndex(Fs* fs, EntryIndexOptions options) : fs_(fs), options_(std::move(options)) {}
  Status LoadFiles();
  Status LoadLastFile(uint64_t first, uint64_t size_bytes);
  Status OpenFileLocked(uint64_t first);
  Status FlushLocked();
  std::string PathOf(uint64_t first) const;
  uint64_t LastLocked() const;

  Fs* const fs_;
  const EntryIndexOptions options_;
  mutable std::mutex mu_;
  std::map<uint64_t, IndexFile> files_;    // by first index
  std::shared_ptr<WritableFile> writer_;   // appends to the last file; Sync uses it unlocked
  std::string buffer_;                     // records after the last file's written ones
  uint64_t buffered_records_ = 0;
  bool dirty_ = false;                     // something changed since the last Sync
};

}  // namespace raftmq::storage
