// Helpers shared by the storage tests: a temp dir that removes itself, and entries whose
// payload is derived from their index and term (so any mix-up shows).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/log_store.h"
#include "tests/storage/entry_kinds.h"
#include "tests/support/temp_dir.h"

namespace raftmq::storage::testing {

// One temp dir helper for every area's tests.
using TempDir = test_support::TempDir;

// What an Open that must succeed opened, or nullptr after a test failure saying why.
template <typename T>
std::unique_ptr<T> OpenedOrNull(Result<std::unique_ptr<T>> opened) {
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

inline LogEntry MakeEntry(uint64_t index, uint64_t term, size_t payload_bytes) {
  std::string payload(payload_bytes, '\0');
  for (size_t i = 0; i < payload_bytes; ++i) payload[i] = static_cast<char>('a' + (index * 7 + term + i) % 26);
  return LogEntry{.index = Index(index), .term = Term(term), .kind = kMessageBatchKind, .payload = payload};
}

inline std::vector<LogEntry> MakeEntries(uint64_t first_index, size_t count, uint64_t term, size_t payload_bytes) {
  std::vector<LogEntry> entries;
  for (size_t i = 0; i < count; ++i) entries.push_back(MakeEntry(first_index + i, term, payload_bytes));
  return entries;
}

}  // namespace raftmq::storage::testing

namespace raftmq::storage {
// The helpers nearly every storage test uses, named once here instead of in each test file.
using testing::MakeEntries;
using testing::MakeEntry;
using testing::TempDir;
}  // namespace raftmq::storage
