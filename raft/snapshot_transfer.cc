#include "raft/snapshot_transfer.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <spdlog/spdlog.h>

namespace raftmq::raft {

bool IsSnapshotFileName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

Result<std::vector<SnapshotFile>> ListSnapshotFiles(const std::string& dir) {
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  if (error) return Status::IoError("snapshot: cannot list " + dir + ": " + error.message());
  std::vector<SnapshotFile> files;
  for (const std::filesystem::directory_entry& entry : it) {
    if (!entry.is_regular_file(error) || error) {
      return Status::InvalidArgument("snapshot: " + entry.path().string() + " is not a regular file (a snapshot is flat)");
    }
    const uint64_t size = entry.file_size(error);
    if (error) return Status::IoError("snapshot: cannot stat " + entry.path().string() + ": " + error.message());
    files.push_back(SnapshotFile{entry.path().filename().string(), size});
  }
  std::sort(files.begin(), files.end(), [](const SnapshotFile& a, const SnapshotFile& b) { return a.name < b.name; });
  return files;
}

void RemoveSnapshotDir(const std::string& dir) {
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (error) spdlog::warn("snapshot: cannot remove {}: {}", dir, error.message());
}

}  // namespace raftmq::raft
