#include "raft/grpc_peer_service.h"

#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/message_codec.h"

namespace raftmq::raft {

GrpcPeerService::GrpcPeerService(NodeId self, std::set<NodeId> peers, MessageHandler handler,
                                 TransportMetrics* metrics, PeerDisconnectHandler on_disconnect)
    : self_(self),
      peers_(std::move(peers)),
      handler_(std::move(handler)),
      metrics_(metrics),
      on_disconnect_(std::move(on_disconnect)) {
  RMQ_ASSERT(self_ != kNoNode);
  RMQ_ASSERT(!peers_.contains(self_));
  RMQ_ASSERT(handler_ != nullptr);
}

void GrpcPeerService::SetPeers(std::set<NodeId> peers) {
  RMQ_ASSERT(!peers.contains(self_));
  std::lock_guard lock(peers_mutex_);
  peers_ = std::move(peers);
}

void GrpcPeerService::RegisterOn(grpc::ServerBuilder& builder, const GrpcTransportOptions& options) {
  builder.RegisterService(this);
  builder.SetMaxReceiveMessageSize(options.wire_message_bytes_max);
  // Without these the server answers frequent pings on a quiet connection with GOAWAY.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, options.keepalive_time_ms / 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, options.server_keepalive_time_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, options.server_keepalive_timeout_ms);
}

grpc::Status GrpcPeerService::Stream(grpc::ServerContext* context, grpc::ServerReader<PeerMessageBatch>* reader,
                                     StreamSummary* summary) {
  PeerMessageBatch batch;
  NodeId source = kNoNode;  // the peer this stream comes from, once a message said so
  while (reader->Read(&batch)) {
    std::vector<Message> accepted;
    accepted.reserve(static_cast<size_t>(batch.messages_size()));
    uint64_t invalid = 0;
    for (PeerMessage& wire : *batch.mutable_messages()) {
      Result<Message> message = DecodeMessage(std::move(wire));
      if (!message.ok() || !Accepts(*message)) {
        if (!message.ok()) spdlog::warn("raft node {}: dropped a message from {}: {}", self_, context->peer(), message.status().ToString());
        ++invalid;
        continue;
      }
      source = message->from;
      accepted.push_back(std::move(message).value());
    }
    metrics_->messages_invalid_total += invalid;
    metrics_->messages_received_total += accepted.size();
    summary->set_batches_received(summary->batches_received() + 1);
    summary->set_messages_dropped_invalid(summary->messages_dropped_invalid() + invalid);
    if (!accepted.empty()) handler_(std::move(accepted));
    batch.Clear();
  }
  if (source != kNoNode && on_disconnect_) on_disconnect_(source);
  return grpc::Status::OK;
}

bool GrpcPeerService::Accepts(const Message& message) const {
  if (message.to != self_) return false;
  std::lock_guard lock(peers_mutex_);
  return peers_.contains(message.from);
}

}  // namespace raftmq::raft
