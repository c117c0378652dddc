// SimSnapshot and SimSnapshotStore: the simulated state machine's snapshots. The simulated
// state machine's state is what it applied, kept as a digest: the chain hash of the applied
// entries (the hash SimLogStore chains, so it equals the log's chain hash at the applied
// index). A snapshot is that digest at an index; SimNetwork carries one with the kSnapshot
// that names it, as the snapshot transport would carry its files.
//
// SimSnapshotStore is a node's durable snapshot directory (it survives crashes, not a wipe)
// and the SnapshotReader its Core reads: the latest snapshot it took or installed.
//
// Threading: single-threaded, like the whole simulator.
#pragma once

#include <cstdint>
#include <optional>

#include "raft/snapshot_reader.h"
#include "storage/log_store.h"

namespace raftmq::raft::sim {

struct SimSnapshot {
  storage::SnapshotMeta meta;
  uint64_t applied_chain = 0;  // chain hash of the entries 1..meta.index

  bool operator==(const SimSnapshot&) const = default;
};

class SimSnapshotStore final : public SnapshotReader {
 public:
  Result<std::optional<storage::SnapshotMeta>> Latest() const override {
    if (!latest_) return std::optional<storage::SnapshotMeta>();
    return std::optional<storage::SnapshotMeta>(latest_->meta);
  }
  const std::optional<SimSnapshot>& latest() const { return latest_; }
  void Save(const SimSnapshot& snapshot) { latest_ = snapshot; }
  void Wipe() { latest_.reset(); }

 private:
  std::optional<SimSnapshot> latest_;
};

}  // namespace raftmq::raft::sim
