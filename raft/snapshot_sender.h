// SendSnapshot: the leader's end of a snapshot transfer (proto/raft_snapshot.proto). Streams
// the files of snapshot directory `dir` to the node behind `channel` in one Install call and
// returns once the receiver accepted the snapshot whole. Reads one chunk at a time (memory is
// bounded by chunk_bytes), and HTTP/2 flow control holds it back while the receiver's disk
// is slower than the network.
//
// Errors: Unavailable (the stream broke or the receiver is not there: retry later),
// DeadlineExceeded (transfer_timeout passed), Aborted (the caller cancelled `context`),
// InvalidArgument / DataLoss-like refusals of the receiver as Corruption or InvalidArgument
// naming what it refused, IoError when a local file cannot be read. Nothing is installed on
// any error: the receiver drops what it staged.
//
// Threading: blocks for the whole transfer; run it off the Raft loop. `context` may be
// cancelled (TryCancel) from another thread to stop it.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/status.h"
#include "raft/snapshot_transfer.h"

namespace raftmq::raft {

Status SendSnapshot(const std::shared_ptr<grpc::Channel>& channel, grpc::ClientContext& context, const SnapshotOffer& offer,
                    const std::string& dir, const SnapshotTransferOptions& options);

}  // namespace raftmq::raft
