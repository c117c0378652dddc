#include "broker/broker_metrics.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace raftmq::broker {
namespace {

using metrics::MetricKind;
using metrics::MetricSource;

MetricSource Read(std::string name, std::string help, MetricKind kind, const std::atomic<uint64_t>& value) {
  return {std::move(name), std::move(help), kind, [&value] { return static_cast<double>(value.load(std::memory_order_relaxed)); }};
}

MetricSource Counter(std::string name, std::string help, const std::atomic<uint64_t>& value) {
  return Read(std::move(name), std::move(help), MetricKind::kCounter, value);
}

MetricSource Gauge(std::string name, std::string help, const std::atomic<uint64_t>& value) {
  return Read(std::move(name), std::move(help), MetricKind::kGauge, value);
}

}  // namespace

// Every field of NodeMetrics and TransportMetrics is exported: a field added there fails the
// static_asserts below until it is listed here too, so the two lists cannot drift.
constexpr size_t kNodeMetricsCount = 22;
constexpr size_t kTransportMetricsCount = 9;
static_assert(sizeof(raft::NodeMetrics) == kNodeMetricsCount * sizeof(std::atomic<uint64_t>));
static_assert(sizeof(raft::TransportMetrics) == kTransportMetricsCount * sizeof(std::atomic<uint64_t>));

std::vector<MetricSource> RaftMetricSources(const raft::NodeMetrics& node, const raft::TransportMetrics& transport) {
  std::array<MetricSource, kNodeMetricsCount> node_sources = {
      Gauge("raftmq_raft_term", "current Raft term", node.term),
      Gauge("raftmq_raft_commit_index", "highest log index known committed", node.commit_index),
      Gauge("raftmq_raft_applied_index", "highest log index applied to the broker's state", node.applied_index),
      Gauge("raftmq_raft_is_leader", "1 while this node leads its group", node.is_leader),
      Gauge("raftmq_raft_recovering", "1 while this node may have lost acknowledged entries and catches up (no votes, "
            "not counted toward commit)", node.recovering),
      Counter("raftmq_raft_proposals_total", "entries proposed on this node", node.proposals_total),
      Counter("raftmq_raft_proposals_failed_total", "proposals refused or lost (not leader, overload, leadership change)",
              node.proposals_failed_total),
      Counter("raftmq_raft_entries_appended_total", "entries written to this node's CommitLog", node.entries_appended_total),
      Counter("raftmq_raft_entries_applied_total", "entries applied to the broker's state", node.entries_applied_total),
      Counter("raftmq_raft_log_syncs_total", "CommitLog syncs requested by Raft", node.log_syncs_total),
      Counter("raftmq_raft_hard_state_saves_total", "synced saves of term, vote and commit", node.hard_state_saves_total),
      Counter("raftmq_raft_messages_received_total", "Raft messages the node stepped", node.messages_received_total),
      Counter("raftmq_raft_messages_dropped_inbox_full_total", "peer messages dropped because the inbox was full",
              node.messages_dropped_inbox_full_total),
      Counter("raftmq_raft_messages_sent_total", "Raft messages the node handed to its transport",
              node.messages_sent_total),
      Counter("raftmq_raft_elections_started_total", "times this node became a (pre-)candidate", node.elections_started_total),
      Counter("raftmq_raft_leader_changes_total", "times the known leader changed", node.leader_changes_total),
      Counter("raftmq_raft_readys_total", "Ready batches the node's loop handled", node.readys_total),
      Counter("raftmq_raft_snapshots_sent_total", "snapshots this node sent whole to a follower as leader",
              node.snapshots_sent_total),
      Counter("raftmq_raft_snapshot_transfers_failed_total", "snapshot transfers to a follower that failed (retried)",
              node.snapshot_transfers_failed_total),
      Counter("raftmq_raft_snapshot_messages_dropped_total",
              "leaders' snapshot messages dropped because their files had not arrived", node.snapshot_messages_dropped_total),
      Counter("raftmq_raft_snapshots_installed_total", "leaders' snapshots this node installed",
              node.snapshots_installed_total),
      Counter("raftmq_raft_snapshots_unavailable_total",
              "times a follower needed entries retention deleted and no snapshot of this leader covered them",
              node.snapshots_unavailable_total),
  };
  std::array<MetricSource, kTransportMetricsCount> transport_sources = {
      Counter("raftmq_raft_transport_messages_sent_total", "Raft messages sent to peers", transport.messages_sent_total),
      Counter("raftmq_raft_transport_bytes_sent_total", "Raft message bytes sent to peers", transport.bytes_sent_total),
      Counter("raftmq_raft_transport_batches_sent_total", "batches of Raft messages written to peer streams",
              transport.batches_sent_total),
      Counter("raftmq_raft_transport_messages_dropped_queue_full_total", "Raft messages dropped: a peer's send queue was full",
              transport.messages_dropped_queue_full_total),
      Counter("raftmq_raft_transport_messages_dropped_stream_broken_total", "Raft messages dropped with a broken stream",
              transport.messages_dropped_stream_broken_total),
      Counter("raftmq_raft_transport_messages_dropped_unknown_peer_total", "Raft messages dropped: addressed to no peer",
              transport.messages_dropped_unknown_peer_total),
      Counter("raftmq_raft_transport_stream_failures_total", "peer streams that broke", transport.stream_failures_total),
      Counter("raftmq_raft_transport_messages_received_total", "Raft messages received from peers",
              transport.messages_received_total),
      Counter("raftmq_raft_transport_messages_invalid_total", "peer messages refused as malformed",
              transport.messages_invalid_total),
  };
  std::vector<MetricSource> sources(std::make_move_iterator(node_sources.begin()),
                                    std::make_move_iterator(node_sources.end()));
  sources.insert(sources.end(), std::make_move_iterator(transport_sources.begin()),
                 std::make_move_iterator(transport_sources.end()));
  return sources;
}

std::vector<MetricSource> StateMachineMetricSources(const BrokerStateMachine& machine) {
  return {{"raftmq_broker_entries_skipped_total",
           "committed entries skipped on every node because their content cannot be applied", MetricKind::kCounter,
           [&machine] { return static_cast<double>(machine.entries_skipped()); }},
          {"raftmq_broker_retention_segments_deleted_total",
           "CommitLog segments this node deleted by retention (the group decides, every node deletes)",
           MetricKind::kCounter, [&machine] { return static_cast<double>(machine.retention_segments_deleted()); }},
          {"raftmq_broker_retention_bytes_deleted_total", "CommitLog bytes this node deleted by retention",
           MetricKind::kCounter, [&machine] { return static_cast<double>(machine.retention_bytes_deleted()); }},
          {"raftmq_broker_snapshots_taken_total", "snapshots this node took before retention deleted",
           MetricKind::kCounter, [&machine] { return static_cast<double>(machine.snapshots_taken()); }},
          {"raftmq_broker_snapshot_failures_total",
           "snapshots retention could not take (it deleted anyway; see the error log)", MetricKind::kCounter,
           [&machine] { return static_cast<double>(machine.snapshot_failures()); }}};
}

}  // namespace raftmq::broker
