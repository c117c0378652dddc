// GrpcTransport: the Transport over gRPC. One GrpcPeerClient (bounded queue, own thread, one
// long-lived stream) per peer; Send sorts a Ready's messages by destination and hands each
// peer its share under one lock. The receiving side is GrpcPeerService.
//
// Wiring one group member (tests/raft/local_cluster.cc does exactly this):
//   GrpcTransport transport(id, peer_addresses, transport_options);
//   auto node = Node::Start(node_options, log, meta_store, state_machine, &transport);
//   GrpcPeerService service(id, peer_ids, [n = node->get()](auto m) { n->Deliver(std::move(m)); },
//                           &transport.metrics(), [n = node->get()](NodeId p) { n->PeerDisconnected(p); });
//   service.RegisterOn(builder, transport.options());  // the broker's own ServerBuilder
// Teardown in reverse: server->Shutdown(), node->Stop(), transport.Stop().
//
// Threading: Send from one thread at a time (the node loop); metrics from anywhere.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "raft/grpc_peer_client.h"
#include "raft/grpc_transport_options.h"
#include "raft/transport.h"

namespace raftmq::raft {

class GrpcTransport final : public Transport {
 public:
  // `peer_addresses`: "host:port" of every other node of the group, by id.
  GrpcTransport(NodeId self, const std::map<NodeId, std::string>& peer_addresses, GrpcTransportOptions options);
  ~GrpcTransport() override;

  void Send(std::vector<Message> messages) override;
  // The peers from now on (raft::NodeOptions::on_configuration_change): a client starts for
  // each new one (or whose address changed); those gone are stopped, with what they queued.
  // From the thread that sends.
  void SetPeers(const std::map<NodeId, std::string>& peer_addresses);
  // Cancels every stream and joins the client threads; later Sends drop. Idempotent.
  void Stop();

  const GrpcTransportOptions& options() const { return options_; }
  TransportMetrics& metrics() { return metrics_; }

 private:
  const NodeId self_;
  const GrpcTransportOptions options_;
  TransportMetrics metrics_;
  std::map<NodeId, std::string> addresses_;  // of clients_
  std::map<NodeId, std::unique_ptr<GrpcPeerClient>> clients_;
  std::map<NodeId, std::vector<Message>> outgoing_;  // scratch of Send, kept for its capacity
};

}  // namespace raftmq::raft
