#include "tests/support/small_filesystem.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace raftmq::test_support {

SmallFilesystems::~SmallFilesystems() {
  for (const std::string &dir : mounted_) umount2(dir.c_str(), MNT_DETACH);
}

Status SmallFilesystems::Mount(const std::string &dir) {
  const std::string size = "size=" + std::to_string(size_mb_) + "m";
  if (mount("raftmq-small-fs", dir.c_str(), "tmpfs", 0, size.c_str()) != 0) {
    return Status::IoError("mount tmpfs on " + dir + ": " + std::strerror(errno));
  }
  mounted_.push_back(dir);
  return Status::Ok();
}

std::string FillUp(const std::string &dir) {
  const std::string path = dir + "/filler";
  std::ofstream filler(path, std::ios::binary);
  const std::string chunk(1 << 16, 'f');
  while (filler.write(chunk.data(), static_cast<std::streamsize>(chunk.size()))) filler.flush();
  // The last chunk may have been cut short: fill the rest byte by byte.
  filler.clear();
  while (filler.put('f') && filler.flush()) {
  }
  return path;
}

}  // namespace raftmq::test_support
