#include "raft/grpc_snapshot_shipper.h"

#include <utility>
#include <vector>

#include "common/assert.h"
#include "raft/snapshot_sender.h"

namespace raftmq::raft {

GrpcSnapshotShipper::GrpcSnapshotShipper(std::map<NodeId, std::string> peer_addresses,
                                         SnapshotTransferOptions options)
    : options_(options), peer_addresses_(std::move(peer_addresses)) {}

GrpcSnapshotShipper::~GrpcSnapshotShipper() { Stop(); }

std::shared_ptr<grpc::Channel> GrpcSnapshotShipper::ChannelTo(NodeId peer) {
  auto found = channels_.find(peer);
  if (found != channels_.end()) return found->second;
  grpc::ChannelArguments arguments;
  // A connection of its own: the Raft stream's channel has the same target and would otherwise
  // share one, with heartbeats queued behind chunks.
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(peer_addresses_.at(peer), grpc::InsecureChannelCredentials(), arguments);
  channels_.emplace(peer, channel);
  return channel;
}

void GrpcSnapshotShipper::SetPeers(std::map<NodeId, std::string> peer_addresses) {
  std::lock_guard lock(mutex_);
  for (auto it = channels_.begin(); it != channels_.end();) {
    auto wanted = peer_addresses.find(it->first);
    const bool same = wanted != peer_addresses.end() && wanted->second == peer_addresses_.at(it->first);
    it = same ? std::next(it) : channels_.erase(it);
  }
  peer_addresses_ = std::move(peer_addresses);
}

bool GrpcSnapshotShipper::Ship(const SnapshotOffer& offer, std::string dir, Done done) {
  RMQ_ASSERT(done != nullptr);
  std::lock_guard lock(mutex_);
  if (stopped_ || !peer_addresses_.contains(offer.to)) return false;
  Transfer& transfer = transfers_[offer.to];
  if (transfer.running) return false;
  if (transfer.thread.joinable()) transfer.thread.join();  // finished: its `done` ran
  transfer.context = std::make_unique<grpc::ClientContext>();
  transfer.running = true;
  transfer.thread = std::thread([this, offer, dir = std::move(dir), done = std::move(done),
                                 channel = ChannelTo(offer.to), context = transfer.context.get()] {
    const Status sent = SendSnapshot(channel, *context, offer, dir, options_);
    {
      std::lock_guard finished(mutex_);
      transfers_.at(offer.to).running = false;
    }
    done(sent);
  });
  return true;
}

void GrpcSnapshotShipper::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [peer, transfer] : transfers_) {
      if (transfer.running) transfer.context->TryCancel();
      if (transfer.thread.joinable()) threads.push_back(std::move(transfer.thread));
    }
  }
  for (std::thread& thread : threads) thread.join();
}

}  // namespace raftmq::raft
