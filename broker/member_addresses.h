// MemberAddresses: where to reach each node of the group ("host:port" that clients and peers
// dial). The replicated configuration says it for every node added with its address (and, in
// a group formed since the bootstrap configuration entry, for every node); the TOML `peers`
// list covers the rest (node N is its N-th entry). So a node added online is found by nodes
// whose TOML never named it: leader hints, relays to the leader, status pages.
//
// Threading: every method from any thread (Update on the Raft loop, Address on gRPC threads).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/log_ids.h"
#include "raft/configuration.h"

namespace raftmq::broker {

class MemberAddresses {
 public:
  explicit MemberAddresses(std::vector<std::string> toml_peers);

  // The configuration in force changed: its addresses win over the TOML's.
  void Update(const raft::ConfState& config);
  // "" when neither the configuration nor the TOML knows `id` (kNoNode included).
  std::string Address(NodeId id) const;

 private:
  const std::vector<std::string> toml_peers_;
  mutable std::mutex mutex_;
  std::map<NodeId, std::string> replicated_;
};

}  // namespace raftmq::broker
