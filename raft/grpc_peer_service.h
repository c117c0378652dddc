// GrpcPeerService: the incoming half of the transport. Serves RaftPeer.Stream on a
// grpc::ServerBuilder the caller owns, so a broker serves messaging and raft on one port.
// Each received batch is decoded and validated (see message_codec.h); messages not addressed
// to this node, from a node outside the group, or malformed are dropped and counted; the
// rest go to the MessageHandler in the order their source sent them.
//
// Lifetime: the service, its handler's target and `metrics` must outlive the grpc::Server it
// is registered on (shut the server down first).
//
// Threading: gRPC calls Stream on its own threads, one per open stream, concurrently.
#pragma once

#include <mutex>
#include <set>

#include <grpcpp/grpcpp.h>

#include "proto/raft_peer.grpc.pb.h"
#include "raft/grpc_transport_options.h"
#include "raft/transport.h"

namespace raftmq::raft {

class GrpcPeerService final : public RaftPeer::Service {
 public:
  // `on_disconnect` (optional) hears of every stream that ends after it carried a message.
  GrpcPeerService(NodeId self, std::set<NodeId> peers, MessageHandler handler, TransportMetrics* metrics,
                  PeerDisconnectHandler on_disconnect = nullptr);

  // Registers the service and sets what it needs on the builder: the larger receive size
  // for append batches, a ping policy that accepts the peers' keepalive pings, and the
  // server's own slow pings (GrpcTransportOptions::server_keepalive_time_ms says why slow).
  void RegisterOn(grpc::ServerBuilder& builder, const GrpcTransportOptions& options);
  // The group's other members from now on (raft::NodeOptions::on_configuration_change); any
  // thread.
  void SetPeers(std::set<NodeId> peers);

  grpc::Status Stream(grpc::ServerContext* context, grpc::ServerReader<PeerMessageBatch>* reader,
                      StreamSummary* summary) override;

 private:
  bool Accepts(const Message& message) const;

  const NodeId self_;
  mutable std::mutex peers_mutex_;
  std::set<NodeId> peers_;  // guarded by peers_mutex_
  const MessageHandler handler_;
  TransportMetrics* const metrics_;
  const PeerDisconnectHandler on_disconnect_;
};

}  // namespace raftmq::raft
