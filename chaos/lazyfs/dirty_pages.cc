#include "dirty_pages.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace raftmq::chaos::lazyfs {

std::string& DirtyPages::PageLocked(int fd, File& file, uint64_t page) {
  auto found = file.pages.find(page);
  if (found != file.pages.end()) return found->second;
  std::string bytes(kPageBytes, '\0');
  // Short reads (end of the backing file) leave zeros, as a sparse file reads.
  ssize_t got = ::pread(fd, bytes.data(), kPageBytes, static_cast<off_t>(page * kPageBytes));
  if (got < 0) got = 0;
  dirty_bytes_ += kPageBytes;
  return file.pages.emplace(page, std::move(bytes)).first->second;
}

ssize_t DirtyPages::Write(int fd, ino_t ino, off_t backing_size, const char* data, size_t size, off_t offset,
                          uint64_t free_bytes) {
  std::lock_guard lock(mutex_);
  auto [it, created] = files_.try_emplace(ino);
  File& file = it->second;
  if (created) file.size = backing_size;
  const uint64_t first_page = static_cast<uint64_t>(offset) / kPageBytes;
  const uint64_t last_page = (static_cast<uint64_t>(offset) + size + kPageBytes - 1) / kPageBytes;
  uint64_t new_bytes = 0;
  for (uint64_t page = first_page; page < last_page; ++page) {
    if (!file.pages.contains(page)) new_bytes += kPageBytes;
  }
  if (dirty_bytes_ + new_bytes > free_bytes) return -ENOSPC;
  size_t done = 0;
  while (done < size) {
    const uint64_t position = static_cast<uint64_t>(offset) + done;
    const uint64_t in_page = position % kPageBytes;
    const size_t chunk = std::min<size_t>(size - done, kPageBytes - in_page);
    std::memcpy(PageLocked(fd, file, position / kPageBytes).data() + in_page, data + done, chunk);
    done += chunk;
  }
  file.size = std::max<off_t>(file.size, offset + static_cast<off_t>(size));
  return static_cast<ssize_t>(size);
}

ssize_t DirtyPages::Read(int fd, ino_t ino, char* data, size_t size, off_t offset) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(ino);
  if (it == files_.end()) {
    ssize_t got = ::pread(fd, data, size, offset);
    return got < 0 ? -errno : got;
  }
  File& file = it->second;
  if (offset >= file.size) return 0;
  size = std::min<size_t>(size, static_cast<size_t>(file.size - offset));
  size_t done = 0;
  while (done < size) {
    const uint64_t position = static_cast<uint64_t>(offset) + done;
    const uint64_t in_page = position % kPageBytes;
    const size_t chunk = std::min<size_t>(size - done, kPageBytes - in_page);
    auto page = file.pages.find(position / kPageBytes);
    if (page != file.pages.end()) {
      std::memcpy(data + done, page->second.data() + in_page, chunk);
    } else {
      ssize_t got = ::pread(fd, data + done, chunk, static_cast<off_t>(position));
      if (got < 0) return -errno;
      std::memset(data + done + got, 0, chunk - static_cast<size_t>(got));
    }
    done += chunk;
  }
  return static_cast<ssize_t>(size);
}

off_t DirtyPages::Size(ino_t ino) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(ino);
  return it == files_.end() ? -1 : it->second.size;
}

void DirtyPages::Truncate(ino_t ino, off_t size) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(ino);
  if (it == files_.end()) return;
  File& file = it->second;
  const uint64_t keep_pages = (static_cast<uint64_t>(size) + kPageBytes - 1) / kPageBytes;
  for (auto page = file.pages.lower_bound(keep_pages); page != file.pages.end();) {
    dirty_bytes_ -= kPageBytes;
    page = file.pages.erase(page);
  }
  const uint64_t in_page = static_cast<uint64_t>(size) % kPageBytes;
  auto last = file.pages.find(static_cast<uint64_t>(size) / kPageBytes);
  if (in_page != 0 && last != file.pages.end()) std::memset(last->second.data() + in_page, 0, kPageBytes - in_page);
  file.size = size;
}

int DirtyPages::Sync(int fd, ino_t ino) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(ino);
  if (it == files_.end()) return 0;
  File& file = it->second;
  for (const auto& [page, bytes] : file.pages) {
    const off_t position = static_cast<off_t>(page * kPageBytes);
    if (position >= file.size) break;
    const size_t length = std::min<size_t>(kPageBytes, static_cast<size_t>(file.size - position));
    if (::pwrite(fd, bytes.data(), length, position) != static_cast<ssize_t>(length)) return errno ? -errno : -EIO;
  }
  if (::ftruncate(fd, file.size) != 0) return -errno;
  dirty_bytes_ -= file.pages.size() * kPageBytes;
  files_.erase(it);
  return 0;
}

void DirtyPages::Forget(ino_t ino) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(ino);
  if (it == files_.end()) return;
  dirty_bytes_ -= it->second.pages.size() * kPageBytes;
  files_.erase(it);
}

uint64_t DirtyPages::DropAll() {
  std::lock_guard lock(mutex_);
  const uint64_t dropped = dirty_bytes_;
  files_.clear();
  dirty_bytes_ = 0;
  return dropped;
}

}  // namespace raftmq::chaos::lazyfs
