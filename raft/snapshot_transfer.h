// Snapshot transfer: moving the files of a state-machine snapshot from a leader to a follower
// over gRPC (proto/raft_snapshot.proto). A snapshot is a flat directory of files written by
// StateMachine::SaveSnapshot; the transfer treats them as opaque bytes. This header holds what
// both ends share; snapshot_sender.h and snapshot_receiver.h are the two ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/log_ids.h"
#include "common/result.h"
#include "storage/log_store.h"

namespace raftmq::raft {

struct SnapshotTransferOptions {
  // Data bytes per chunk: large enough to stream at disk speed, small enough that one chunk is
  // a small share of gRPC's flow-control window and of the receive size limit.
  uint32_t chunk_bytes = 1u << 20;
  // A whole transfer's deadline; a transfer that takes longer is cancelled and retried.
  std::chrono::milliseconds transfer_timeout{600000};
};

// Who sends which snapshot to whom.
struct SnapshotOffer {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term leader_term;
  storage::SnapshotMeta meta;
};

struct SnapshotFile {
  std::string name;
  uint64_t size_bytes = 0;
};

// The files of snapshot directory `dir`, by name. InvalidArgument when it holds anything but
// regular files (a snapshot is flat), IoError when it cannot be read.
Result<std::vector<SnapshotFile>> ListSnapshotFiles(const std::string& dir);

// True when `name` may name a file of a snapshot: not empty, no '/', not "." or "..".
bool IsSnapshotFileName(const std::string& name);

// Removes a snapshot directory and what it holds; a failure is logged (a leftover directory
// is only disk space, and the next start removes what it knows to be garbage).
void RemoveSnapshotDir(const std::string& dir);

}  // namespace raftmq::raft
