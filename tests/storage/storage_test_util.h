// Helpers shared by the storage tests: a temp dir that removes itself, and entries whose
// payload is derived from their index and term (so any mix-up shows).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/log_store.h"

namespace raftmq::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "raftmq_storage_XXXXXX").string();
    RMQ_ASSERT(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline LogEntry MakeEntry(uint64_t index, uint64_t term, size_t payload_bytes) {
  std::string payload(payload_bytes, '\0');
  for (size_t i = 0; i < payload_bytes; ++i) payload[i] = static_cast<char>('a' + (index * 7 + term + i) % 26);
  return LogEntry{.index = Index(index), .term = Term(term), .type = EntryType::kMessageBatch, .payload = payload};
}

inline std::vector<LogEntry> MakeEntries(uint64_t first_index, size_t count, uint64_t term, size_t payload_bytes) {
  std::vector<LogEntry> entries;
  for (size_t i = 0; i < count; ++i) entries.push_back(MakeEntry(first_index + i, term, payload_bytes));
  return entries;
}

}  // namespace raftmq::storage::testing
