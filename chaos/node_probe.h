// NodeProbe: asks each broker node about itself over its public admin API (NodeStatus and
// LogDigest), with a short deadline, so a dead, paused or cut-off node answers "unreachable"
// quickly instead of stalling the harness. LeaderWatch: polls every node's status a few times
// a second and records each group's leader changes (the leader is the node that says LEADER
// with the highest term) for the nemeses ("kill the leader") and the report.
//
// Threading: NodeProbe methods from any thread; LeaderWatch runs its own thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "chaos/history.h"
#include "chaos/run_clock.h"
#include "common/result.h"
#include "proto/admin.grpc.pb.h"

namespace raftmq::chaos {

struct ProbedNode {
  std::string name;
  int group = 1;
  std::string address;
};

class NodeProbe {
 public:
  explicit NodeProbe(std::vector<ProbedNode> nodes);

  const std::vector<ProbedNode>& nodes() const { return nodes_; }
  Result<admin::NodeStatusResponse> NodeStatus(size_t node, int64_t timeout_ms) const;
  // Committed entries [from_index, index] (0: the node's first index, its commit index).
  Result<admin::LogDigestResponse> Digest(size_t node, uint64_t from_index, uint64_t index, int64_t timeout_ms) const;

 private:
  std::vector<ProbedNode> nodes_;
  std::vector<std::unique_ptr<admin::AdminService::Stub>> stubs_;
};

class LeaderWatch {
 public:
  LeaderWatch(const NodeProbe* probe, int groups, const RunClock* clock, History* history);
  ~LeaderWatch();

  // The index (into the probe's nodes) of group's leader as last seen, or -1.
  int Leader(int group) const;
  // Waits until every group has a leader; false after `timeout_ms`.
  bool WaitForLeaders(int64_t timeout_ms) const;

 private:
  void Run();
  void PollOnce();

  const NodeProbe* const probe_;
  const int groups_;
  const RunClock* const clock_;
  History* const history_;
  mutable std::mutex mutex_;
  std::map<int, std::pair<int, uint64_t>> leaders_;  // guarded by mutex_: group -> (node, term)
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace raftmq::chaos
