// ScopedDir: a fresh directory under the system temp dir, removed with everything in it when
// the test ends.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace raftmq::storage::testing {

class ScopedDir {
 public:
  ScopedDir() {
    std::random_device random;
    path_ = (std::filesystem::temp_directory_path() / ("raftmq-" + std::to_string(random()) + std::to_string(random())))
                .string();
    std::filesystem::create_directories(path_);
  }
  ~ScopedDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedDir(const ScopedDir&) = delete;
  ScopedDir& operator=(const ScopedDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace raftmq::storage::testing
