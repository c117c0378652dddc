#include "client/group_directory.h"

#include <algorithm>

#include "common/assert.h"

namespace raftmq::client {

void GroupDirectory::Update(const nameserver::GroupInfo& group) {
  std::lock_guard lock(mutex_);
  Entry& entry = groups_[group.group_name()];
  entry.nodes.clear();
  for (const nameserver::NodeInfo& node : group.nodes()) entry.nodes.push_back(node.address());
  const bool newer = group.leader_term() > entry.nameserver_term;
  entry.nameserver_term = std::max(entry.nameserver_term, group.leader_term());
  if (entry.corrected && !newer) return;
  entry.leader = group.leader_address();
  entry.corrected = false;
}

void GroupDirectory::SetLeader(const std::string& group, const std::string& address) {
  RMQ_ASSERT(!address.empty());
  std::lock_guard lock(mutex_);
  Entry& entry = groups_[group];
  entry.leader = address;
  entry.corrected = true;
  if (std::find(entry.nodes.begin(), entry.nodes.end(), address) == entry.nodes.end()) entry.nodes.push_back(address);
}

void GroupDirectory::RotateLeader(const std::string& group, const std::string& address) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(group);
  if (it == groups_.end() || it->second.nodes.empty()) return;
  Entry& entry = it->second;
  if (!entry.leader.empty() && entry.leader != address) return;  // already moved on
  auto node = std::find(entry.nodes.begin(), entry.nodes.end(), address);
  const size_t next = node == entry.nodes.end() ? 0 : static_cast<size_t>(node - entry.nodes.begin() + 1);
  entry.leader = entry.nodes[next % entry.nodes.size()];
  entry.corrected = true;
}

Result<std::string> GroupDirectory::LeaderAddress(const std::string& group) const {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(group);
  if (it == groups_.end()) return Status::NotFound("broker group '" + group + "' is not known to the nameserver");
  if (!it->second.leader.empty()) return it->second.leader;
  if (it->second.nodes.empty()) return Status::Unavailable("broker group '" + group + "' has no live node");
  return it->second.nodes.front();
}

std::vector<std::string> GroupDirectory::NodeAddresses(const std::string& group) const {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(group);
  return it == groups_.end() ? std::vector<std::string>{} : it->second.nodes;
}

}  // namespace raftmq::client
