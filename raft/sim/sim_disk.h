// SimLogStore and SimHardStateStore: in-memory models of a node's disk for the simulator.
// SimLogStore keeps what was appended and how much of it is durable; Crash() keeps the
// durable prefix plus a random part of the unsynced tail (the page cache may have written
// some of it back), as a power loss would. A truncation is durable at once (the CommitLog
// makes it so before returning). SimHardStateStore saves synchronously, per its contract.
//
// Every appended entry also gets a chain hash (hash of the previous one, its term, type and
// payload), so the checker verifies log matching in O(1) per entry.
//
// Threading: single-threaded, like the whole simulator.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "raft/prng.h"
#include "storage/hard_state.h"
#include "storage/log_store.h"

namespace raftmq::raft::sim {

class SimLogStore final : public storage::LogStore {
 public:
  Index FirstIndex() const override { return Index(1); }
  Index LastIndex() const override { return Index(entries_.size()); }
  Result<Term> TermAt(Index index) const override;
  Result<std::vector<storage::LogEntry>> Entries(Index from, Index to, uint64_t bytes_max) const override;

  Status Append(std::span<const storage::LogEntry> entries) override;
  Status TruncateSuffix(Index last_kept) override;
  Status Sync() override;
  Status ResetToSnapshot(const storage::SnapshotMeta& /*snapshot*/) override {
    return Status::NotSupported("sim log: ResetToSnapshot: not built yet");
  }

  // Power loss: keeps the durable entries and a random prefix of the rest.
  void Crash(Prng& prng);
  // The data dir was wiped: nothing left.
  void Wipe() { *this = SimLogStore(); }
  uint64_t ChainHashAt(Index index) const;
  const storage::LogEntry& At(Index index) const;
  Index DurableLastIndex() const { return Index(durable_count_); }

 private:
  std::vector<storage::LogEntry> entries_;  // entries_[i] has index i + 1
  std::vector<uint64_t> chain_hashes_;      // parallel to entries_
  uint64_t durable_count_ = 0;              // <= entries_.size()
};

class SimHardStateStore final : public storage::HardStateStore {
 public:
  Result<storage::HardState> LoadHardState() const override { return state_; }
  Status SaveHardState(const storage::HardState& state) override {
    state_ = state;
    return Status::Ok();
  }
  void Wipe() { state_ = storage::HardState{}; }

 private:
  storage::HardState state_;
};

// FNV-1a over the bytes, chained: what the checker compares instead of whole payloads.
uint64_t HashEntry(uint64_t previous, const storage::LogEntry& entry);

}  // namespace raftmq::raft::sim
