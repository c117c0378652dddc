#include "broker/member_addresses.h"

namespace raftmq::broker {

MemberAddresses::MemberAddresses(const std::vector<std::string>& toml_peers) {
  for (NodeId id = 1; id <= toml_peers.size(); ++id) known_.emplace(id, toml_peers[id - 1]);
}

void MemberAddresses::Update(const raft::ConfState& config) {
  std::lock_guard lock(mutex_);
  known_ = raft::PeerAddresses(kNoNode, known_, config);
}

std::string MemberAddresses::Address(NodeId id) const {
  std::lock_guard lock(mutex_);
  auto it = known_.find(id);
  return it == known_.end() ? "" : it->second;
}

std::map<NodeId, std::string> MemberAddresses::All() const {
  std::lock_guard lock(mutex_);
  return known_;
}

}  // namespace raftmq::broker
