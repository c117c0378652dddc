// MemberAddresses: where to reach each node of the group ("host:port" that clients and peers
// dial), for Raft's transport, leader hints, relays to the leader and status pages. The TOML
// `peers` list names the nodes it knows (node N is its N-th entry: the operator's own view
// wins, as in raft::PeerAddresses); each configuration in force adds the nodes added online,
// at the address their add-learner gave. Nodes that leave stay known: the leader still sends
// a removed node the entry that removes it. Ids are never reused.
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
  explicit MemberAddresses(const std::vector<std::string>& toml_peers);

  // The configuration in force changed: the nodes it names that were not known become known.
  void Update(const raft::ConfState& config);
  // "" when nobody knows `id` (kNoNode included).
  std::string Address(NodeId id) const;
  // Every known node's address, this node's too.
  std::map<NodeId, std::string> All() const;

 private:
  mutable std::mutex mutex_;
  std::map<NodeId, std::string> known_;
};

}  // namespace raftmq::broker
