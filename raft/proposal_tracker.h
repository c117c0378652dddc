// ProposalTracker: proposals a raft::Node accepted and has not yet answered. A proposal is
// answered exactly once: OK with the StateMachine's value when the entry it got (index and
// term) is applied; Unavailable ("not stored") when its index was taken by another term's
// entry; Aborted when leadership is lost or the Node stops before it applies (it may still
// commit: the outcome is unknown, the client retries and at-least-once delivery allows it).
//
// Invariants: tracked indexes are increasing within a term (the leader appends in order);
// outstanding() counts reserved proposals, queued or tracked, and never exceeds pending_max.
//
// Threading: TryReserve and outstanding() from any thread; everything else on the Node's
// loop thread. Callbacks run on the thread that completes them (the loop, or a proposer
// whose proposal was refused before queueing).
#pragma once

#include <any>
#include <atomic>
#include <cstddef>
#include <functional>
#include <map>

#include "common/log_ids.h"
#include "common/status.h"
#include "raft/node_metrics.h"

namespace raftmq::raft {

struct ProposalOutcome {
  // OK once applied. Definite ("not stored"): Unavailable (not leader, set aside, overwritten,
  // too many pending, stopped before proposing), NoSpace (the leader's uncommitted bytes are
  // at their limit), InvalidArgument. Unknown: Aborted (leadership lost, storage fault or
  // stop after the entry was appended: it may still commit).
  Status status;
  Index index;                     // the entry's index, once the core accepted it
  std::any value;                  // StateMachine::Apply's value for the entry
  NodeId leader_hint = kNoNode;    // on Unavailable: the leader this node knows of, if any
};

using ProposalCallback = std::function<void(ProposalOutcome outcome)>;

class ProposalTracker {
 public:
  ProposalTracker(size_t pending_max, NodeMetrics* metrics);

  // Reserves room for one proposal; false when pending_max are outstanding.
  bool TryReserve();
  // Answers a reserved proposal that never got an index.
  void Fail(ProposalCallback& done, Status status, NodeId leader_hint);
  // The core accepted a reserved proposal at (index, term).
  void Track(Index index, Term term, ProposalCallback done);
  // The entry at `index` with `term` was applied and produced `value`.
  void Applied(Index index, Term term, std::any& value);
  // Fails every tracked proposal.
  void FailAll(const Status& status, NodeId leader_hint);

  size_t outstanding() const { return outstanding_.load(std::memory_order_relaxed); }
  size_t tracked() const { return tracked_.size(); }

 private:
  struct Pending {
    Term term;
    ProposalCallback done;
  };
  void Complete(ProposalCallback& done, ProposalOutcome outcome);

  const size_t pending_max_;
  NodeMetrics* const metrics_;
  std::atomic<size_t> outstanding_{0};
  std::map<Index, Pending> tracked_;
};

}  // namespace raftmq::raft
