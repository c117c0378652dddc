#include "client/group_leader.h"

#include <algorithm>
#include <cstdint>

namespace raftmq::client {

const NodeReport* MarkGroupLeader(std::span<NodeReport> group) {
  uint64_t term_max = 0;
  for (const NodeReport& report : group) {
    if (report.error.ok()) term_max = std::max<uint64_t>(term_max, report.status.term());
  }
  const NodeReport* leader = nullptr;
  for (NodeReport& report : group) {
    if (!report.error.ok() || report.status.role() != admin::LEADER) continue;
    // Raft allows one leader per term: a second one at term_max cannot answer.
    if (report.status.term() == term_max && leader == nullptr) {
      leader = &report;
    } else {
      report.stale_leader = true;
    }
  }
  for (NodeReport& report : group) {
    if (leader == nullptr || !report.error.ok()) continue;
    const auto leader_last = static_cast<int64_t>(leader->status.last_index());
    report.replication_lag = std::max<int64_t>(0, leader_last - static_cast<int64_t>(report.status.last_index()));
  }
  return leader;
}

}  // namespace raftmq::client
