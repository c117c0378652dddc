// FaultFs: an Fs for tests that wraps another (usually DefaultFs() on a temp dir) and keeps
// a model of what a machine crash would leave behind, so tests can inject the failures real
// disks produce. Deterministic: nothing happens unless the test asks for it.
//
// What it models:
// - Durability per file: the length covered by the last successful Sync of that file.
//   Crash() truncates every file it has seen to that length (or keeps up to
//   `unsynced_bytes_kept` more, as a page cache that wrote back part of its dirty data).
// - Creations: a file created through this Fs is forgotten by Crash() unless SyncDir() of
//   its directory ran after the creation.
// - A rename over a file whose creation is durable keeps that name durable (a crash leaves
//   the old content or the new one, never no file; the model keeps the new one).
// - Removals, renames and truncations are durable at once (a simplification: real file
//   systems need a directory or file sync; storage/ syncs anyway, but this model cannot catch
//   a missing one). A truncation also lowers the synced length.
// - Failures: a torn append (the next append writes only its first K bytes, then fails), sync
//   errors (a failed Sync makes nothing durable), ENOSPC (a byte budget for appends, or
//   refusal on demand), read errors (EIO on every read while set).
// - Syncs are not forwarded to the wrapped Fs unless asked: durability is the model's, and
//   tests stay fast.
// After Crash() the machine is down: every operation fails with IoError (and Exists answers
// false) until Restart(), so the crashed process's last gasps (destructors) change nothing;
// handles opened before the crash stay dead after Restart() too.
//
// Threading: all methods may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "storage/fs.h"

namespace raftmq::storage {

class FaultFs final : public Fs {
 public:
  struct CrashOptions {
    uint64_t unsynced_bytes_kept = 0;  // per file, beyond its synced length
  };

  explicit FaultFs(Fs* base, bool forward_syncs = false);
  ~FaultFs() override;

  // --- fault injection (driven by the test) ---
  // The next Append writes only its first `bytes_kept` bytes, then fails with IoError.
  void InjectTornAppend(uint64_t bytes_kept);
  // The next `count` Syncs (file or directory) fail with IoError and make nothing durable.
  void InjectSyncErrors(int count);
  // Appends may write `bytes` more in total; the one that crosses the budget writes what fits
  // and fails with NoSpace. nullopt lifts the limit ("space returns").
  void SetAppendBudgetBytes(std::optional<uint64_t> bytes);
  // While on, every read of a file opened through this Fs fails with IoError (a disk that
  // answers EIO); off again: reads see the file as it is.
  void SetReadErrors(bool on);
  // Reported by SpaceOf instead of the wrapped Fs's numbers (nullopt: the real ones).
  void SetDiskSpace(std::optional<DiskSpace> space);
  // The machine crashes (as Crash()) at the sync (file or directory) that follows `syncs_ok`
  // more successful ones: that sync fails and makes nothing durable. Walking syncs_ok from 0
  // up crashes an operation at each of its durability steps in turn.
  void CrashAtSync(uint64_t syncs_ok);
  // Drops what is not durable (see above) and invalidates every open handle.
  void Crash(CrashOptions options);
  void Crash();
  void Restart();

  // --- observation ---
  uint64_t SyncCount() const;
  uint64_t SyncedSize(const std::string& path) const;

  // --- Fs ---
  Result<std::unique_ptr<WritableFile>> OpenAppendable(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> OpenReadable(const std::string& path) override;
  bool Exists(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<DiskSpace> SpaceOf(const std::string& path) override;
  Result<int64_t> ModifiedTimeSeconds(const std::string& path) override;

 private:
  class File;
  class ReadFile;
  friend class File;
  friend class ReadFile;

  struct FileModel {
    uint64_t synced_bytes = 0;
    bool creation_synced = true;
  };

  Status AppendTo(const std::string& path, WritableFile& base, std::string_view data, uint64_t epoch);
  Status SyncFile(const std::string& path, WritableFile& base, uint64_t epoch);
  Status CheckEpochLocked(uint64_t epoch) const;
  Status CheckUp() const;
  void CrashLocked(CrashOptions options);
  // Counts a sync; true when it is the one CrashAtSync named (the machine is down then).
  bool SyncCrashesLocked();
  FileModel& ModelLocked(const std::string& path);

  Fs* const base_;
  const bool forward_syncs_;
  mutable std::mutex mu_;
  uint64_t epoch_ = 0;  // bumped by Crash(); handles of an older epoch are dead
  bool down_ = false;   // between Crash() and Restart()
  std::map<std::string, FileModel> files_;
  std::optional<uint64_t> torn_append_bytes_kept_;
  int sync_errors_left_ = 0;
  std::optional<uint64_t> append_budget_bytes_;
  bool read_errors_ = false;
  std::optional<DiskSpace> disk_space_;
  uint64_t sync_count_ = 0;
  std::optional<uint64_t> syncs_before_crash_;
};

}  // namespace raftmq::storage
