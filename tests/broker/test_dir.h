// TestDir: a test's temp dir (test_support::TempDir) with string paths, as storage/ and the
// broker take them.
#pragma once

#include <string>

#include "tests/support/temp_dir.h"

namespace raftmq::broker::testing {

class TestDir {
 public:
  std::string path() const { return dir_.path().string(); }
  std::string Sub(const std::string& name) const { return (dir_.path() / name).string(); }

 private:
  test_support::TempDir dir_;
};

}  // namespace raftmq::broker::testing
