// The broker's Prometheus metrics: what raft::Node and its gRPC transport count, exported as
// raftmq_raft_* series, and what the state machine counts, as raftmq_broker_* (labels
// cluster, group, node), by a MetricsExporter on metrics_listen_address. Read at scrape time
// from the counters' atomics.
#pragma once

#include <vector>

#include "broker/broker_state_machine.h"
#include "metrics/metrics_exporter.h"
#include "raft/grpc_transport_options.h"
#include "raft/node_metrics.h"

namespace raftmq::broker {

// The sources read `node` and `transport`, which must outlive the exporter serving them.
std::vector<metrics::MetricSource> RaftMetricSources(const raft::NodeMetrics& node, const raft::TransportMetrics& transport);

// raftmq_broker_entries_skipped_total: committed entries skipped as unappliable (see
// BrokerStateMachine). `machine` must outlive the exporter.
std::vector<metrics::MetricSource> StateMachineMetricSources(const BrokerStateMachine& machine);

}  // namespace raftmq::broker
