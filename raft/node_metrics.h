// NodeMetrics: counters and gauges of one raft::Node, plain atomics so the broker can export
// them (prometheus-cpp) without the Node depending on an exporter. Counters end in _total.
//
// Threading: written by the Node's threads, read by anyone (relaxed reads are fine: each
// value is independent).
#pragma once

#include <atomic>
#include <cstdint>

namespace raftmq::raft {

struct NodeMetrics {
  std::atomic<uint64_t> proposals_total{0};
  std::atomic<uint64_t> proposals_failed_total{0};
  std::atomic<uint64_t> entries_appended_total{0};
  std::atomic<uint64_t> entries_applied_total{0};
  std::atomic<uint64_t> log_syncs_total{0};
  std::atomic<uint64_t> hard_state_saves_total{0};
  std::atomic<uint64_t> messages_received_total{0};
  std::atomic<uint64_t> messages_dropped_inbox_full_total{0};
  std::atomic<uint64_t> messages_sent_total{0};
  std::atomic<uint64_t> elections_started_total{0};  // became (pre-)candidate
  std::atomic<uint64_t> leader_changes_total{0};     // the known leader changed
  std::atomic<uint64_t> readys_total{0};
  // Snapshots (raft/node.h): transfers a leader finished and failed; kSnapshot messages a
  // follower dropped because their files had not arrived; snapshots installed; times a
  // follower needed deleted entries and no snapshot covered them (Core::snapshots_unavailable).
  std::atomic<uint64_t> snapshots_sent_total{0};
  std::atomic<uint64_t> snapshot_transfers_failed_total{0};
  std::atomic<uint64_t> snapshot_messages_dropped_total{0};
  std::atomic<uint64_t> snapshots_installed_total{0};
  std::atomic<uint64_t> snapshots_unavailable_total{0};
  // Gauges.
  std::atomic<uint64_t> term{0};
  std::atomic<uint64_t> commit_index{0};
  std::atomic<uint64_t> applied_index{0};
  std::atomic<uint64_t> is_leader{0};
  // 1 while the node may have lost acknowledged entries and catches up (raft/core.h).
  std::atomic<uint64_t> recovering{0};
};

}  // namespace raftmq::raft
