// Replicator: what the broker's services need from their Raft group — propose an entry and
// learn what the state machine answered once it is applied, see who leads, hand leadership
// over. raft::Node provides it in a broker process (NodeReplicator); the seam keeps the
// services free of Raft's internals and lets a test drive one node's role.
//
// Threading: every method from any thread. `done` runs exactly once, on any thread (the
// apply thread, typically), and must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "broker/applied_entry.h"
#include "common/log_ids.h"
#include "common/result.h"
#include "common/status.h"
#include "raft/configuration.h"
#include "storage/log_store.h"

namespace raftmq::broker {

enum class ReplicaRole { kFollower, kCandidate, kLeader };

struct ReplicaPeer {
  NodeId id = kNoNode;
  Index match;                 // the last index known to be on that peer
  bool recent_active = false;  // heard from within the election timeout
  bool learner = false;        // receives the log, neither votes nor counts toward commit
};

struct ReplicaStatus {
  NodeId id = kNoNode;
  ReplicaRole role = ReplicaRole::kFollower;
  Term term;
  NodeId leader = kNoNode;     // kNoNode while unknown
  bool recovering = false;     // raft::SoftState::recovering
  Index commit;
  Index first;
  Index last;
};

class Replicator {
 public:
  // The state machine's answer once the entry is applied; or a definite error, "not stored":
  // Unavailable (not the leader, set aside by a storage fault, stopped before proposing),
  // NoSpace (too many uncommitted bytes); or Aborted, an unknown outcome: the entry was
  // appended and may still commit (leadership lost, a storage fault, shutdown).
  using Done = std::function<void(Result<AppliedEntry> applied)>;

  virtual ~Replicator() = default;
  virtual void Propose(storage::EntryKind kind, std::string payload, Done done) = 0;
  // Cheap (no trip through Raft's loop): called on every write. `peers` is left empty.
  virtual ReplicaStatus GetStatus() const = 0;
  // Each follower's replication progress, known on the leader only (empty elsewhere); a
  // trip through Raft's loop, for status pages.
  virtual std::vector<ReplicaPeer> PeerProgress() = 0;
  // InvalidArgument (unknown node), Unavailable (not the leader), Aborted (target lags).
  virtual Status TransferLeadership(NodeId to) = 0;
  // A linearizable read barrier (raft::Node::ReadIndex): `done` gets OK once this node has
  // confirmed with a majority that it still leads and applied everything committed before the
  // call, so a read of applied state made then is not stale; Unavailable otherwise. `done`
  // runs on any thread (Raft's loop, typically) and must be short.
  virtual void ConfirmRead(std::function<void(Status)> done) const = 0;

  // Where clients and peers reach node `id` (broker/member_addresses.h); "" when unknown.
  virtual std::string MemberAddress(NodeId id) const = 0;
  // The configuration in force: voters, learners, the addresses it carries; Unavailable
  // before the Raft node started.
  virtual Result<raft::ConfState> Configuration() const = 0;
  // Proposes one membership change (raft::Core::ProposeConfChange, one at a time): `done`
  // gets OK once the change is applied here, else the refusal (InvalidArgument: does not
  // apply; Aborted: a learner not caught up, or a removal that would leave too few voters
  // able to vote; Unavailable: not the leader, or the last change not committed yet;
  // NotSupported: a log too old to add nodes to) or Aborted for an unknown outcome (the
  // entry was appended and may still commit). Runs `done` on any thread; it must not block.
  virtual void ChangeMembership(const raft::ConfChange& change, std::function<void(Status)> done) = 0;
};

// For a background task (delay scheduler, retention) on any thread but Raft's loop: proposes
// and blocks until the entry is applied (ProposalStatus of the outcome), or Unavailable after
// `wait_max` (the outcome is then unknown: the entry may still apply).
Status ProposeAndWait(Replicator* replicator, storage::EntryKind kind, std::string payload,
                      std::chrono::milliseconds wait_max);

}  // namespace raftmq::broker
