#include "broker/member_addresses.h"

namespace raftmq::broker {

MemberAddresses::MemberAddresses(std::vector<std::string> toml_peers) : toml_peers_(std::move(toml_peers)) {}

void MemberAddresses::Update(const raft::ConfState& config) {
  std::lock_guard lock(mutex_);
  replicated_ = config.addresses;
}

std::string MemberAddresses::Address(NodeId id) const {
  if (id != kNoNode && id <= toml_peers_.size()) return toml_peers_[id - 1];
  std::lock_guard lock(mutex_);
  auto it = replicated_.find(id);
  return it == replicated_.end() ? "" : it->second;
}

}  // namespace raftmq::broker
