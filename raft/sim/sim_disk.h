// SimLogStore and SimHardStateStore: in-memory models of a node's disk for the simulator.
// SimLogStore keeps what was appended and how much of it is durable; Crash() keeps the
// durable prefix plus a random part of the unsynced tail (the page cache may have written
// some of it back), as a power loss would. A truncation is durable at once (the CommitLog
// makes it so before returning). SimHardStateStore saves synchronously, per its contract.
//
// Every appended entry also gets a chain hash (hash of the previous one, its term, type and
// payload), so the checker verifies log matching in O(1) per entry.
//
// Compaction: CompactBelow drops old durable entries as retention drops old segments (the
// compaction point's term is then unknown, as the CommitLog's); ResetToSnapshot starts the log
// after a snapshot (its term known). Both keep the chain hash at the compaction point, so
// entries appended after it chain on.
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
  Index FirstIndex() const override { return base_ + 1; }
  Index LastIndex() const override { return base_ + entries_.size(); }
  Result<Term> TermAt(Index index) const override;
  Result<std::vector<storage::LogEntry>> Entries(Index from, Index to, uint64_t bytes_max) const override;

  Status Append(std::span<const storage::LogEntry> entries) override;
  Status TruncateSuffix(Index last_kept) override;
  Status Sync() override;
  // The chain hash at the snapshot's index is unknown here (0): the simulator's driver uses
  // the overload below, which the checker needs; unit tests need no chain.
  Status ResetToSnapshot(const storage::SnapshotMeta& snapshot) override { return ResetToSnapshot(snapshot, 0); }
  // `chain`: the chain hash of the entries up to snapshot.index (the snapshot carries it).
  Status ResetToSnapshot(const storage::SnapshotMeta& snapshot, uint64_t chain);
  // Retention: drops the entries before `first` (durable ones only, at least one durable entry
  // left: FirstIndex() < first <= DurableLastIndex()).
  void CompactBelow(Index first);

  // Power loss: keeps the durable entries and a random prefix of the rest.
  void Crash(Prng& prng);
  // The data dir was wiped: nothing left.
  void Wipe() { *this = SimLogStore(); }
  // In [FirstIndex() - 1, LastIndex()].
  uint64_t ChainHashAt(Index index) const;
  const storage::LogEntry& At(Index index) const;
  Index DurableLastIndex() const { return base_ + durable_count_; }

 private:
  // The compaction point (FirstIndex() - 1): its term answers TermAt only after a reset.
  Index base_;
  Term base_term_;
  bool base_term_known_ = false;
  uint64_t base_chain_ = 0;
  std::vector<storage::LogEntry> entries_;  // entries_[i] has index base_ + 1 + i
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
  Result<std::optional<storage::ConfRecord>> LoadConfRecord() const override { return conf_; }
  Status SaveConfRecord(const storage::ConfRecord& record) override {
    conf_ = record;
    return Status::Ok();
  }
  void Wipe() {
    state_ = storage::HardState{};
    conf_.reset();
  }

 private:
  storage::HardState state_;
  std::optional<storage::ConfRecord> conf_;
};

// FNV-1a over the bytes, chained: what the checker compares instead of whole payloads.
uint64_t HashEntry(uint64_t previous, const storage::LogEntry& entry);

}  // namespace raftmq::raft::sim
