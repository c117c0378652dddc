// DirtyPages: the written-but-not-fsynced part of every file of a lazyfs mount, kept in memory
// in 4 KiB pages per backing inode, the way a page cache holds data a power cut would lose.
// A write lands here; a read sees these pages over the backing file; fsync writes a file's
// pages to the backing file and forgets them; DropAll (the "power cut") forgets every page, so
// the backing directory holds exactly what was fsynced. Metadata (create, rename, unlink,
// truncate) is passed through at once, as if every directory were fsynced.
//
// Threading: every method takes the one mutex; callers are FUSE worker threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace raftmq::chaos::lazyfs {

inline constexpr uint64_t kPageBytes = 4096;

class DirtyPages {
 public:
  // Writes `size` bytes at `offset` of the file open as `fd` (backing inode `ino`, backing
  // size `backing_size`). Negative errno on failure: -ENOSPC when the backing file system
  // could not take the dirty bytes once they are synced (`free_bytes`).
  ssize_t Write(int fd, ino_t ino, off_t backing_size, const char* data, size_t size, off_t offset,
                uint64_t free_bytes);
  // Reads through the dirty pages; negative errno on failure.
  ssize_t Read(int fd, ino_t ino, char* data, size_t size, off_t offset);
  // The logical size of `ino` when it has unsynced writes, else -1.
  off_t Size(ino_t ino);
  // Applies a truncate (already done on the backing file) to the unsynced pages.
  void Truncate(ino_t ino, off_t size);
  // Writes `ino`'s pages to `fd` and forgets them; negative errno on failure.
  int Sync(int fd, ino_t ino);
  // Forgets `ino` (its last name is gone).
  void Forget(ino_t ino);
  // The power cut: forgets every unsynced page. Returns how many bytes were dropped.
  uint64_t DropAll();

 private:
  struct File {
    std::map<uint64_t, std::string> pages;  // page number -> kPageBytes bytes
    off_t size = 0;                          // logical size, unsynced writes included
  };
  // The page, loaded from the backing file (zeros past its end) when not dirty yet.
  std::string& PageLocked(int fd, File& file, uint64_t page);

  std::mutex mutex_;
  std::map<ino_t, File> files_;  // guarded by mutex_
  uint64_t dirty_bytes_ = 0;     // guarded by mutex_: pages held, over all files
};

}  // namespace raftmq::chaos::lazyfs
