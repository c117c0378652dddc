// raft::Node, part three: campaigning early when the leader's stream ends (see
// NodeOptions::campaign_on_leader_disconnect for the rule and why it is safe).
#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "raft/node.h"

namespace raftmq::raft {

void Node::HandleDisconnects(std::vector<NodeId>* peers) {
  RMQ_ASSERT(options_.core.election_timeout_ticks_min > 0);
  for (NodeId peer : *peers) {
    if (!options_.campaign_on_leader_disconnect || peer != core_->leader() || core_->role() != Role::kFollower) continue;
    // Run the leader lease down to its last tick (never past: that could start an election
    // here and now, on both followers at once); the next real tick ends it.
    const uint32_t lease_ticks = options_.core.election_timeout_ticks_min;
    while (ticks_since_leader_ + 1 < lease_ticks) {
      core_->Tick();
      ++ticks_since_leader_;
    }
    uint32_t rank = 0;
    for (NodeId voter : options_.core.voters) rank += (voter != peer && voter < id_) ? 1 : 0;
    suspected_leader_ = peer;
    campaign_at_ = Clock::now() + std::chrono::milliseconds(options_.tick_interval_ms) * (2 + rank);
    spdlog::info("raft node {}: stream from leader {} ended; campaigning in {} ticks unless it speaks", id_, peer, 2 + rank);
  }
  peers->clear();
}

void Node::NoteHeardFrom(NodeId from) {
  if (from == suspected_leader_) suspected_leader_ = kNoNode;
  if (from == core_->leader()) ticks_since_leader_ = 0;
}

void Node::MaybeCampaign() {
  if (suspected_leader_ == kNoNode || Clock::now() < campaign_at_) return;
  RMQ_ASSERT(suspected_leader_ != id_);
  // Someone else may have won meanwhile (then the leader changed): only a follower still
  // waiting on the silent leader campaigns.
  if (core_->leader() == suspected_leader_ && core_->role() == Role::kFollower) core_->Campaign();
  suspected_leader_ = kNoNode;
}

}  // namespace raftmq::raft
