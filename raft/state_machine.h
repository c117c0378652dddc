// StateMachine: what raft::Node applies committed entries to (the broker's BrokerStateMachine).
//
// Exactly once, in order: at start the Node asks LastApplied() and hands Apply() every
// committed index after it, one at a time, in index order, each once per Node run. Across a
// restart exactly-once holds as far as LastApplied() is honest: an index applied but not
// reported by LastApplied() at the next start is applied again.
//
// Every committed entry is applied, no-ops included, so indexes have no gaps.
//
// Threading: both methods are called on the Node's loop thread only, and Apply() blocks that
// loop: keep it short (index, don't copy).
#pragma once

#include <any>
#include <filesystem>

#include "common/log_ids.h"
#include "common/result.h"
#include "storage/log_store.h"

namespace raftmq::raft {

class StateMachine {
 public:
  virtual ~StateMachine() = default;

  // The last index whose effects the state machine holds (durably, if it outlives a crash);
  // Index(0) when fresh.
  virtual Index LastApplied() const = 0;

  // Applies one committed entry. The value returned reaches the proposer of the entry (if it
  // was proposed on this node and is still waiting): e.g. the queue offsets the broker
  // assigned. An error means the state machine cannot go on (its storage failed): the Node
  // stops and every waiting proposal fails with that error. An entry whose content cannot be
  // applied is no such error: every node would fail it alike and the group would stop for
  // good, so the state machine must handle it identically on every node and go on.
  virtual Result<std::any> Apply(const storage::LogEntry& entry) = 0;

  // Writes the state as of LastApplied() into `dir` (an empty directory the caller made and
  // owns) so that RestoreSnapshot of it on another node reproduces it; returns the index it
  // reflects (LastApplied() at the time). Called on the loop thread.
  virtual Result<Index> SaveSnapshot(const std::filesystem::path& dir) = 0;
  // Replaces the whole state with the snapshot in `dir`, which was taken at `snapshot.index`;
  // afterwards LastApplied() == snapshot.index. The log was already reset to the snapshot.
  // An error leaves the node unable to go on (it stops, as for a failed Apply).
  virtual Status RestoreSnapshot(const std::filesystem::path& dir, const storage::SnapshotMeta& snapshot) = 0;
};

}  // namespace raftmq::raft
