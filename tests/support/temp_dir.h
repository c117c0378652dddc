// TempDir: a fresh directory under $TMPDIR (or /tmp) for one test, removed with everything in
// it on destruction.
//
// Thread-safety: path() may be read from any thread.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace raftmq::test_support {

class TempDir {
 public:
  // `prefix` starts the directory's name, for finding leftovers of a crashed test.
  explicit TempDir(std::string_view prefix = "raftmq_test");
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name, for a sub-directory or file the test creates.
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }
  // Writes `text` to path()/name and returns the file's path.
  std::string WriteFile(std::string_view name, std::string_view text) const;

 private:
  std::string path_;
};

}  // namespace raftmq::test_support
