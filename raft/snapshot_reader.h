// SnapshotReader: how raft::Core learns the latest snapshot of the state machine it could send
// to a follower whose next entries the log no longer holds (etcd's Storage.Snapshot()). Read
// only: taking snapshots and moving their files is the driver's (raft::StateMachine::
// SaveSnapshot, the snapshot transport); the core only names one in a kSnapshot message.
//
// Contract: a snapshot named here is of applied (so committed) state, and stays readable until
// the driver reports the transfer that sends it (Core::ReportSnapshot). The core sends none
// above its own commit index (after a power loss the state machine may stand below a snapshot
// it had fsynced).
//
// Threading: called on the thread that owns the Core.
#pragma once

#include <optional>

#include "common/result.h"
#include "storage/log_store.h"

namespace raftmq::raft {

class SnapshotReader {
 public:
  virtual ~SnapshotReader() = default;

  // The newest snapshot this node holds, or nothing when it holds none. An error is counted
  // like a missing snapshot (the leader keeps probing).
  virtual Result<std::optional<storage::SnapshotMeta>> Latest() const = 0;
};

}  // namespace raftmq::raft
