// SnapshotShipper: moves the files of a snapshot to a follower off the Raft loop. raft::Node
// hands it each kSnapshot its Core sends, and only once `done` says the follower holds the
// files does it send the kSnapshot message itself (the follower installs nothing it has not
// received whole). A seam: GrpcSnapshotShipper streams over gRPC; tests may stand in for it.
//
// Threading: Ship and Stop from any thread; `done` runs on a thread of the shipper's.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "raft/snapshot_transfer.h"

namespace raftmq::raft {

class SnapshotShipper {
 public:
  using Done = std::function<void(Status)>;

  virtual ~SnapshotShipper() = default;

  // Starts sending the snapshot directory `dir` to offer.to; `done` runs once with OK when the
  // receiver accepted it whole, else with why not. False (and `done` never runs) while a
  // transfer to that node is still running, or once stopped.
  virtual bool Ship(const SnapshotOffer& offer, std::string dir, Done done) = 0;

  // Cancels every transfer and waits for them (their `done` runs with Aborted); Ship refuses
  // afterwards. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace raftmq::raft
