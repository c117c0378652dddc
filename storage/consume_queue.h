// ConsumeQueue: the index of one (topic, queue id): entry N points at the N-th message of the
// queue in the CommitLog (layout in consume_queue_format.h). Built by the Dispatcher from
// committed entries only, so every node holds the same entries at the same offsets.
//
// Invariants: MinOffset() <= MaxOffset(); MaxOffset() is the next offset to be written; files
// are contiguous and every file but the last holds exactly entries_per_file entries; entries
// are in CommitLog order (positions increase with the offset).
//
// Threading: one writer (the Dispatcher, or recovery) calls Append, Sync, TruncateFrom,
// DeleteBefore and ResetTo. Any number of readers (Pull handlers) call Get, Read, MinOffset and
// MaxOffset concurrently with it. An appended entry becomes visible to readers only after its
// bytes are in the file (MaxOffset is published last, with release order); the file list is
// guarded by a shared mutex that readers hold across their read, so a truncation or deletion
// never pulls a file from under a reader. Entries a reader saw go away only by TruncateFrom
// (recovery, before readers start), DeleteBefore (retention raises MinOffset) and ResetTo
// (a snapshot restore: the queue starts over, empty, at the group's offset).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "storage/fs.h"

namespace raftmq::storage {

struct ConsumeQueueOptions {
  // Entries per file: 300,000 x 20 B = 6,000,000 B files, RocketMQ's mapedFileSizeConsumeQueue.
  uint64_t entries_per_file = 300'000;
  // Upper bound on the entries one Read returns (a Pull asks for at most 32 by default).
  size_t read_entries_max = 1024;
};

struct ConsumeQueueEntry {
  uint64_t commit_log_position = 0;
  uint32_t size = 0;
  uint64_t tag_hash = 0;

  bool operator==(const ConsumeQueueEntry&) const = default;
};

// What one ConsumeQueue has to make durable, taken by the writer (TakeUnsynced) and run on
// any thread (the Dispatcher's background flusher) while the writer goes on appending: the
// fsync covers every entry appended before the take. It keeps the file open by itself.
struct ConsumeQueueSync {
  Fs* fs = nullptr;
  std::shared_ptr<WritableFile> file;  // null when only the directory changed
  std::string dir;                     // synced when sync_dir
  bool sync_dir = false;

  Status Run() const;
};

// FNV-1a 64 of `tag`; 0 for the empty tag. A non-empty tag whose hash is 0 is stored as 1 so
// that 0 keeps meaning "no tag".
uint64_t TagHash(std::string_view tag);

class ConsumeQueue {
 public:
  // Opens the queue in `dir` (created when missing), cutting a torn tail: a partial last entry,
  // trailing all-zero entries, files after a short or missing one.
  static Result<std::unique_ptr<ConsumeQueue>> Open(Fs* fs, std::string dir, const ConsumeQueueOptions& options);
  ~ConsumeQueue();
  ConsumeQueue(const ConsumeQueue&) = delete;
  ConsumeQueue& operator=(const ConsumeQueue&) = delete;

  // Writer. Appends entries at offsets first_offset, first_offset + 1, ...; InvalidArgument
  // unless first_offset == MaxOffset(). After an I/O error the next append first cuts the
  // file back to MaxOffset() (a failed write may have left part of an entry), so appends go on
  // once the cause (a full disk) is gone; an error of that cut is the append's error.
  Status Append(uint64_t first_offset, std::span<const ConsumeQueueEntry> entries);
  // Makes every appended entry (and every file created) durable.
  Status Sync();
  // Removes every entry at or after `offset` (recovery). InvalidArgument below MinOffset().
  Status TruncateFrom(uint64_t offset);
  // Retention: the CommitLog now starts at `commit_log_position`. Removes whole files whose
  // every entry points before it (the last file always stays) and raises MinOffset() to the
  // first entry pointing at or after it (MaxOffset() when none does). Idempotent; the raised
  // MinOffset() is not stored, so the owner calls it again after reopening. Returns the
  // number of files removed.
  Result<size_t> DeleteBefore(uint64_t commit_log_position);
  // Snapshot restore: removes every file and starts the queue empty at `offset` (MinOffset() ==
  // MaxOffset() == offset), an empty file named by it keeping the offset across restarts.
  // Durable once Sync() ran (the caller syncs every queue it reset).
  Status ResetTo(uint64_t offset);
  // The first offset whose entry points at or after `commit_log_position`; MaxOffset() if none.
  Result<uint64_t> FirstOffsetAtOrAfter(uint64_t commit_log_position) const;
  // Writer: what Sync() would make durable, handed over (nullopt when nothing): afterwards
  // the queue counts it as synced, so the caller must run it before relying on it.
  std::optional<ConsumeQueueSync> TakeUnsynced();
  // Writer: whether Sync() has anything to make durable.
  bool HasUnsyncedData() const { return unsynced_; }

  // Readers. NotFound outside [MinOffset(), MaxOffset()).
  Result<ConsumeQueueEntry> Get(uint64_t offset) const;
  // Up to min(count_max, read_entries_max) entries from `from`; empty at MaxOffset(), NotFound
  // outside [MinOffset(), MaxOffset()].
  Result<std::vector<ConsumeQueueEntry>> Read(uint64_t from, size_t count_max) const;
  uint64_t MinOffset() const { return min_offset_.load(std::memory_order_acquire); }
  uint64_t MaxOffset() const { return max_offset_.load(std::memory_order_acquire); }
  const std::string& dir() const { return dir_; }

 private:
  struct File {
    uint64_t first_offset = 0;
    std::string path;
    std::unique_ptr<RandomAccessFile> reader;
  };

  ConsumeQueue(Fs* fs, std::string dir, const ConsumeQueueOptions& options);
  Status Load();
  Status CutTornTail();
  Status CutFilesAt(uint64_t offset);
  Status AddFile(uint64_t first_offset);  // opens an existing file for reading
  Status StartNextFile();
  Status AppendToFiles(std::span<const ConsumeQueueEntry> entries);
  // Read `count` entries from `offset`, all in one file; the caller holds files_mutex_ (or is
  // the writer, the only one who changes the file list).
  Result<std::string_view> ReadBytes(uint64_t offset, size_t count, char* scratch) const;
  Result<std::vector<ConsumeQueueEntry>> ReadInFile(uint64_t offset, size_t count) const;
  const File& FileOf(uint64_t offset) const;
  std::string PathOf(uint64_t first_offset) const;
  uint64_t FileEnd(const File& file) const { return file.first_offset + entries_per_file_; }

  Fs* const fs_;
  const std::string dir_;
  const uint64_t entries_per_file_;
  const size_t read_entries_max_;

  mutable std::shared_mutex files_mutex_;  // guards files_; readers shared, structure changes exclusive
  std::vector<File> files_;
  std::atomic<uint64_t> min_offset_{0};
  std::atomic<uint64_t> max_offset_{0};

  // Writer-only state.
  // Appends to files_.back(); shared with a ConsumeQueueSync in flight, so it is never
  // closed explicitly (the last owner closes it).
  std::shared_ptr<WritableFile> writer_;
  Status write_error_;                    // sticky: set by a failed append
  bool unsynced_ = false;
  bool dir_unsynced_ = false;
  std::string encode_buffer_;
};

}  // namespace raftmq::storage
