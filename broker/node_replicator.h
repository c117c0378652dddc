// NodeReplicator: the Replicator of a broker process, over raft::Node. Role, term and leader
// come from the Node's soft-state callback (OnSoftState, one consistent triple), so the
// LeaderGate's check on every write costs a mutex, not a trip through the Node's loop.
//
// Threading: every method from any thread; OnSoftState on the Node's loop thread.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "broker/member_addresses.h"
#include "broker/replicator.h"
#include "raft/node.h"
#include "raft/ready.h"

namespace raftmq::broker {

class NodeReplicator final : public Replicator {
 public:
  // `log` is the Node's log (first/last index for status); `toml_peers` the TOML's peers
  // (MemberAddresses).
  NodeReplicator(NodeId id, const storage::LogReader* log, const std::vector<std::string>& toml_peers);

  // Before the first Propose; the Node outlives this replicator's use.
  void Attach(raft::Node* node);
  // For NodeOptions::on_soft_state_change; the listener runs after (e.g. re-register), told
  // whether this node was the leader and is no longer.
  void OnSoftState(const raft::SoftState& soft);
  void SetRoleChangeListener(std::function<void(bool stopped_leading)> listener);
  // For NodeOptions::on_configuration_change: the addresses it carries.
  void OnConfiguration(const raft::ConfState& config) { addresses_.Update(config); }
  // Where to reach every node known (MemberAddresses::All), this one's included.
  std::map<NodeId, std::string> KnownAddresses() const { return addresses_.All(); }

  void Propose(storage::EntryKind kind, std::string payload, Done done) override;
  ReplicaStatus GetStatus() const override;
  std::vector<ReplicaPeer> PeerProgress() override;
  Status TransferLeadership(NodeId to) override;
  void ConfirmRead(std::function<void(Status)> done) const override;
  std::string MemberAddress(NodeId id) const override { return addresses_.Address(id); }
  Result<raft::ConfState> Configuration() const override;
  void ChangeMembership(const raft::ConfChange& change, std::function<void(Status)> done) override;

 private:
  // The Node once attached; null before.
  raft::Node* AttachedNode() const;

  const NodeId id_;
  const storage::LogReader* const log_;
  MemberAddresses addresses_;
  raft::Node* node_ = nullptr;
  mutable std::mutex mutex_;
  raft::SoftState soft_;
  std::function<void(bool stopped_leading)> listener_;
};

}  // namespace raftmq::broker
