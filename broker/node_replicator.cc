#include "broker/node_replicator.h"

#include <utility>

#include "common/assert.h"

namespace raftmq::broker {

NodeReplicator::NodeReplicator(NodeId id, const storage::LogReader* log, const std::vector<std::string>& toml_peers)
    : id_(id), log_(log), addresses_(toml_peers) {
  RMQ_ASSERT(id_ != kNoNode);
  RMQ_ASSERT(log_ != nullptr);
}

void NodeReplicator::Attach(raft::Node* node) {
  std::lock_guard lock(mutex_);
  RMQ_ASSERT(node_ == nullptr);
  node_ = node;
}

raft::Node* NodeReplicator::AttachedNode() const {
  std::lock_guard lock(mutex_);
  return node_;
}

void NodeReplicator::SetRoleChangeListener(std::function<void(bool stopped_leading)> listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void NodeReplicator::OnSoftState(const raft::SoftState& soft) {
  std::function<void(bool)> listener;
  bool stopped_leading = false;
  {
    std::lock_guard lock(mutex_);
    stopped_leading = soft_.role == raft::Role::kLeader && soft.role != raft::Role::kLeader;
    soft_ = soft;
    listener = listener_;
  }
  if (listener) listener(stopped_leading);
}

void NodeReplicator::Propose(storage::EntryKind kind, std::string payload, Done done) {
  raft::Node* node = AttachedNode();
  if (node == nullptr) return done(Status::Unavailable("the Raft node is not started"));
  node->Propose(kind, std::move(payload), [done = std::move(done)](raft::ProposalOutcome outcome) {
    if (!outcome.status.ok()) return done(outcome.status);
    done(FromApplyValue(std::move(outcome.value)));
  });
}

ReplicaStatus NodeReplicator::GetStatus() const {
  ReplicaStatus status;
  raft::Node* node = nullptr;
  {
    std::lock_guard lock(mutex_);
    status.role = soft_.role == raft::Role::kLeader      ? ReplicaRole::kLeader
                  : soft_.role == raft::Role::kFollower ? ReplicaRole::kFollower
                                                        : ReplicaRole::kCandidate;
    status.term = soft_.term;
    status.leader = soft_.leader;
    status.recovering = soft_.recovering;
    node = node_;
  }
  status.id = id_;
  status.first = log_->FirstIndex();
  status.last = log_->LastIndex();
  if (node != nullptr) status.commit = Index(node->metrics().commit_index.load(std::memory_order_relaxed));
  return status;
}

std::vector<ReplicaPeer> NodeReplicator::PeerProgress() {
  raft::Node* node = AttachedNode();
  std::vector<ReplicaPeer> peers;
  if (node == nullptr) return peers;
  auto status = node->CurrentStatus();
  if (!status.ok()) return peers;
  for (const raft::PeerStatus& peer : status->peers) {
    if (peer.id != id_) peers.push_back({peer.id, peer.match, peer.recent_active, peer.learner});
  }
  return peers;
}

Status NodeReplicator::TransferLeadership(NodeId to) {
  raft::Node* node = AttachedNode();
  if (node == nullptr) return Status::Unavailable("the Raft node is not started");
  return node->TransferLeadership(to);
}

void NodeReplicator::ConfirmRead(std::function<void(Status)> done) const {
  raft::Node* node = AttachedNode();
  if (node == nullptr) return done(Status::Unavailable("the Raft node is not started"));
  node->ReadIndex(std::move(done));
}

Result<raft::ConfState> NodeReplicator::Configuration() const {
  raft::Node* node = AttachedNode();
  if (node == nullptr) return Status::Unavailable("the Raft node is not started");
  return node->Configuration();
}

void NodeReplicator::ChangeMembership(const raft::ConfChange& change, std::function<void(Status)> done) {
  raft::Node* node = AttachedNode();
  if (node == nullptr) return done(Status::Unavailable("the Raft node is not started"));
  node->ProposeConfChange(change, [done = std::move(done)](raft::ProposalOutcome outcome) { done(outcome.status); });
}

}  // namespace raftmq::broker
