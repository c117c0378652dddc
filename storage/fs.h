// Fs: the file-system seam (LevelDB's Env is the model). Every byte storage/ reads or writes
// goes through an Fs, so tests can swap in FaultFs (torn writes, fsync errors, ENOSPC, a crash
// that drops everything not yet synced) without touching the code under test. RocksDB (the
// MetaStore) is the one exception: it has its own Env.
//
// Threading: an Fs may be used from any thread. A WritableFile has one writer, but Sync (and
// Size) may be called from another thread while it appends (a background flusher); a
// RandomAccessFile may be read from many threads at once, also while the file grows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace raftmq::storage {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends at the end of the file. A short write reports IoError (or NoSpace on ENOSPC);
  // what reached the file before the error may stay.
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: everything appended so far survives a crash once this returns OK.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Bytes in the file, including what is appended but not yet synced.
  virtual uint64_t Size() const = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to `size` bytes at `offset` into `scratch`; the result may be shorter at EOF.
  virtual Result<std::string_view> Read(uint64_t offset, size_t size, char* scratch) const = 0;
};

struct DiskSpace {
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;
};

class Fs {
 public:
  virtual ~Fs() = default;

  // Opens `path` for appending, creating it if missing; the file keeps what it holds.
  virtual Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) = 0;

  virtual bool Exists(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, in no particular order.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates `dir` and missing parents; OK when it exists.
  virtual Status CreateDirs(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Cuts the file to `size` bytes (durable only after a sync of the file or its directory).
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  // Makes creations, renames and removals in `dir` durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  virtual Result<DiskSpace> SpaceOf(const std::string& path) = 0;
  // Seconds since the epoch of the last modification (retention by age).
  virtual Result<int64_t> ModifiedTimeSeconds(const std::string& path) = 0;
};

// The real file system (POSIX). Shared: it holds no state.
Fs* DefaultFs();

}  // namespace raftmq::storage
