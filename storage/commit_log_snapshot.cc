// CommitLog::ResetToSnapshot: a follower installing its leader's snapshot starts its log after
// it. Built by the snapshot-broker work (issue 12); until then the log refuses, and no Node
// sends a snapshot (raft::Node gives its Core no SnapshotReader).
#include "storage/commit_log.h"

namespace raftmq::storage {

Status CommitLog::ResetToSnapshot(const SnapshotMeta& /*snapshot*/) {
  return Status::NotSupported("commit log: ResetToSnapshot: not built yet");
}

}  // namespace raftmq::storage
