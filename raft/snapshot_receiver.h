// SnapshotReceiver: the follower's end of a snapshot transfer (proto/raft_snapshot.proto),
// served on the node's gRPC port next to RaftPeer. Each Install call writes into a staging
// directory of its own under `root` (`incoming-<n>`), checking as it goes: the header names
// this node and a peer of the group; chunks of a file come in order with their CRC32C; each
// file ends with its size and whole-file CRC32C; no file twice; exactly the header's files. Only
// a snapshot that arrived whole is synced, renamed to `received-<term>-<index>` (replacing an
// older one of that name) and handed to the handler, whose answer is the call's answer. Any
// error, a cancelled call or a broken stream removes the staging directory: a retry starts
// over. Staging directories left by a crash are removed when the receiver is made.
//
// Statuses: INVALID_ARGUMENT (a header for another node, from a stranger, a bad file name, a
// file twice, chunks out of order), DATA_LOSS (a CRC or size mismatch, files missing),
// RESOURCE_EXHAUSTED (the disk is full), UNAVAILABLE (another local write failed), and what
// the handler answers. Every message names the file and what was wrong.
//
// Lifetime: must outlive the grpc::Server it is registered on. Threading: gRPC calls Install
// on its own threads, concurrently; the handler is called on them.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include <grpcpp/grpcpp.h>

#include "common/status.h"
#include "proto/raft_snapshot.grpc.pb.h"
#include "raft/snapshot_transfer.h"

namespace raftmq::raft {

// A snapshot that arrived whole: its files are in `dir`, synced.
struct ReceivedSnapshot {
  SnapshotOffer offer;
  std::string dir;
  uint64_t bytes = 0;
};

// Takes a received snapshot over (e.g. queues it for the Raft loop to install). Its error is
// what the sender hears.
using ReceivedSnapshotHandler = std::function<Status(ReceivedSnapshot)>;

class SnapshotReceiver final : public RaftSnapshot::Service {
 public:
  // IoError when `root` cannot be made or cleaned.
  static Result<std::unique_ptr<SnapshotReceiver>> Create(NodeId self, std::set<NodeId> peers, std::string root,
                                                          ReceivedSnapshotHandler handler);

  // The group's other members from now on (raft::NodeOptions::on_configuration_change); any
  // thread.
  void SetPeers(std::set<NodeId> peers);

  grpc::Status Install(grpc::ServerContext* context, grpc::ServerReader<SnapshotChunk>* reader,
                       SnapshotInstallReply* reply) override;

 private:
  SnapshotReceiver(NodeId self, std::set<NodeId> peers, std::string root, ReceivedSnapshotHandler handler);

  // Receives the files into `staging`; the offer read from the header.
  Result<ReceivedSnapshot> Receive(grpc::ServerReader<SnapshotChunk>& reader, const std::string& staging);
  Result<SnapshotOffer> CheckHeader(const SnapshotChunk& chunk) const;

  const NodeId self_;
  mutable std::mutex peers_mutex_;
  std::set<NodeId> peers_;  // guarded by peers_mutex_
  const std::string root_;
  const ReceivedSnapshotHandler handler_;
  std::atomic<uint64_t> next_staging_{0};
};

}  // namespace raftmq::raft
