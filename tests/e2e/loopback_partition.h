// LoopbackPartition: cuts the Raft traffic between one node of a test cluster and its peers
// with iptables DROP rules on loopback addresses, while the test's own calls (to 127.0.0.1)
// still reach every node. It relies on ClusterOptions::peer_host giving every (from, to)
// pair of nodes its own loopback host (PeerHost below): node `from` dials node `to` at
// PeerHost(from, to), so the pairs involving one node are matched by destination address and
// port (requests) and source address and port (answers), and nothing else is.
//
// Every rule added is deleted by Heal or the destructor, also when the test fails half way.
// Needs root and iptables: Available() says why not, for GTEST_SKIP.
//
// Thread-safety: one test thread.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace raftmq::e2e {

// 127.<salt>.<from>.<to>: the salt (from the pid) keeps two test processes running at once
// from matching each other's traffic; 127.0.0.0/24, where everything else runs, is never used.
std::string PeerHost(int from, int to);

class LoopbackPartition {
 public:
  // "" when rules can be added; otherwise why not.
  static std::string Unavailable();

  LoopbackPartition() = default;
  ~LoopbackPartition();
  LoopbackPartition(const LoopbackPartition&) = delete;
  LoopbackPartition& operator=(const LoopbackPartition&) = delete;

  // Drops both directions between `node` and each of `peers`, given as (peer id, port), with
  // `node_port` the port `node` listens on.
  Status Isolate(int node, int node_port, const std::vector<std::pair<int, int>>& peers);
  // Deletes every rule added; the first failure, after trying them all.
  Status Heal();

 private:
  Status Drop(const std::string& host, int port);

  std::vector<std::vector<std::string>> rules_;  // the match of each rule added to INPUT
};

}  // namespace raftmq::e2e
