// TempDir: a fresh directory under $TMPDIR (or /tmp) for one test, removed with everything in
// it on destruction.
//
// Thread-safety: path() may be read from any thread.
#pragma once

#include <filesystem>
#include <string_view>

namespace raftmq::test_support {

class TempDir {
 public:
  // `prefix` starts the directory's name, for finding leftovers of a crashed test.
  explicit TempDir(std::string_view prefix = "raftmq_test");
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to path()/name and returns the file's path.
  std::filesystem::path WriteFile(std::string_view name, std::string_view text) const;

 private:
  std::filesystem::path path_;
};

}  // namespace raftmq::test_support
