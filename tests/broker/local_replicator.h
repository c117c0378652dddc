// Test doubles for the Raft side of one broker node, for service tests that need no peers:
// LocalLog, an in-memory CommitLogReader that is safe to read while it grows, and
// LocalReplicator, a single node that commits and applies each proposal at once through the
// real BrokerStateMachine. The test sets the node's role to play follower or a new leader
// (which appends and applies its no-op, as raft::Core does) and can make proposals fail
// (disk full) to check the services' statuses.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "broker/broker_state_machine.h"
#include "broker/member_addresses.h"
#include "broker/replicator.h"
#include "raft/entry_kind.h"
#include "storage/log_store.h"

namespace raftmq::broker::testing {

class LocalLog final : public storage::CommitLogReader {
 public:
  static constexpr uint64_t kHeaderBytes = 32;  // a gap between payloads, as record headers

  storage::LogEntry Append(Term term, storage::EntryKind kind, std::string payload) {
    std::lock_guard lock(mutex_);
    storage::LogEntry entry{Index(entries_.size() + 1), term, kind, std::move(payload)};
    bytes_.append(kHeaderBytes, 'h');
    locations_.push_back({bytes_.size(), static_cast<uint32_t>(entry.payload.size()), term});
    bytes_.append(entry.payload);
    entries_.push_back(entry);
    return entry;
  }

  Index FirstIndex() const override { return Index(1); }
  Index LastIndex() const override {
    std::lock_guard lock(mutex_);
    return Index(entries_.size());
  }
  Result<Term> TermAt(Index index) const override {
    std::lock_guard lock(mutex_);
    if (!Holds(index)) return Status::NotFound("index");
    return entries_[index.value() - 1].term;
  }
  Result<std::vector<storage::LogEntry>> Entries(Index from, Index to, uint64_t /*bytes_max*/) const override {
    std::lock_guard lock(mutex_);
    if (!Holds(from)) return Status::NotFound("from");
    std::vector<storage::LogEntry> out;
    for (Index i = from; i < to && Holds(i); ++i) out.push_back(entries_[i.value() - 1]);
    return out;
  }
  Result<storage::EntryLocation> Locate(Index index) const override {
    std::lock_guard lock(mutex_);
    if (!Holds(index)) return Status::NotFound("index");
    return locations_[index.value() - 1];
  }
  Result<std::string> ReadAt(uint64_t position, uint32_t size) const override {
    std::lock_guard lock(mutex_);
    if (position + size > bytes_.size()) return Status::NotFound("position");
    return bytes_.substr(position, size);
  }

 private:
  bool Holds(Index index) const { return index >= Index(1) && index.value() <= entries_.size(); }

  mutable std::mutex mutex_;
  std::vector<storage::LogEntry> entries_;
  std::vector<storage::EntryLocation> locations_;
  std::string bytes_;
};

class LocalReplicator final : public Replicator {
 public:
  // `peers`: the TOML's, for MemberAddress.
  LocalReplicator(NodeId id, LocalLog* log, BrokerStateMachine* machine, const std::vector<std::string>& peers)
      : id_(id), log_(log), machine_(machine), addresses_(peers) {}

  // Leader of `term` (its no-op appended; applied unless `apply_noop` is false).
  void BecomeLeader(Term term, bool apply_noop = true) {
    std::lock_guard lock(mutex_);
    role_ = ReplicaRole::kLeader;
    term_ = term;
    leader_ = id_;
    storage::LogEntry noop = log_->Append(term, raft::kNoopEntry, "");
    if (apply_noop) (void)ApplyLocked(noop);
    else pending_.push_back(noop);
  }
  void ApplyPending() {
    std::lock_guard lock(mutex_);
    for (const auto& entry : pending_) (void)ApplyLocked(entry);
    pending_.clear();
  }
  void BecomeFollower(NodeId leader) {
    std::lock_guard lock(mutex_);
    role_ = ReplicaRole::kFollower;
    leader_ = leader;
  }
  // Every later proposal fails with `status` (OK: succeed again).
  void FailProposals(Status status) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(status);
  }

  void Propose(storage::EntryKind kind, std::string payload, Done done) override {
    Result<AppliedEntry> result = Status::Unavailable("not the leader");
    {
      std::lock_guard lock(mutex_);
      if (!failure_.ok()) {
        result = failure_;
      } else if (role_ == ReplicaRole::kLeader) {
        result = ApplyLocked(log_->Append(term_, kind, std::move(payload)));
      }
    }
    done(std::move(result));
  }
  ReplicaStatus GetStatus() const override {
    std::lock_guard lock(mutex_);
    ReplicaStatus status;
    status.id = id_;
    status.role = role_;
    status.term = term_;
    status.leader = leader_;
    status.commit = log_->LastIndex();
    status.first = log_->FirstIndex();
    status.last = log_->LastIndex();
    return status;
  }
  std::vector<ReplicaPeer> PeerProgress() override { return {}; }
  // One node is its own majority: a leader confirms at once.
  void ConfirmRead(std::function<void(Status)> done) const override {
    bool leads = false;
    {
      std::lock_guard lock(mutex_);
      leads = role_ == ReplicaRole::kLeader;
    }
    done(leads ? Status::Ok() : Status::Unavailable("not the leader"));
  }
  Status TransferLeadership(NodeId to) override {
    return to == id_ ? Status::InvalidArgument("self") : Status::Aborted("a single node has no one to transfer to");
  }
  std::string MemberAddress(NodeId id) const override { return addresses_.Address(id); }
  Result<raft::ConfState> Configuration() const override { return raft::ConfState{.voters = {id_}}; }
  void ChangeMembership(const raft::ConfChange& /*change*/, std::function<void(Status)> done) override {
    done(Status::NotSupported("a local replicator has one node"));
  }

 private:
  Result<AppliedEntry> ApplyLocked(const storage::LogEntry& entry) {
    auto result = machine_->Apply(entry);
    RMQ_ASSERT(result.ok());
    return FromApplyValue(std::move(result).value());
  }

  const NodeId id_;
  LocalLog* const log_;
  BrokerStateMachine* const machine_;
  const MemberAddresses addresses_;
  mutable std::mutex mutex_;
  ReplicaRole role_ = ReplicaRole::kFollower;
  Term term_;
  NodeId leader_ = kNoNode;
  Status failure_;
  std::vector<storage::LogEntry> pending_;
};

}  // namespace raftmq::broker::testing
