// MemoryCommitLog: a CommitLogReader over one byte string laid out like the real CommitLog
// (a fixed header before each payload), for Dispatcher tests that need exact, cheap control of
// which entries exist. The crash under test is the ConsumeQueues'; the log is not the subject.
#pragma once

#include <string>
#include <vector>

#include "storage/log_store.h"
#include "tests/storage/entry_kinds.h"

namespace raftmq::storage::testing {

class MemoryCommitLog final : public CommitLogReader {
 public:
  static constexpr uint64_t kHeaderBytes = 25;

  void Add(EntryKind kind, std::string payload) {
    LogEntry entry{LastIndex() + 1, Term(1), kind, std::move(payload)};
    bytes_.append(kHeaderBytes, 'h');
    locations_.push_back(EntryLocation{bytes_.size(), static_cast<uint32_t>(entry.payload.size()), entry.term});
    bytes_.append(entry.payload);
    entries_.push_back(std::move(entry));
  }
  // Forgets every entry after `last_kept`, as a log that lost unsynced data.
  void DropAfter(Index last_kept) {
    entries_.resize(last_kept.value());
    locations_.resize(last_kept.value());
    bytes_.resize(locations_.empty() ? 0 : locations_.back().payload_position + locations_.back().payload_size);
  }
  const LogEntry& At(Index index) const { return entries_[index.value() - 1]; }

  Index FirstIndex() const override { return Index(1); }
  Index LastIndex() const override { return Index(entries_.size()); }
  Result<Term> TermAt(Index index) const override {
    if (!Holds(index)) return Status::NotFound("index");
    return At(index).term;
  }
  Result<std::vector<LogEntry>> Entries(Index from, Index to, uint64_t bytes_max) const override {
    if (!Holds(from)) return Status::NotFound("from");
    std::vector<LogEntry> out;
    uint64_t bytes = 0;
    for (Index i = from; i < to && Holds(i) && (out.empty() || bytes < bytes_max); ++i) {
      out.push_back(At(i));
      bytes += At(i).payload.size();
    }
    return out;
  }
  Result<EntryLocation> Locate(Index index) const override {
    if (!Holds(index)) return Status::NotFound("index");
    return locations_[index.value() - 1];
  }
  Result<std::string> ReadAt(uint64_t position, uint32_t size) const override {
    if (position + size > bytes_.size()) return Status::NotFound("position");
    return bytes_.substr(position, size);
  }

 private:
  bool Holds(Index index) const { return index >= Index(1) && index <= LastIndex(); }

  std::vector<LogEntry> entries_;
  std::vector<EntryLocation> locations_;
  std::string bytes_;
};

}  // namespace raftmq::storage::testing
