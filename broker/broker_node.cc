#include "broker/broker_node.h"

#include <cstdlib>
#include <set>
#include <spdlog/spdlog.h>

#include "broker/boot_identity.h"
#include "broker/broker_metrics.h"
#include "broker/data_dir_identity.h"
#include "common/assert.h"
#include "common/grpc_listen.h"

namespace raftmq::broker {

Result<std::unique_ptr<BrokerNode>> BrokerNode::Start(const BrokerOptions& options) {
  RMQ_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<BrokerNode> node(new BrokerNode(options));
  RMQ_RETURN_IF_ERROR(node->OpenStorage());
  RMQ_RETURN_IF_ERROR(node->StartRaft());
  RMQ_RETURN_IF_ERROR(node->Serve());
  RMQ_RETURN_IF_ERROR(node->ExportMetrics());
  return node;
}

BrokerNode::~BrokerNode() { Stop(); }

Status BrokerNode::OpenStorage() {
  RMQ_RETURN_IF_ERROR(ClaimDataDir(storage::DefaultFs(), options_));
  storage::CommitLogOptions log_options;
  log_options.dir = options_.data_dir + "/commitlog";
  log_options.flush_policy = options_.flush_disk_type == "sync" ? storage::FlushPolicy::kSync : storage::FlushPolicy::kAsync;
  log_options.flush_interval_ms = static_cast<uint64_t>(options_.flush_interval_ms);
  log_options.segment_size_bytes = options_.commit_log_segment_size_bytes;
  log_options.retention_hours = options_.retention_hours;
  log_options.disk_usage_watermark_percent = options_.disk_usage_watermark_percent;
  RMQ_ASSIGN_OR_RETURN(log_, storage::CommitLog::Open(storage::DefaultFs(), log_options));
  RMQ_ASSIGN_OR_RETURN(components_, BrokerComponents::Open(options_, storage::DefaultFs(), log_.get(), log_.get(), &clock_));
  RMQ_ASSIGN_OR_RETURN(storage::HardState hard_state, components_->meta()->LoadHardState());
  RMQ_RETURN_IF_ERROR(components_->machine()->Recover(hard_state.commit));
  spdlog::info("recovered: applied index {}, log [{}, {}]", components_->machine()->applied_index().value(),
               log_->FirstIndex().value(), log_->LastIndex().value());
  components_->Start();
  return Status::Ok();
}

Status BrokerNode::StartRaft() {
  replicator_ = std::make_unique<NodeReplicator>(options_.node_id, log_.get(), options_.peers);
  raft::NodeOptions node_options = options_.RaftNodeOptions();
  // The TOML's peers (a joining node reaches the group's leader this way until the replicated
  // configuration names them all).
  std::map<NodeId, std::string> peers = replicator_->KnownAddresses();
  peers.erase(options_.node_id);
  // Listeners are in place before the Node's loop thread may call them.
  registrar_ = std::make_unique<NameserverRegistrar>(&options_, replicator_.get(), components_->topics());
  // On the Raft loop thread. A node that stops leading answers its held pulls and receives at
  // once: their clients find the new leader instead of waiting out the hold here.
  replicator_->SetRoleChangeListener(
      [registrar = registrar_.get(), long_polling = components_->long_polling()](bool stopped_leading) {
        registrar->Nudge();
        if (stopped_leading) long_polling->WakeAll(WakeReason::kLeadershipLost);
      });
  components_->topics()->SetChangeListener([registrar = registrar_.get()] { registrar->Nudge(); });
  const bool log_holds_entries = log_->LastIndex() > Index(0);
  RMQ_ASSIGN_OR_RETURN(BootCheck boot, CheckBootId(storage::DefaultFs(), options_, log_holds_entries));
  node_options.core.may_have_lost_acknowledged_entries = boot.may_have_lost_acknowledged_entries;
  node_options.core.may_have_forgotten_term = boot.may_have_forgotten_term;
  // An empty log (a new node, or a wiped one) recovers too (raft/core.h): its boot id waits
  // until it caught up, so a restart before then still recovers, as a node that forgot its term.
  const bool recovering_at_start = boot.may_have_lost_acknowledged_entries || !log_holds_entries;
  if (boot.may_have_forgotten_term) {
    spdlog::warn("no boot id recorded with log [{}, {}]: this data dir was wiped and the node restarted before it "
                 "caught up; it recovers (no votes, no commit counting) until caught up with a confirmed leader",
                 log_->FirstIndex().value(), log_->LastIndex().value());
  } else if (boot.may_have_lost_acknowledged_entries) {
    spdlog::warn("boot id {} is new under async flush: this node may have lost entries it acknowledged (log [{}, {}]); "
                 "it recovers (no votes, no commit counting) until caught up with a leader",
                 boot.boot_id, log_->FirstIndex().value(), log_->LastIndex().value());
  } else if (!recovering_at_start) {
    RMQ_RETURN_IF_ERROR(RecordBootId(storage::DefaultFs(), options_, boot.boot_id));
  }
  NodeReplicator* replicator = replicator_.get();
  // The boot id is recorded once the node caught up: a crash while recovering recovers again.
  node_options.on_soft_state_change = [this, replicator, pending = recovering_at_start,
                                       boot_id = boot.boot_id](const raft::SoftState& soft) mutable {
    replicator->OnSoftState(soft);
    if (!pending || soft.recovering) return;
    Status recorded = RecordBootId(storage::DefaultFs(), options_, boot_id);
    if (!recorded.ok()) spdlog::error("recording boot id: {}", recorded.ToString());
    pending = !recorded.ok();
  };
  // Fail-stop: a node whose storage cannot be trusted must not linger. The Node logged the one
  // line that says why; nothing else runs (no destructor may write to that storage again).
  node_options.on_storage_fatal = [](const Status&) {
    spdlog::shutdown();
    std::_Exit(kExitStorageFatal);
  };
  transport_ = std::make_unique<raft::GrpcTransport>(options_.node_id, peers, raft::GrpcTransportOptions{});
  snapshot_shipper_ = std::make_unique<raft::GrpcSnapshotShipper>(peers, raft::SnapshotTransferOptions{});
  std::set<NodeId> peer_ids;
  for (const auto& [id, address] : peers) peer_ids.insert(id);
  // A snapshot received whole stays in the store; the leader's kSnapshot message, sent once
  // this call answered, makes the Node install it.
  RMQ_ASSIGN_OR_RETURN(snapshot_receiver_,
                       raft::SnapshotReceiver::Create(options_.node_id, peer_ids, components_->snapshots()->root(),
                                                      [](const raft::ReceivedSnapshot&) { return Status::Ok(); }));
  // Messages arrive once Serve() started the server, after node_ is set.
  peer_service_ = std::make_unique<raft::GrpcPeerService>(
      options_.node_id, peer_ids, [this](std::vector<raft::Message> messages) { node_->Deliver(std::move(messages)); },
      &transport_->metrics(),
      // A leader's stream ending (its process died) starts an election at once: sub-second
      // failover without waiting out the election timeout.
      [this](NodeId peer) { node_->PeerDisconnected(peer); });
  // Members the TOML does not name are reached where their add-learner change said, and stay
  // reachable once removed (broker/member_addresses.h: without the entry that removes it and
  // its commit, a removed node would go on believing it is a voter).
  node_options.on_configuration_change = [this](const raft::ConfState& config) {
    replicator_->OnConfiguration(config);
    registrar_->Nudge();  // a node removed (or added) leaves (or enters) the routes now
    std::map<NodeId, std::string> known = replicator_->KnownAddresses();
    known.erase(options_.node_id);
    std::set<NodeId> ids;
    for (const auto& [id, address] : known) ids.insert(id);
    transport_->SetPeers(known);
    snapshot_shipper_->SetPeers(known);
    snapshot_receiver_->SetPeers(ids);
    peer_service_->SetPeers(std::move(ids));
  };
  RMQ_ASSIGN_OR_RETURN(node_, raft::Node::Start(node_options, log_.get(), components_->meta(), components_->machine(),
                                                transport_.get(),
                                                raft::NodeSnapshots{.store = components_->snapshots(),
                                                                    .shipper = snapshot_shipper_.get()}));
  replicator_->Attach(node_.get());
  return Status::Ok();
}

Status BrokerNode::Serve() {
  context_ = components_->Context(replicator_.get());
  messaging_ = std::make_unique<MessagingService>(&context_);
  admin_ = std::make_unique<AdminService>(&context_);
  rocketmq_v2_ = std::make_unique<v2::MessagingService>(&context_);
  const std::string listen = options_.listen_address.empty() ? options_.PeerAddress(options_.node_id)
                                                              : options_.listen_address;
  grpc::ServerBuilder builder;
  int port = 0;
  ListenExclusively(&builder, listen, &port);
  peer_service_->RegisterOn(builder, transport_->options());
  // One server for every service: the larger of the two receive limits.
  builder.SetMaxReceiveMessageSize(std::max(options_.GrpcMessageBytesMax(), transport_->options().wire_message_bytes_max));
  builder.RegisterService(messaging_.get());
  builder.RegisterService(admin_.get());
  builder.RegisterService(rocketmq_v2_.get());
  builder.RegisterService(snapshot_receiver_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    return Status::IoError("cannot listen on " + listen + " (address in use or not local?)");
  }
  bound_address_ = listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
  scheduler_ = std::make_unique<DelayScheduler>(&context_);
  scheduler_->Start();
  retention_ = std::make_unique<RetentionScheduler>(&options_, log_.get(), replicator_.get(),
                                                    components_->machine(), &clock_);
  retention_->Start();
  registrar_->Start();
  return Status::Ok();
}

Status BrokerNode::ExportMetrics() {
  if (options_.metrics_listen_address.empty()) return Status::Ok();
  RMQ_ASSIGN_OR_RETURN(metrics_, metrics::MetricsExporter::Start(
                                     options_.metrics_listen_address,
                                     {{"cluster", options_.cluster_name},
                                      {"group", options_.broker_group},
                                      {"node", std::to_string(options_.node_id)}}));
  metrics_->Add(RaftMetricSources(node_->metrics(), transport_->metrics()));
  metrics_->Add(StateMachineMetricSources(*components_->machine()));
  return Status::Ok();
}

void BrokerNode::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (registrar_) registrar_->Stop();
  if (scheduler_) scheduler_->Stop();
  if (retention_) retention_->Stop();
  if (components_) components_->long_polling()->Stop();
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  // Its callbacks post to the Node: stopped first.
  if (snapshot_shipper_) snapshot_shipper_->Stop();
  if (node_) node_->Stop();
  if (transport_) transport_->Stop();
  if (components_) {
    Status stopped = components_->Stop();
    if (!stopped.ok()) spdlog::error("final checkpoint failed: {}", stopped.ToString());
  }
}

}  // namespace raftmq::broker
