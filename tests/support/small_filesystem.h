// SmallFilesystems: small tmpfs file systems mounted by a test (disk-full tests), lazily unmounted
// when destroyed (a process under test may still hold files open), also when an assertion failed.
// Mounting needs root: Mount answers an error naming why, for GTEST_SKIP. FillUp writes a filler
// file until its file system is full.
//
// Threading: one test thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace raftmq::test_support {

class SmallFilesystems {
 public:
  explicit SmallFilesystems(uint64_t size_mb) : size_mb_(size_mb) {}
  ~SmallFilesystems();
  SmallFilesystems(const SmallFilesystems &) = delete;
  SmallFilesystems &operator=(const SmallFilesystems &) = delete;

  // Mounts a tmpfs of size_mb on `dir` (which exists). IoError naming the cause
  // otherwise (not root, no mount permission in this container).
  Status Mount(const std::string &dir);

 private:
  uint64_t size_mb_;
  std::vector<std::string> mounted_;
};

// Writes `dir`/filler until the file system under `dir` has no byte left; the filler's path.
std::string FillUp(const std::string &dir);

}  // namespace raftmq::test_support
