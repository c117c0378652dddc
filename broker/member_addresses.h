// MemberAddresses: where to reach each node of the group ("host:port" that clients and peers
// dial). The TOML `peers` list says it for the nodes it names (node N is its N-th entry: the
// operator's own view wins, as in raft::PeerAddresses); the replicated configuration for the
// rest, every node added online with its address. So a node added online is found by nodes
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

  // The configuration in force changed: its addresses reach the nodes the TOML does not name.
  void Update(const raft::ConfState& config);
  // "" when neither the configuration nor the TOML knows `id` (kNoNode included).
  std::string Address(NodeId id) const;

 private:
  const std::vector<std::string> toml_peers_;
  mutable std::mutex mutex_;
  std::map<NodeId, std::string> replicated_;
};

}  // namespace raftmq::broker
