#include "tests/raft/local_cluster.h"

#include <map>
#include <set>
#include <utility>

#include "common/assert.h"
#include "common/grpc_listen.h"
#include "common/loopback_port.h"

namespace raftmq::raft::testing {
Index RecordingStateMachine::LastApplied() const {
  std::lock_guard lock(mutex_);
  return applied_.empty() ? Index(0) : applied_.back().index;
}

Result<std::any> RecordingStateMachine::Apply(const storage::LogEntry& entry) {
  {
    std::lock_guard lock(mutex_);
    if (failing_) return Status::IoError("state machine disk failed");
    applied_.push_back(AppliedEntry{entry.index, entry.term, entry.kind, entry.payload});
  }
  applied_cv_.notify_all();
  return std::any(entry.index.value());
}

Result<Index> RecordingStateMachine::SaveSnapshot(const std::filesystem::path& /*dir*/) {
  return Status::NotSupported("recording state machine: no snapshots");
}

Status RecordingStateMachine::RestoreSnapshot(const std::filesystem::path& /*dir*/,
                                              const storage::SnapshotMeta& /*snapshot*/) {
  return Status::NotSupported("recording state machine: no snapshots");
}

bool RecordingStateMachine::WaitApplied(Index index, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return applied_cv_.wait_for(lock, timeout, [&] { return !applied_.empty() && applied_.back().index >= index; });
}

void RecordingStateMachine::SetApplyFailing(bool on) {
  std::lock_guard lock(mutex_);
  failing_ = on;
}

std::vector<AppliedEntry> RecordingStateMachine::Applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

LocalCluster::LocalCluster(LocalClusterOptions options) : options_(std::move(options)) {
  RMQ_ASSERT(options_.members > 0);
  soft_states_.resize(options_.members);
  for (NodeId id = 1; id <= options_.members; ++id) {
    Member member;
    member.id = id;
    auto port = ReserveLoopbackPort();
    RMQ_ASSERT(port.ok());
    member.address = "127.0.0.1:" + std::to_string(*port);
    member.state_machine = std::make_unique<RecordingStateMachine>();
    if (options_.fault_fs) member.fs = std::make_unique<storage::FaultFs>(storage::DefaultFs());
    members_.push_back(std::move(member));
  }
}

LocalCluster::~LocalCluster() {
  for (Member& member : members_) HardStopMember(member.id);
}

Status LocalCluster::StartMember(NodeId id) {
  Member& member = members_.at(id - 1);
  RMQ_ASSERT(member.node == nullptr);
  const std::string dir = dir_.Sub("node" + std::to_string(id));
  storage::CommitLogOptions log_options{.dir = log_dir(id), .flush_policy = options_.flush_policy};
  storage::Fs* fs = member.fs != nullptr ? member.fs.get() : storage::DefaultFs();
  RMQ_ASSIGN_OR_RETURN(member.log, storage::CommitLog::Open(fs, log_options));
  RMQ_ASSIGN_OR_RETURN(member.meta, storage::MetaStore::Open(dir + "/meta"));

  std::map<NodeId, std::string> peers;
  std::set<NodeId> peer_ids;
  NodeOptions node_options = options_.node;
  node_options.core.id = id;
  node_options.core.voters.clear();
  node_options.core.addresses.clear();
  const size_t voters = options_.initial_voters == 0 ? members_.size() : options_.initial_voters;
  for (size_t i = 0; i < voters; ++i) {
    const Member& other = members_[i];
    node_options.core.voters.push_back(other.id);
    node_options.core.addresses.emplace(other.id, other.address);
    if (other.id == id) continue;
    peers.emplace(other.id, other.address);
    peer_ids.insert(other.id);
  }
  // A member outside the bootstrap voters joins: it learns its group from the log or a
  // snapshot (its own list of voters could be stale), though it knows where they are.
  if (id > voters) {
    node_options.core.voters.clear();
    node_options.core.addresses.clear();
  }
  node_options.on_soft_state_change = [this, id](const SoftState& soft) { OnSoftState(id, soft); };
  member.transport = std::make_unique<GrpcTransport>(id, peers, GrpcTransportOptions{});
  // Messages arrive once the server runs, after member.node is set.
  member.service = std::make_unique<GrpcPeerService>(
      id, peer_ids, [&member](std::vector<Message> messages) { member.node->Deliver(std::move(messages)); },
      &member.transport->metrics(), [&member](NodeId peer) { member.node->PeerDisconnected(peer); });
  node_options.on_configuration_change = [&member, id, bootstrap = peers](const ConfState& config) {
    const std::map<NodeId, std::string> all = PeerAddresses(id, bootstrap, config);
    std::set<NodeId> ids;
    for (const auto& [peer, address] : all) ids.insert(peer);
    member.transport->SetPeers(all);
    member.service->SetPeers(std::move(ids));
  };
  RMQ_ASSIGN_OR_RETURN(member.node, Node::Start(node_options, member.log.get(), member.meta.get(),
                                                member.state_machine.get(), member.transport.get()));
  grpc::ServerBuilder builder;
  int port = 0;
  ListenExclusively(&builder, member.address, &port);
  member.service->RegisterOn(builder, member.transport->options());
  member.server = builder.BuildAndStart();
  if (member.server == nullptr || port == 0) return Status::IoError("cannot listen on " + member.address);
  return Status::Ok();
}

void LocalCluster::HardStopMember(NodeId id) {
  Member& member = members_.at(id - 1);
  if (member.server != nullptr) member.server->Shutdown(std::chrono::system_clock::now());
  if (member.node != nullptr) member.node->Stop();
  if (member.transport != nullptr) member.transport->Stop();
  member.server.reset();
  member.service.reset();
  member.node.reset();
  member.transport.reset();
  member.meta.reset();
  member.log.reset();
  std::lock_guard lock(leader_mutex_);
  soft_states_.at(id - 1) = SoftState{};
}

NodeId LocalCluster::WaitForLeader(std::chrono::milliseconds timeout, NodeId excluded, Term term_above) {
  NodeId leader = kNoNode;
  std::unique_lock lock(leader_mutex_);
  leader_cv_.wait_for(lock, timeout, [&] {
    for (size_t i = 0; i < soft_states_.size(); ++i) {
      const SoftState& soft = soft_states_[i];
      if (i + 1 != excluded && soft.role == Role::kLeader && soft.term > term_above) leader = i + 1;
    }
    return leader != kNoNode;
  });
  return leader;
}

void LocalCluster::OnSoftState(NodeId id, const SoftState& soft) {
  {
    std::lock_guard lock(leader_mutex_);
    soft_states_.at(id - 1) = soft;
  }
  leader_cv_.notify_all();
}

}  // namespace raftmq::raft::testing
