// raftmq-lazyfs: a FUSE passthrough that keeps written-but-not-fsynced data in memory
// (DirtyPages) and drops it on SIGUSR1 — a power cut of the files under it, in the style of
// Jepsen's lazyfs. The chaos harness mounts one per node over the node's data dir, kills the
// broker, sends SIGUSR1, and restarts the broker on what was durable.
//
//   raftmq-lazyfs BACKING_DIR MOUNT_POINT     (foreground; unmounts on SIGTERM/SIGINT)
//
// The kernel's page cache is bypassed (direct_io, no attribute caching) so nothing the cut
// dropped can be served from it. Free space is that of the backing file system minus the
// unsynced bytes, so a full disk shows at write(), as it would, not at fsync.
#define FUSE_USE_VERSION 35

#include <fuse3/fuse.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "dirty_pages.h"

namespace {

using raftmq::chaos::lazyfs::DirtyPages;

std::string g_backing;
DirtyPages g_pages;

std::string Backing(const char* path) { return g_backing + path; }
int Errno(int result) { return result < 0 ? -errno : result; }

uint64_t FreeBytes() {
  struct statvfs stats {};
  if (::statvfs(g_backing.c_str(), &stats) != 0) return 0;
  return static_cast<uint64_t>(stats.f_bavail) * stats.f_frsize;
}

ino_t InodeOf(int fd, off_t* size = nullptr) {
  struct stat stats {};
  if (::fstat(fd, &stats) != 0) return 0;
  if (size != nullptr) *size = stats.st_size;
  return stats.st_ino;
}

void* Init(fuse_conn_info* /*connection*/, fuse_config* config) {
  config->use_ino = 1;
  config->direct_io = 1;
  config->kernel_cache = 0;
  config->entry_timeout = 0;
  config->attr_timeout = 0;
  config->negative_timeout = 0;
  return nullptr;
}

int GetAttr(const char* path, struct stat* stats, fuse_file_info* /*file*/) {
  if (::lstat(Backing(path).c_str(), stats) != 0) return -errno;
  off_t size = g_pages.Size(stats->st_ino);
  if (size >= 0) stats->st_size = size;
  return 0;
}

int ReadDir(const char* path, void* buffer, fuse_fill_dir_t fill, off_t /*offset*/, fuse_file_info* /*file*/,
            fuse_readdir_flags /*flags*/) {
  DIR* dir = ::opendir(Backing(path).c_str());
  if (dir == nullptr) return -errno;
  while (dirent* entry = ::readdir(dir)) fill(buffer, entry->d_name, nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  ::closedir(dir);
  return 0;
}

int MkDir(const char* path, mode_t mode) { return Errno(::mkdir(Backing(path).c_str(), mode)); }
int RmDir(const char* path) { return Errno(::rmdir(Backing(path).c_str())); }

// Forgets the unsynced pages of the file at `path` when this was its last name.
void ForgetIfLastLink(const std::string& path) {
  struct stat stats {};
  if (::lstat(path.c_str(), &stats) == 0 && S_ISREG(stats.st_mode) && stats.st_nlink == 1) g_pages.Forget(stats.st_ino);
}

int Unlink(const char* path) {
  ForgetIfLastLink(Backing(path));
  return Errno(::unlink(Backing(path).c_str()));
}

int Rename(const char* from, const char* to, unsigned int flags) {
  if (flags != 0) return -EINVAL;
  ForgetIfLastLink(Backing(to));
  return Errno(::rename(Backing(from).c_str(), Backing(to).c_str()));
}

int Link(const char* from, const char* to) { return Errno(::link(Backing(from).c_str(), Backing(to).c_str())); }
int ChMod(const char* path, mode_t mode, fuse_file_info* /*file*/) { return Errno(::chmod(Backing(path).c_str(), mode)); }
int Utimens(const char* path, const timespec times[2], fuse_file_info* /*file*/) {
  return Errno(::utimensat(AT_FDCWD, Backing(path).c_str(), times, AT_SYMLINK_NOFOLLOW));
}

int Open(const char* path, fuse_file_info* file) {
  // Writes go through pread/pwrite on our own descriptor: never O_APPEND or write-only.
  int flags = (file->flags & ~(O_APPEND | O_WRONLY | O_DIRECT)) | O_RDWR;
  int fd = ::open(Backing(path).c_str(), flags & ~O_TRUNC);
  if (fd < 0 && errno == EACCES) fd = ::open(Backing(path).c_str(), O_RDONLY);
  if (fd < 0) return -errno;
  if ((file->flags & O_TRUNC) != 0) {
    if (::ftruncate(fd, 0) != 0) { ::close(fd); return -EIO; }
    g_pages.Truncate(InodeOf(fd), 0);
  }
  file->fh = static_cast<uint64_t>(fd);
  file->direct_io = 1;
  return 0;
}

int Create(const char* path, mode_t mode, fuse_file_info* file) {
  int fd = ::open(Backing(path).c_str(), O_CREAT | O_RDWR | (file->flags & O_EXCL), mode);
  if (fd < 0) return -errno;
  if ((file->flags & O_TRUNC) != 0 && ::ftruncate(fd, 0) == 0) g_pages.Truncate(InodeOf(fd), 0);
  file->fh = static_cast<uint64_t>(fd);
  file->direct_io = 1;
  return 0;
}

int Read(const char* /*path*/, char* buffer, size_t size, off_t offset, fuse_file_info* file) {
  const int fd = static_cast<int>(file->fh);
  return static_cast<int>(g_pages.Read(fd, InodeOf(fd), buffer, size, offset));
}

int Write(const char* /*path*/, const char* buffer, size_t size, off_t offset, fuse_file_info* file) {
  const int fd = static_cast<int>(file->fh);
  if ((file->flags & O_APPEND) != 0) {
    off_t logical = g_pages.Size(InodeOf(fd));
    offset = logical >= 0 ? logical : ::lseek(fd, 0, SEEK_END);
  }
  off_t backing_size = 0;
  const ino_t ino = InodeOf(fd, &backing_size);
  return static_cast<int>(g_pages.Write(fd, ino, backing_size, buffer, size, offset, FreeBytes()));
}

int Truncate(const char* path, off_t size, fuse_file_info* file) {
  int fd = file != nullptr ? static_cast<int>(file->fh) : ::open(Backing(path).c_str(), O_RDWR);
  if (fd < 0) return -errno;
  int result = Errno(::ftruncate(fd, size));
  if (result == 0) g_pages.Truncate(InodeOf(fd), size);
  if (file == nullptr) ::close(fd);
  return result;
}

int Fsync(const char* /*path*/, int /*datasync*/, fuse_file_info* file) {
  const int fd = static_cast<int>(file->fh);
  int result = g_pages.Sync(fd, InodeOf(fd));
  return result != 0 ? result : Errno(::fdatasync(fd));
}

int Release(const char* /*path*/, fuse_file_info* file) { return Errno(::close(static_cast<int>(file->fh))); }

int StatFs(const char* /*path*/, struct statvfs* stats) { return Errno(::statvfs(g_backing.c_str(), stats)); }

int Access(const char* path, int mask) { return Errno(::access(Backing(path).c_str(), mask)); }

int FsyncDir(const char* /*path*/, int /*datasync*/, fuse_file_info* /*file*/) { return 0; }

// SIGUSR1: the power cut. A thread waits for it, so the drop runs outside a signal handler.
void WaitForPowerCuts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  for (;;) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    const uint64_t dropped = g_pages.DropAll();
    std::fprintf(stderr, "raftmq-lazyfs: power cut: dropped %llu unsynced bytes\n",
                 static_cast<unsigned long long>(dropped));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: raftmq-lazyfs BACKING_DIR MOUNT_POINT\n");
    return 2;
  }
  char* backing = ::realpath(argv[1], nullptr);
  if (backing == nullptr) {
    std::fprintf(stderr, "raftmq-lazyfs: no backing dir %s: %s\n", argv[1], std::strerror(errno));
    return 1;
  }
  g_backing = backing;
  std::free(backing);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // every thread started after this inherits it
  std::thread(WaitForPowerCuts).detach();

  fuse_operations operations{};
  operations.init = Init;
  operations.getattr = GetAttr;
  operations.readdir = ReadDir;
  operations.mkdir = MkDir;
  operations.rmdir = RmDir;
  operations.unlink = Unlink;
  operations.rename = Rename;
  operations.link = Link;
  operations.chmod = ChMod;
  operations.utimens = Utimens;
  operations.open = Open;
  operations.create = Create;
  operations.read = Read;
  operations.write = Write;
  operations.truncate = Truncate;
  operations.fsync = Fsync;
  operations.release = Release;
  operations.statfs = StatFs;
  operations.access = Access;
  operations.fsyncdir = FsyncDir;
  char* fuse_argv[] = {argv[0], argv[2], const_cast<char*>("-f"), const_cast<char*>("-o"),
                       const_cast<char*>("fsname=raftmq-lazyfs,auto_unmount")};
  return fuse_main(5, fuse_argv, &operations, nullptr);
}
