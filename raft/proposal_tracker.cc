#include "raft/proposal_tracker.h"

#include <utility>

#include "common/assert.h"

namespace raftmq::raft {

ProposalTracker::ProposalTracker(size_t pending_max, NodeMetrics* metrics)
    : pending_max_(pending_max), metrics_(metrics) {
  RMQ_ASSERT(pending_max_ > 0);
  RMQ_ASSERT(metrics_ != nullptr);
}

bool ProposalTracker::TryReserve() {
  size_t current = outstanding_.load(std::memory_order_relaxed);
  do {
    if (current >= pending_max_) return false;
  } while (!outstanding_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return true;
}

void ProposalTracker::Fail(ProposalCallback& done, Status status, NodeId leader_hint) {
  RMQ_ASSERT(!status.ok());
  Complete(done, ProposalOutcome{.status = std::move(status), .leader_hint = leader_hint});
}

void ProposalTracker::Track(Index index, Term term, ProposalCallback done) {
  RMQ_ASSERT(index > Index(0));
  // A new leader term may reuse indexes only after FailAll emptied the map at the loss.
  RMQ_ASSERT(tracked_.empty() || tracked_.rbegin()->first < index);
  tracked_.emplace(index, Pending{term, std::move(done)});
}

void ProposalTracker::Applied(Index index, Term term, std::any& value) {
  // Entries apply in index order, so anything tracked below `index` was passed over: it can
  // only have been overwritten by an entry this node never proposed.
  while (!tracked_.empty() && tracked_.begin()->first <= index) {
    auto node = tracked_.extract(tracked_.begin());
    Pending& pending = node.mapped();
    if (node.key() == index && pending.term == term) {
      Complete(pending.done, ProposalOutcome{.index = index, .value = std::move(value)});
    } else {
      Complete(pending.done, ProposalOutcome{.status = Status::Unavailable("entry overwritten by another leader"),
                                             .index = node.key()});
    }
  }
}

void ProposalTracker::FailAll(const Status& status, NodeId leader_hint) {
  RMQ_ASSERT(!status.ok());
  for (auto& [index, pending] : tracked_) {
    Complete(pending.done, ProposalOutcome{.status = status, .index = index, .leader_hint = leader_hint});
  }
  tracked_.clear();
}

void ProposalTracker::Complete(ProposalCallback& done, ProposalOutcome outcome) {
  RMQ_ASSERT(outstanding_.load(std::memory_order_relaxed) > 0);
  if (!outcome.status.ok()) metrics_->proposals_failed_total.fetch_add(1, std::memory_order_relaxed);
  outstanding_.fetch_sub(1, std::memory_order_relaxed);
  done(std::move(outcome));
}

}  // namespace raftmq::raft
