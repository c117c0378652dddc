#include "raft/grpc_transport.h"

#include <utility>

#include "common/assert.h"

namespace raftmq::raft {

GrpcTransport::GrpcTransport(NodeId self, const std::map<NodeId, std::string>& peer_addresses,
                             GrpcTransportOptions options)
    : self_(self), options_(std::move(options)) {
  RMQ_ASSERT(self_ != kNoNode);
  SetPeers(peer_addresses);
}

void GrpcTransport::SetPeers(const std::map<NodeId, std::string>& peer_addresses) {
  RMQ_ASSERT(!peer_addresses.contains(self_));
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    auto wanted = peer_addresses.find(it->first);
    if (wanted != peer_addresses.end() && wanted->second == it->second) {
      ++it;
      continue;
    }
    clients_.at(it->first)->Stop();
    clients_.erase(it->first);
    outgoing_.erase(it->first);
    it = addresses_.erase(it);
  }
  for (const auto& [peer, address] : peer_addresses) {
    if (addresses_.contains(peer)) continue;
    addresses_.emplace(peer, address);
    clients_.emplace(peer, std::make_unique<GrpcPeerClient>(peer, address, options_, &metrics_));
    outgoing_.emplace(peer, std::vector<Message>());
  }
}

GrpcTransport::~GrpcTransport() { Stop(); }

void GrpcTransport::Send(std::vector<Message> messages) {
  for (Message& message : messages) {
    RMQ_ASSERT(message.from == self_);
    auto it = outgoing_.find(message.to);
    if (it == outgoing_.end()) {
      metrics_.messages_dropped_unknown_peer_total += 1;
      continue;
    }
    it->second.push_back(std::move(message));
  }
  for (auto& [peer, share] : outgoing_) {
    if (share.empty()) continue;
    clients_.at(peer)->Enqueue(std::move(share));
    share.clear();
  }
}

void GrpcTransport::Stop() {
  for (auto& [peer, client] : clients_) client->Stop();
}

}  // namespace raftmq::raft
