// GrpcSnapshotShipper: the SnapshotShipper over gRPC (SendSnapshot, proto/raft_snapshot.proto),
// one thread per transfer and at most one transfer per follower. Each follower gets a channel
// of its own for snapshots, apart from the Raft message stream, so heartbeats never wait
// behind a chunk.
//
// Threading: see SnapshotShipper. Stop() before destruction, and before whatever `done`
// callbacks use goes away.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "raft/snapshot_shipper.h"

namespace raftmq::raft {

class GrpcSnapshotShipper final : public SnapshotShipper {
 public:
  // `peer_addresses`: "host:port" of every other node of the group, by id.
  GrpcSnapshotShipper(std::map<NodeId, std::string> peer_addresses, SnapshotTransferOptions options);
  ~GrpcSnapshotShipper() override;

  bool Ship(const SnapshotOffer& offer, std::string dir, Done done) override;
  // The peers from now on (raft::NodeOptions::on_configuration_change); transfers running go
  // on. Any thread.
  void SetPeers(std::map<NodeId, std::string> peer_addresses);
  void Stop() override;

 private:
  struct Transfer {
    std::thread thread;
    std::unique_ptr<grpc::ClientContext> context;
    bool running = false;
  };

  std::shared_ptr<grpc::Channel> ChannelTo(NodeId peer);  // under mutex_

  const SnapshotTransferOptions options_;
  std::mutex mutex_;
  std::map<NodeId, std::string> peer_addresses_;             // guarded
  bool stopped_ = false;                                      // guarded
  std::map<NodeId, std::shared_ptr<grpc::Channel>> channels_;  // guarded
  std::map<NodeId, Transfer> transfers_;                      // guarded
};

}  // namespace raftmq::raft
