// BrokerNode: one raftmq-broker process — data dir claim, CommitLog, BrokerComponents (MetaStore,
// ConsumeQueues, Dispatcher, managers), raft::Node with its gRPC peer transport, the
// messaging + admin + Raft services and the RocketMQ 5 protocol (broker/v2/) on one gRPC
// port, the delay scheduler and nameserver registration.
//
// Start order: claim dir, open the log and state, recover the state machine up to the saved
// commit index, start long polling, start Raft, serve (and schedule delays and retention).
// Stop order: stop registering and scheduling, answer held pulls, shut the server, stop Raft, checkpoint the Dispatcher.
//
// Threading: Start/Stop from one thread; accessors from any.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "broker/admin_service.h"
#include "broker/broker_options.h"
#include "broker/broker_components.h"
#include "broker/delay_scheduler.h"
#include "broker/messaging_service.h"
#include "broker/nameserver_registrar.h"
#include "broker/v2/messaging_service.h"
#include "broker/node_replicator.h"
#include "broker/retention_scheduler.h"
#include "metrics/metrics_exporter.h"
#include "raft/grpc_peer_service.h"
#include "raft/grpc_snapshot_shipper.h"
#include "raft/grpc_transport.h"
#include "raft/node.h"
#include "raft/snapshot_receiver.h"
#include "storage/commit_log.h"

namespace raftmq::broker {

// The process exit code when storage cannot be trusted (corruption, a failed fsync).
inline constexpr int kExitStorageFatal = 3;

class BrokerNode {
 public:
  static Result<std::unique_ptr<BrokerNode>> Start(const BrokerOptions& options);
  ~BrokerNode();
  BrokerNode(const BrokerNode&) = delete;
  BrokerNode& operator=(const BrokerNode&) = delete;

  // Graceful stop (idempotent): unregisters, answers held pulls, stops Raft, checkpoints.
  void Stop();

  const std::string& bound_address() const { return bound_address_; }
  const BrokerOptions& options() const { return options_; }
  Replicator* replicator() { return replicator_.get(); }
  BrokerComponents* components() { return components_.get(); }
  const storage::CommitLog* log() const { return log_.get(); }
  RetentionScheduler* retention() { return retention_.get(); }

 private:
  explicit BrokerNode(const BrokerOptions& options) : options_(options) {}
  Status OpenStorage();
  Status StartRaft();
  Status Serve();
  Status ExportMetrics();

  const BrokerOptions options_;
  const SystemClock clock_;
  std::unique_ptr<storage::CommitLog> log_;
  std::unique_ptr<BrokerComponents> components_;
  std::unique_ptr<NodeReplicator> replicator_;
  std::unique_ptr<raft::GrpcTransport> transport_;
  std::unique_ptr<raft::GrpcSnapshotShipper> snapshot_shipper_;
  std::unique_ptr<raft::Node> node_;
  std::unique_ptr<raft::GrpcPeerService> peer_service_;
  std::unique_ptr<raft::SnapshotReceiver> snapshot_receiver_;
  ServiceContext context_;
  std::unique_ptr<MessagingService> messaging_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<v2::MessagingService> rocketmq_v2_;  // the RocketMQ 5 protocol (broker/v2/)
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<DelayScheduler> scheduler_;
  std::unique_ptr<RetentionScheduler> retention_;
  std::unique_ptr<NameserverRegistrar> registrar_;
  // Last: destroyed first, while the counters it reads still exist.
  std::unique_ptr<metrics::MetricsExporter> metrics_;
  std::string bound_address_;
  bool stopped_ = false;
};

}  // namespace raftmq::broker
