#include "raft/core_options.h"

#include <algorithm>
#include <string>

#include "raft/configuration.h"

namespace raftmq::raft {

Status CoreOptions::Validate() const {
  if (id == kNoNode) return Status::InvalidArgument("id must be non-zero");
  std::vector<NodeId> sorted = voters;
  std::sort(sorted.begin(), sorted.end());
  if (!sorted.empty() && sorted.front() == kNoNode) return Status::InvalidArgument("voter ids must be non-zero");
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return Status::InvalidArgument("voter ids must be distinct");
  }
  if (heartbeat_interval_ticks == 0) return Status::InvalidArgument("heartbeat_interval_ticks must be > 0");
  if (election_timeout_ticks_min <= heartbeat_interval_ticks) {
    return Status::InvalidArgument("election_timeout_ticks_min must exceed heartbeat_interval_ticks");
  }
  if (election_timeout_ticks_max <= election_timeout_ticks_min) {
    return Status::InvalidArgument("election_timeout_ticks_max must exceed election_timeout_ticks_min");
  }
  if (append_entries_bytes_max == 0 || apply_entries_bytes_max == 0) {
    return Status::InvalidArgument("append_entries_bytes_max and apply_entries_bytes_max must be > 0");
  }
  if (inflight_appends_max == 0 || inflight_bytes_max == 0) {
    return Status::InvalidArgument("inflight_appends_max and inflight_bytes_max must be > 0");
  }
  if (reads_pending_max == 0) return Status::InvalidArgument("reads_pending_max must be > 0");
  if (uncommitted_bytes_max == 0) return Status::InvalidArgument("uncommitted_bytes_max must be > 0");
  // A joining node does not know the voters yet.
  if (preferred_leader != kNoNode && !joining() && !std::binary_search(sorted.begin(), sorted.end(), preferred_leader)) {
    return Status::InvalidArgument("preferred_leader is not among the voters");
  }
  for (const auto& [node, address] : addresses) {
    RMQ_RETURN_IF_ERROR(CheckPeerAddress(address).WithContext("addresses of node " + std::to_string(node)));
  }
  return Status::Ok();
}

}  // namespace raftmq::raft
