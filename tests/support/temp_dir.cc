#include "tests/support/temp_dir.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/assert.h"

namespace raftmq::test_support {

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "_XXXXXX")).string();
  RMQ_ASSERT_MSG(mkdtemp(pattern.data()) != nullptr, "cannot create a temporary directory");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;  // a leftover directory must not fail the test that used it
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::WriteFile(std::string_view name, std::string_view text) const {
  const std::filesystem::path file = path_ / name;
  std::ofstream out(file, std::ios::binary);
  out << text;
  out.close();
  RMQ_ASSERT_MSG(out.good(), "cannot write a file in the temporary directory");
  return file;
}

}  // namespace raftmq::test_support
